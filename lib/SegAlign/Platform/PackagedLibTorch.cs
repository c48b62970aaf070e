using System.Runtime.InteropServices;
using TorchSharp;

namespace SegAlign.Platform;

/// <summary>
/// Makes TorchSharp use the libtorch its package ships even when the system has another one (Debian's
/// libtorch-dev, pulled in by python3-torch, puts libtorch.so 1.13 on the loader's default path). TorchSharp looks
/// libtorch up by bare name, which the system copy can win (and LD_LIBRARY_PATH beats the packaged libraries'
/// RUNPATH $ORIGIN). Loading the packaged libraries by full path first settles it: the dynamic loader reuses an
/// already-loaded library of the same soname. Dependencies come first, so each finds the packaged one loaded.
/// </summary>
static class PackagedLibTorch
{
    const string LibTorch = "libtorch.so";
    static readonly string[] InLoadOrder = ["libc10.so", "libtorch_cpu.so", LibTorch];

    /// <summary>Loads the packaged libtorch; returns its path, or null where none is found (then TorchSharp searches as usual).</summary>
    public static string? Load()
    {
        if (!OperatingSystem.IsLinux()) return null;
        foreach (var folder in NativeFolders())
        {
            string path = Path.Combine(folder, LibTorch);
            if (File.Exists(path) && InLoadOrder.All(name => NativeLibrary.TryLoad(Path.Combine(folder, name), out _))) return path;
        }
        return null;
    }

    /// <summary>Where the packaged native libraries are: the app's native search folders (deps.json), the
    /// runtimes folder next to the app, to SegAlign.dll (a notebook's #r) and to TorchSharp.dll (a NuGet cache).</summary>
    internal static IEnumerable<string> NativeFolders()
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            folders.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (var baseFolder in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(PackagedLibTorch).Assembly.Location) })
            if (!string.IsNullOrEmpty(baseFolder)) folders.Add(Path.Combine(baseFolder, "runtimes", "linux-x64", "native"));
        if (Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } torchSharp)
            folders.Add(Path.GetFullPath(Path.Combine(torchSharp, "..", "..", "runtimes", "linux-x64", "native")));
        return folders.Select(f => Path.GetFullPath(f)).Distinct();
    }

    /// <summary>The libtorch_cpu this process has loaded (from /proc/self/maps), or null.</summary>
    public static string? Loaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is int slash and >= 0 ? line[slash..] : "")
                .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libtorch_cpu.so", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
