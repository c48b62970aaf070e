using SegAlign.Platform;

namespace SegAlign.Tests.Platform;

public sealed class PackagedLibTorchTests
{
    [Fact]
    public void The_process_runs_on_the_libtorch_of_TorchSharps_package()
    {
        TorchRuntime.Initialise();

        string? loaded = PackagedLibTorch.Loaded();

        Assert.NotNull(loaded);
        Assert.True(PackagedLibTorch.NativeFolders().Any(folder => loaded.StartsWith(folder + "/", StringComparison.Ordinal)),
            $"libtorch_cpu came from {loaded}, outside the packaged folders {string.Join(", ", PackagedLibTorch.NativeFolders())}");
        Assert.Equal(Path.GetDirectoryName(loaded), Path.GetDirectoryName(PackagedLibTorch.Load()));
    }
}
