using System.Collections.Concurrent;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Training;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>Sweeps sharing a results folder train each run once; a failed sweep leaves nothing half-made.</summary>
public class SweepHygieneTests
{
    [Fact]
    public void A_train_into_a_run_folder_a_sweep_owns_is_refused_and_writes_nothing()
    {
        string root = Directory.CreateTempSubdirectory("segalign-store-").FullName;
        string folder = Path.Combine(root, "runs", "0123456789ab-s0");
        string lockPath = RunLock.PathForRunFolder(folder)!;
        Assert.Equal(Path.Combine(root, "locks", "0123456789ab-s0.lock"), lockPath);
        Assert.Null(RunLock.PathForRunFolder(Path.Combine(root, "scratch", "x")));   // not a store's run: no lock

        using (RunLock.TryAcquireAt(lockPath))
        {
            var refused = Run("train", "--preset", "smoke", "--out", folder, "--resume", "--threads", "1");
            AssertBadInput(refused, "being trained by another process");
            Assert.False(Directory.Exists(folder));
        }
    }

    /// <summary>Trains in this process and counts how often each run was trained.</summary>
    sealed class CountingExecutor : IRunExecutor
    {
        public static readonly ConcurrentDictionary<string, int> Trained = new();
        readonly InProcessExecutor inner = new();

        public void Execute(PlannedRun run, RunFolder folder, int threads, CancellationToken cancellation)
        {
            Trained.AddOrUpdate(run.Key, 1, (_, n) => n + 1);
            Thread.Sleep(200); // keep the run owned long enough for the other sweep to meet it
            inner.Execute(run, folder, threads, cancellation);
        }
    }

    static IReadOnlyList<PlannedRun> TinyRuns() =>
        ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", ConfigOverrides.Parse(["train.iterations=1"]), seeds: [0, 1], variants: ["bilinear", "fam"]);

    [Fact]
    public void Two_sweeps_on_one_results_folder_train_each_run_once()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var runs = TinyRuns();
        CountingExecutor.Trained.Clear();
        SweepResult? first = null, second = null;
        var a = new Thread(() => first = ExperimentRunner.Run(runs, store, new CountingExecutor(), 2, 1));
        var b = new Thread(() => second = ExperimentRunner.Run(runs.Reverse().ToList(), store, new CountingExecutor(), 2, 1));
        a.Start(); b.Start(); a.Join(); b.Join();

