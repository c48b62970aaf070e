using System.Diagnostics;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Platform;

public class NativeRuntimeTests
{
    [Fact]
    public void TorchSharp_initialises_and_runs_a_convolution_and_grid_sample()
    {
        TorchRuntime.Initialise();
        using var scope = NewDisposeScope();
        var x = arange(16f).reshape(1, 1, 4, 4);
        var weight = ones(1, 1, 3, 3);
        var y = nn.functional.conv2d(x, weight, padding: [1, 1]);
        // Centre pixel (1,1) sums its 3×3 neighbourhood: 0+1+2+4+5+6+8+9+10 = 45.
        Assert.Equal(45f, y[0, 0, 1, 1].item<float>());

        // An identity grid with align_corners=true reproduces the input exactly.
        var grid = stack([linspace(-1, 1, 4).repeat(4, 1), linspace(-1, 1, 4).unsqueeze(1).repeat(1, 4)], -1).unsqueeze(0);
        var sampled = nn.functional.grid_sample(x, grid, align_corners: true);
        Assert.True(sampled.allclose(x, atol: 1e-5));
    }

    [Fact]
    public void The_patched_library_requires_GLIBCXX_3_4_32_only_weakly()
    {
        string library = TorchSharpNativeLibrary();
        var result = ElfVersionPatch.MakeVersionRequirementWeak(Copy(library), ElfVersionPatch.MissingVersion, [ElfVersionPatch.OnlySymbolUsingIt]);
        // On an old libstdc++ the build must already have patched it; on a new one it may be untouched.
        string? system = ElfVersionPatch.FindSystemLibStdCxx();
        if (system is not null && !ElfVersionPatch.LibraryDefinesVersion(system, ElfVersionPatch.MissingVersion))
            Assert.Equal(ElfPatchOutcome.AlreadyWeak, result.Outcome);
        else
            Assert.Contains(result.Outcome, new[] { ElfPatchOutcome.AlreadyWeak, ElfPatchOutcome.Patched });
    }

    [Fact]
    public void Patching_sets_VER_FLG_WEAK_once_and_is_idempotent()
    {
        string copy = Copy(TorchSharpNativeLibrary());
        ElfVersionPatch.SetRequirementFlags(copy, ElfVersionPatch.MissingVersion, weak: false);
        Assert.DoesNotContain("WEAK", ReadelfFlags(copy));

        var first = ElfVersionPatch.MakeVersionRequirementWeak(copy, ElfVersionPatch.MissingVersion, [ElfVersionPatch.OnlySymbolUsingIt]);
        var second = ElfVersionPatch.MakeVersionRequirementWeak(copy, ElfVersionPatch.MissingVersion, [ElfVersionPatch.OnlySymbolUsingIt]);

        Assert.Equal(ElfPatchOutcome.Patched, first.Outcome);
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, second.Outcome);
        Assert.Contains("WEAK", ReadelfFlags(copy));
    }

    [Fact]
    public void Patching_refuses_when_another_symbol_uses_the_version()
    {
        string copy = Copy(TorchSharpNativeLibrary());
        ElfVersionPatch.SetRequirementFlags(copy, ElfVersionPatch.MissingVersion, weak: false);
        var result = ElfVersionPatch.MakeVersionRequirementWeak(copy, ElfVersionPatch.MissingVersion, ["some_other_symbol"]);
        Assert.Equal(ElfPatchOutcome.Refused, result.Outcome);
        Assert.Contains(ElfVersionPatch.OnlySymbolUsingIt, result.Detail);
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_rejected_with_its_name()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "not-a-library.so");
        File.WriteAllText(path, "hello");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MakeVersionRequirementWeak(path, "X", []));
        Assert.Contains(path, e.Message);
    }

    static string TorchSharpNativeLibrary()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", ElfVersionPatch.TorchSharpNativeLibrary);
        Assert.True(File.Exists(path), $"expected the build to copy {path}");
        return path;
    }

    static string Copy(string path)
    {
        string copy = Path.Combine(Directory.CreateTempSubdirectory("segalign-elf-").FullName, Path.GetFileName(path));
        File.Copy(path, copy);
        return copy;
    }

    // The line of `readelf -V` that describes the GLIBCXX_3.4.32 requirement, e.g. "Name: GLIBCXX_3.4.32  Flags: WEAK  Version: 18".
    static string ReadelfFlags(string path)
    {
        var start = new ProcessStartInfo("readelf", ["-V", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n').Single(l => l.Contains($"Name: {ElfVersionPatch.MissingVersion}"));
    }
}
