using TorchSharp;

namespace SegAlign.Tests;

/// <summary>Fixes libtorch's thread count for the test process: results stay reproducible and two test
/// processes never oversubscribe the two cores.</summary>
public static class TorchSetup
{
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Initialise()
    {
        // Through SegAlign, so the packaged libtorch is loaded even where a system one exists.
        SegAlign.Platform.TorchRuntime.Initialise(threads: 1);
    }
}
