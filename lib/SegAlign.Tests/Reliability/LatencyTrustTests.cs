using SegAlign.Experiments;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 rows 6 and 7: a latency far above its sibling variants' is a busy machine's reading, measured again and
/// never kept as final; `bench --latency-for --results X` writes X's latency.csv, which the tables of X read.
/// </summary>
public class LatencyTrustTests
{
    [Fact]
    public void A_variant_far_above_its_siblings_is_implausible_though_the_global_filter_keeps_it()
    {
        // fam-p2 at 56.1 ms beside siblings at 6.1–6.8 ms, in a cache that also holds another experiment's slower configs.
        var cached = new Dictionary<string, double> { ["bilinear"] = 6.1, ["fam"] = 6.8, ["fam-p4"] = 6.5, ["fam-p2"] = 56.1, ["x1"] = 20, ["x2"] = 25, ["x3"] = 30 };
        Assert.Empty(LatencyCache.Implausible(cached));   // under 10× the median of everything
        string[][] groups = [["bilinear", "fam", "fam-p4", "fam-p2"], ["x1", "x2", "x3"]];
        Assert.Equal(["fam-p2"], LatencyCache.ImplausibleAmongSiblings(cached, groups));
        // Committed spreads stay plausible: the slowest full-preset variant is 3.7× the others' median.
        Assert.Empty(LatencyCache.ImplausibleAmongSiblings(new Dictionary<string, double> { ["a"] = 10.9, ["b"] = 11.0, ["c"] = 40.6 }, [["a", "b", "c"]]));
    }

    [Fact]
    public void Bench_latency_honours_results_and_does_not_keep_a_busy_reading()
    {
        using var repository = new TempRepository();
        string results = Path.Combine(repository.Root, "elsewhere");
        var store = ResultsStore.ForPreset("smoke", results);
        var planned = ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", seeds: [0]);
        var hashes = planned.Select(r => r.Hash).Distinct().ToList();
        string busy = hashes[^1];
        var cached = hashes.Select((h, i) => (h, new LatencyEntry(h == busy ? 56.1 : 6.1 + 0.1 * i, "test"))).ToDictionary(p => p.h, p => p.Item2);
        LatencyCache.Save(store, cached);

        var result = Run("bench", "--latency-for", "sfnet", "--preset", "smoke", "--results", results, "--threads", "1");
        Assert.True(result.Code == 0, result.Error + result.Out);
        Assert.False(File.Exists(Path.Combine(repository.Results, "smoke", "latency.csv")));   // not the repository's
        var stored = LatencyCache.LoadEntries(store);
        Assert.True(!stored.TryGetValue(busy, out var entry) || entry.Ms != 56.1, "the busy reading was kept");
        Assert.All(hashes.Where(h => h != busy), h => Assert.Equal(cached[h], stored[h]));
    }
}
