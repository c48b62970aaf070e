using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Tests.Notebooks;
using SegAlign.Training;

namespace SegAlign.Tests.Training;

/// <summary>
/// The committed results are keyed by config hash: moving or renaming a config type, or adding a setting,
/// must not change the hash of any committed run, or every result in results/ would be orphaned.
/// </summary>
public class CommittedHashTests
{
    public static TheoryData<string> CommittedRuns()
    {
        var data = new TheoryData<string>();
        string runs = Path.Combine(NotebookFolder.RepositoryRoot, "results", "full", "runs");
        // One run per hash: the seeds of a config share its hash.
        foreach (var folder in Directory.GetDirectories(runs).Where(d => d.EndsWith("-s0", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    [Theory]
    [MemberData(nameof(CommittedRuns))]
    public void A_committed_run_config_still_hashes_to_its_recorded_hash(string run)
    {
        string file = Path.Combine(NotebookFolder.RepositoryRoot, "results", "full", "runs", run, "config.json");
        var recorded = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var config = recorded["config"]!.Deserialize<RunConfig>(Json.Options)!;
        Assert.Equal((string)recorded["configHash"]!, config.Hash());
        Assert.StartsWith(config.Hash() + "-s", run);
    }

    [Fact]
    public void Every_committed_hash_is_pinned()
    {
        // Guards the theory above against silently checking nothing (e.g. a moved results folder).
        Assert.True(CommittedRuns().Count >= 10, $"expected the committed runs of results/full, found {CommittedRuns().Count}");
    }
}
