using SegAlign.Platform;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>Where a preset's results live: results/&lt;preset&gt;/runs/&lt;hash&gt;-s&lt;seed&gt;/ plus tables and summaries.</summary>
public sealed class ResultsStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public static ResultsStore ForPreset(string preset, string? resultsFolder = null) =>
        new(Path.Combine(resultsFolder ?? Path.Combine(Presets.RepositoryRoot, "results"), preset));

    public RunFolder Folder(PlannedRun run) => new(SafePaths.Under(Root, "runs", run.Key));

    /// <summary>results/&lt;preset&gt;/&lt;experiment&gt;: the name must be a plain name, so nothing lands outside the store.</summary>
    public string ExperimentFolder(string experiment) =>
        SafePaths.Under(Root, SafePaths.PlainName(experiment, "experiment", "use the name of a file in experiments/ (without .json)"));

    public string RunsTable => Path.Combine(Root, "runs.csv");
}
