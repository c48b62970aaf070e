using System.Reflection;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace SegAlign.Visualisation;

/// <summary>
/// Finds SkiaSharp's native library in SegAlign's own build output. A process started from a deps.json (the CLI, the
/// tests) finds runtimes/&lt;rid&gt;/native/libSkiaSharp.so by itself; a .NET Interactive kernel that loads SegAlign.dll
/// with #r has no deps.json and only probes the folder of the DLL (measured: DllNotFoundException in the stock
/// kernel without this), so every picture cell would fail.
/// </summary>
static class SkiaNative
{
    static int installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        try { NativeLibrary.SetDllImportResolver(typeof(SKBitmap).Assembly, Resolve); }
        catch (InvalidOperationException) { /* the host registered its own resolver: it knows where its library is */ }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!name.Contains("SkiaSharp", StringComparison.Ordinal)) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
        string folder = Path.GetDirectoryName(typeof(SkiaNative).Assembly.Location) ?? "";
        string file = OperatingSystem.IsWindows() ? "libSkiaSharp.dll" : OperatingSystem.IsMacOS() ? "libSkiaSharp.dylib" : "libSkiaSharp.so";
        string packaged = Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file);
        if (!File.Exists(packaged))
            packaged = Path.Combine(folder, "runtimes", $"{PlatformName()}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native", file);
        return File.Exists(packaged) && NativeLibrary.TryLoad(packaged, out handle) ? handle : IntPtr.Zero;
    }

    static string PlatformName() => OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
}
