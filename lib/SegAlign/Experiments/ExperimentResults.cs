using System.Text.Json.Nodes;
using TorchSharp;

namespace SegAlign.Experiments;

/// <summary>
/// Turns the run folders of a preset into tables: results/&lt;preset&gt;/runs.csv (every experiment, one row per
/// experiment × variant × seed) and results/&lt;preset&gt;/&lt;experiment&gt;/summary.md + summary.csv.
/// </summary>
public static class ExperimentResults
{
    /// <param name="warn">Told about another experiment's file that cannot be read (its rows are left out of runs.csv; the chosen experiments still get their tables).</param>
    public static IReadOnlyList<ExperimentSummary> Collect(string preset, ResultsStore store, IEnumerable<string>? experiments = null,
        IReadOnlyDictionary<string, JsonNode?>? overrides = null, Action<string>? warn = null)
    {
        var names = (experiments ?? ExperimentDefinition.Available(preset)).ToList();
        var definitions = names.Select(ExperimentDefinition.Load).ToList();
        var plans = definitions.ToDictionary(d => d.Name, d => ExperimentPlan.Resolve(d, preset, overrides));
        var latency = LatencyCache.Load(store);
        var allRows = new List<RunRow>();
        var summaries = new List<ExperimentSummary>();
        foreach (var definition in definitions)
        {
            var rows = ExperimentRunner.Rows(plans[definition.Name], store, latency);
            allRows.AddRange(rows);
            var summary = ExperimentSummary.From(definition, preset, rows, plans[definition.Name].Count);
            summaries.Add(summary);
            if (rows.Count == 0) continue; // no empty summary files: nothing finished, nothing to tabulate
            string folder = store.ExperimentFolder(definition.Name);
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(Path.Combine(folder, "summary.md"), summary.ToMarkdown());
            ResultsTable.Save(summary.ToDataFrame(), Path.Combine(folder, "summary.csv"));
        }
        // runs.csv always covers every experiment of the preset, so collecting one experiment never drops another's rows.
        if (experiments is not null)
        {
            foreach (var other in ExperimentDefinition.Available(preset).Except(names))
            {
                try
                {
                    allRows.AddRange(ExperimentRunner.Rows(ExperimentPlan.Resolve(ExperimentDefinition.Load(other), preset, overrides), store, latency));
                }
                catch (InputException e)
                {
                    warn?.Invoke($"warning: runs.csv leaves out {other}: {e.Message}");
                }
            }
        }
        if (allRows.Count > 0) ResultsTable.Save(ResultsTable.Build(allRows.OrderBy(r => r.Run.Experiment).ThenBy(r => r.Run.Variant).ThenBy(r => r.Run.Seed).ToList()), store.RunsTable);
        return summaries;
    }
}
