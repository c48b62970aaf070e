using System.Diagnostics;
using System.Text.Json.Nodes;
using SegAlign.Experiments;
using SegAlign.Platform;

namespace SegAlign.Tests.Platform;

/// <summary>The C heap policy (<see cref="NativeHeap"/>) is in force wherever libtorch starts, and changes no result.</summary>
public class NativeHeapTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "SegAlign.Cli.dll");

    [Fact]
    public void Starting_libtorch_fixes_the_heap_thresholds_on_glibc()
    {
        TorchRuntime.Initialise();
        string policy = NativeHeap.Policy ?? "(not applied)";
        if (NativeHeap.KeepsDefault(Environment.GetEnvironmentVariable(NativeHeap.PolicyVariable)))
            Assert.StartsWith("default", policy);
        else if (OperatingSystem.IsLinux() && IsGlibc())
            Assert.Matches(@"^retain \((256|32) MiB\)$", policy); // glibc accepts one of the two thresholds
        else
            Assert.StartsWith("default (", policy); // and says why
    }

    static bool IsGlibc() =>
        System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out var libc)
        && System.Runtime.InteropServices.NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);

    [Fact]
    public void Training_under_either_heap_policy_gives_bit_identical_results()
    {
        // Same config, same seed, in two processes: one with the retaining policy, one with glibc's own. 96-px scenes in
        // batches of 8 so that activations exceed glibc's initial 128 KiB mmap threshold and the two policies differ.
        string root = Directory.CreateTempSubdirectory("segalign-heap-").FullName;
        try
        {
            var retained = Train(Path.Combine(root, "retain"), policy: null);
            var original = Train(Path.Combine(root, "default"), policy: "default");
            Assert.Equal(original.Log, retained.Log);   // every logged loss, to the last digit
            Assert.Equal(original.Miou, retained.Miou);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    static (string Log, string Miou) Train(string folder, string? policy)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Cli, "train", "--preset", "smoke", "--decoder", "sfnet", "--iterations", "6", "--threads", "1",
                     "--set", "data.fashionScenes.size=96", "--set", "train.batchSize=8", "--out", folder })
            start.ArgumentList.Add(a);
        start.Environment["SEGALIGN_HOME"] = Presets.RepositoryRoot;
        if (policy is not null) start.Environment[NativeHeap.PolicyVariable] = policy;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"train exited {process.ExitCode}: {error}{output.Result}");
        string log = string.Join('\n', File.ReadLines(Path.Combine(folder, "train_log.csv")).Select(l => string.Join(',', l.Split(',').SkipLast(1)))); // drop the seconds
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")))!;
        return (log, metrics["meanIoU"]!.ToJsonString());
    }
}
