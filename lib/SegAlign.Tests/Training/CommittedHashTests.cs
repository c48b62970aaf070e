using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Tests.Notebooks;
using SegAlign.Training;

namespace SegAlign.Tests.Training;

/// <summary>
/// The committed results are keyed by config hash: moving or renaming a config type, or adding a setting,
/// must not change the hash of any committed run, or every result in results/ would be orphaned.
/// </summary>
public class CommittedHashTests
{
    /// <summary>Each committed results folder and the preset that plans its runs: results/pilot was run under the
    /// name the full preset had before protocol v2 became `full`, so its runs must still be full's configs.</summary>
    static readonly (string Folder, string Preset)[] CommittedFolders = [("v1", "v1"), ("v2", "v2"), ("pilot", "v2"), ("full", "full")];

    static IEnumerable<(string Folder, string Preset)> Existing() =>
        CommittedFolders.Where(f => File.Exists(Path.Combine(NotebookFolder.RepositoryRoot, "results", f.Folder, "runs.csv")));

    public static TheoryData<string, string> CommittedRuns()
    {
        var data = new TheoryData<string, string>();
        foreach (var (folder, _) in Existing())
        {
            string runs = Path.Combine(NotebookFolder.RepositoryRoot, "results", folder, "runs");
            // One run per hash: the seeds of a config share its hash.
            foreach (var run in Directory.GetDirectories(runs).Where(d => d.EndsWith("-s0", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                data.Add(folder, Path.GetFileName(run));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CommittedRuns))]
    public void A_committed_run_config_still_hashes_to_its_recorded_hash(string folder, string run)
    {
        string file = Path.Combine(NotebookFolder.RepositoryRoot, "results", folder, "runs", run, "config.json");
        var recorded = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var config = recorded["config"]!.Deserialize<RunConfig>(Json.Options)!;
        Assert.Equal((string)recorded["configHash"]!, config.Hash());
        Assert.StartsWith(config.Hash() + "-s", run);
    }

    [Fact]
    public void Every_committed_hash_is_pinned()
    {
        // Guards the theory above against silently checking nothing (e.g. a moved results folder).
        Assert.True(CommittedRuns().Count(r => (string)r[0] == "v1") >= 10, $"expected the committed runs of results/v1, found {CommittedRuns().Count}");
    }

    public static TheoryData<string, string, string, string> CommittedVariants()
    {
        // results/pilot and results/full share configs: one case per distinct (preset, experiment, variant, hash).
        var cases = new HashSet<(string, string, string, string)>();
        foreach (var (folder, preset) in Existing())
        {
            var lines = File.ReadAllLines(Path.Combine(NotebookFolder.RepositoryRoot, "results", folder, "runs.csv"));
            var header = lines[0].Split(',');
            int experiment = Array.IndexOf(header, "experiment"), variant = Array.IndexOf(header, "variant"), hash = Array.IndexOf(header, "config_hash");
            foreach (var row in lines.Skip(1).Select(l => l.Split(',')).DistinctBy(r => (r[experiment], r[variant])))
                cases.Add((preset, row[experiment], row[variant], row[hash]));
        }
        var data = new TheoryData<string, string, string, string>();
        foreach (var (preset, experiment, variant, hash) in cases.Order()) data.Add(preset, experiment, variant, hash);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommittedVariants))]
    public void An_experiment_still_plans_the_committed_config_of_each_variant(string preset, string experiment, string variant, string hash)
    {
        // Guards the experiment definitions and decoder defaults: a changed default would silently re-key the run.
        var planned = ExperimentPlan.Resolve(ExperimentDefinition.Load(experiment), preset, seeds: [0], variants: [variant]).Single();
        Assert.Equal(hash, planned.Hash);
    }

    public static TheoryData<string, int, bool, string> CommittedBenchRows()
    {
        // The same row appears in the 1- and 2-thread CSVs: one case per distinct (decoder, size, precision, hash).
        var rows = new HashSet<(string, int, bool, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(NotebookFolder.RepositoryRoot, "results", "v1", "bench"), "*.csv"))
            foreach (var row in File.ReadAllLines(file).Skip(1).Select(l => l.Split(',')))
                rows.Add((row[0], int.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture), file.EndsWith("_bf16.csv", StringComparison.Ordinal), row[1]));
        var data = new TheoryData<string, int, bool, string>();
        foreach (var (decoder, size, bf16, hash) in rows) data.Add(decoder, size, bf16, hash);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommittedBenchRows))]
    public void Bench_still_measures_the_committed_config_of_each_decoder(string decoder, int size, bool bf16, string hash)
    {
        // `bench --precision bf16` writes *_bf16.csv and times the same config with train.precision = bf16.
        var config = ExperimentPlan.ConfigForDecoder(decoder, "v1", size);
        if (bf16) config = config with { Train = config.Train with { Precision = TrainPrecision.Bf16 } };
        Assert.Equal(hash, config.Hash());
    }
}