        Assert.All(runs, r => Assert.True(store.Folder(r).IsComplete));
        Assert.All(runs, r => Assert.Equal(1, CountingExecutor.Trained[r.Key]));
        Assert.Equal(runs.Count, first!.Trained + second!.Trained);
        Assert.Empty(first.Failures.Concat(second.Failures));
        Assert.Equal(runs.Count, first.Trained + first.AlreadyDone);
        Assert.Equal(runs.Count, second.Trained + second.AlreadyDone);
    }

    [Fact]
    public void A_lock_left_by_a_dead_sweep_does_not_block_the_next_one()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var runs = TinyRuns().Take(1).ToList();
        string stale = RunLock.PathOf(store, runs[0]);
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "99999999\n"); // a lock file whose owner is gone: the kernel holds no lock on it
        var sweep = ExperimentRunner.Run(runs, store, new InProcessExecutor(), 1, 1);
        Assert.Equal(1, sweep.Trained);
    }

    [Fact]
    public void A_run_owned_by_a_live_sweep_is_waited_for_not_trained_again()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var runs = TinyRuns().Take(1).ToList();
        var held = RunLock.TryAcquire(store, runs[0])!;
        Assert.Null(RunLock.TryAcquire(store, runs[0]));
        // The "other sweep" finishes the run, then lets go; this sweep must find it done.
        var owner = new Thread(() =>
        {
            new InProcessExecutor().Execute(runs[0], store.Folder(runs[0]), 1, default);
            held.Dispose();
        });
        CountingExecutor.Trained.Clear();
        owner.Start();
        var sweep = ExperimentRunner.Run(runs, store, new CountingExecutor(), 1, 1);
        owner.Join();
        Assert.Equal(0, sweep.Trained);
        Assert.Equal(1, sweep.AlreadyDone);
        Assert.False(CountingExecutor.Trained.ContainsKey(runs[0].Key));
    }

    [Fact]
    public void A_sweep_on_bad_data_exits_2_and_writes_nothing()
    {
        string results = Directory.CreateTempSubdirectory("segalign-results-").FullName;
        string empty = Directory.CreateTempSubdirectory("segalign-nodata-").FullName;
        var result = Run("ablation", "run", "ifa", "--preset", "smoke", "--jobs", "1", "--set", "train.iterations=1", "--set", $"data.root={empty}", "--results", results);
        AssertBadInput(result, empty);
        Assert.Empty(Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_failed_run_leaves_no_folder_with_only_its_request_and_is_listed_with_its_reason()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var runs = TinyRuns().Take(1).ToList();
        var sweep = ExperimentRunner.Run(runs, store, new FailingExecutor(), 1, 1);
        var (run, error) = Assert.Single(sweep.Failures);
        Assert.Equal(runs[0].Key, run.Key);
        Assert.Contains("the data vanished", error);
        Assert.False(Directory.Exists(store.Folder(runs[0]).Path));
        Assert.True(sweep.BadInput);
    }

    sealed class FailingExecutor : IRunExecutor
    {
        public void Execute(PlannedRun run, RunFolder folder, int threads, CancellationToken cancellation)
        {
            Directory.CreateDirectory(folder.Path);
            File.WriteAllText(Path.Combine(folder.Path, "request.json"), "{}");
            throw new InputException("data.root", "the data vanished", "put it back");
        }
    }

    [Fact]
    public void Summaries_are_written_only_for_experiments_with_finished_runs()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var summaries = ExperimentResults.Collect("smoke", store, ["ifa"]);
        Assert.Empty(summaries.Single().Variants);
        Assert.False(File.Exists(Path.Combine(store.ExperimentFolder("ifa"), "summary.md")));
        Assert.False(File.Exists(Path.Combine(store.ExperimentFolder("ifa"), "summary.csv")));
    }

    [Theory]
    [InlineData(new[] { 480.0 }, null)]
    [InlineData(new[] { 480.0, 1.5 }, null)]
    [InlineData(new[] { 480.0, 1.5, 1.6 }, 1.5)]
    [InlineData(new[] { 1.4, 1.3 }, 1.3)]
    public void A_disturbed_latency_reading_is_measured_again_until_two_agree(double[] readings, double? settled)
    {
        Assert.Equal(settled, LatencyCache.Settled(readings));
    }

    [Fact]
    public void A_cached_latency_far_above_the_others_is_measured_again()
    {
        var cached = new Dictionary<string, double> { ["a"] = 1.3, ["b"] = 1.6, ["c"] = 480, ["d"] = 5.9 };
        Assert.Equal(["c"], LatencyCache.Implausible(cached));
        Assert.Empty(LatencyCache.Implausible(new Dictionary<string, double> { ["a"] = 4.9, ["b"] = 11.2, ["c"] = 5.3 }));
    }

    [Fact]
    public void Stored_latencies_keep_the_environment_each_was_measured_in_and_a_mix_is_named()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-latency-").FullName);
        const string oneThread = "cpu · AMD EPYC · 1 threads · .NET 10", twoThreads = "cpu · AMD EPYC · 2 threads · .NET 10";
        LatencyCache.Save(store, new Dictionary<string, LatencyEntry> { ["b"] = new(11.5, oneThread), ["a"] = new(6.25, twoThreads) });

        var loaded = LatencyCache.LoadEntries(store);
        Assert.Equal(new LatencyEntry(6.25, twoThreads), loaded["a"]);
        Assert.Equal(new LatencyEntry(11.5, oneThread), loaded["b"]);
        Assert.Equal(11.5, LatencyCache.Load(store)["b"]);
        Assert.Equal([oneThread, twoThreads], LatencyCache.MixedEnvironments(loaded));
        Assert.Empty(LatencyCache.MixedEnvironments(new Dictionary<string, LatencyEntry> { ["a"] = new(1, oneThread), ["b"] = new(2, oneThread) }));
    }

    [Fact]
    public void Latency_is_measured_for_configs_without_one_or_for_every_planned_config_when_remeasuring()
    {
        PlannedRun Run(string hash, int seed) => new("demo", "v-" + hash, seed, new RunConfig(), hash);
        var planned = new[] { Run("a", 0), Run("a", 1), Run("b", 0), Run("c", 0) };
        var stored = new Dictionary<string, LatencyEntry> { ["a"] = new(5, "x"), ["z"] = new(7, "x") };
        Assert.Equal(["b", "c"], LatencyCache.ToMeasure(stored, planned, remeasure: false).Select(r => r.Hash));
        Assert.Equal(["a", "b", "c"], LatencyCache.ToMeasure(stored, planned, remeasure: true).Select(r => r.Hash));
    }

    [Fact]
    public void Variants_may_be_separated_by_commas_and_seeds_must_be_the_experiments()
    {
        string results = Directory.CreateTempSubdirectory("segalign-results-").FullName;
        AssertBadInput(Run("ablation", "run", "ifa", "--preset", "smoke", "--seeds", "7", "--results", results), "--seeds", "7");
        AssertBadInput(Run("ablation", "run", "ifa", "--preset", "smoke", "--variants", "bilinear,nosuch", "--results", results), "'nosuch'");
        Assert.Empty(Directory.EnumerateFileSystemEntries(results));
        var (code, output, error) = Run("ablation", "run", "ifa", "--preset", "smoke", "--jobs", "1", "--seeds", "0", "--variants", "bilinear,ifa",
            "--set", "train.iterations=1", "--results", results);
        Assert.True(code == 0, error);
        Assert.Contains("2 distinct runs", output);
    }
}
