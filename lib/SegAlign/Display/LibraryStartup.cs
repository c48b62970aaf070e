using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SegAlign.Platform;

namespace SegAlign.Display;

/// <summary>
/// What referencing SegAlign sets up in any process, before its first type is used: FSharp.Core binding for
/// Plotly.NET, SkiaSharp's packaged native library and, inside a .NET Interactive kernel, the formatters that show its values and the packaged libtorch
/// (so a notebook needs only its #r line).
/// </summary>
static class LibraryStartup
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A notebook has no other hook: referencing the library must register its formatters.")]
    internal static void Initialise()
    {
        FSharpCoreBinding.Install();
        Visualisation.SkiaNative.Install();
        if (!KernelFormatters.InKernel) return;
        KernelFormatters.Register();
        // A kernel has no deps.json naming the packaged native folder, so a system libtorch could be found first.
        PackagedLibTorch.Load();
    }
}
