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
        // Every experiment resolved here once, for the claims page's account of what is still missing.
        var resolved = definitions.Select(d => (Definition: d, Plan: plans[d.Name])).ToList();
        var allRows = new List<RunRow>();
        var summaries = new List<ExperimentSummary>();
        foreach (var definition in definitions)
        {
            var rows = ExperimentRunner.Rows(plans[definition.Name], store, latency);
            allRows.AddRange(rows);
            var summary = ExperimentSummary.From(definition, preset, rows, plans[definition.Name].Count, ClaimRegistry.Changed(store, definition));
            summaries.Add(summary);
            if (rows.Count == 0) continue; // no empty summary files: nothing finished, nothing to tabulate
            string folder = store.ExperimentFolder(definition.Name);
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(Path.Combine(folder, "summary.md"), summary.ToMarkdown());
            ResultsTable.Save(summary.ToDataFrame(), Path.Combine(folder, "summary.csv"));
        }
        // runs.csv and the claims page always cover every experiment of the preset, so collecting one experiment never drops another's rows.
        var pageSummaries = new List<ExperimentSummary>(summaries);
        if (experiments is not null)
        {
            foreach (var other in ExperimentDefinition.Available(preset).Except(names))
            {
                try
                {
                    var definition = ExperimentDefinition.Load(other);
                    var plan = ExperimentPlan.Resolve(definition, preset, overrides);
                    resolved.Add((definition, plan));
                    var rows = ExperimentRunner.Rows(plan, store, latency);
                    allRows.AddRange(rows);
                    if (rows.Count > 0 && definition.Claims.Count > 0)
                        pageSummaries.Add(ExperimentSummary.From(definition, preset, rows, plan.Count, ClaimRegistry.Changed(store, definition)));
                }
                catch (InputException e)
                {
                    warn?.Invoke($"warning: runs.csv leaves out {other}: {e.Message}");
                }
            }
        }
        var withClaims = pageSummaries.Where(x => x.Claims.Count > 0).OrderBy(x => x.Experiment.Name, StringComparer.Ordinal).ToList();
        if (withClaims.Count > 0 && overrides is not { Count: > 0 })
        {
            // Every experiment with claims whose runs are not all in: the page names them instead of reading as complete.
            var pending = new List<(string, int, int)>();
            foreach (var (definition, plan) in resolved.Where(r => r.Definition.Claims.Count > 0).OrderBy(r => r.Definition.Name, StringComparer.Ordinal))
            {
                var keys = plan.GroupBy(r => r.Key).Select(g => g.First()).ToList();
                int finished = keys.Count(r => store.Folder(r).IsComplete);
                if (finished < keys.Count) pending.Add((definition.Name, finished, keys.Count));
            }
            ClaimsPage.Write(store, preset, withClaims, pending);
            // The README quotes the repository's own results only (not a --results folder elsewhere).
            if (Path.GetFullPath(store.Root) == Path.GetFullPath(ResultsStore.ForPreset(preset).Root))
                ClaimsPage.UpdateReadme(Path.Combine(Presets.RepositoryRoot, "README.md"), preset, ClaimsPage.Table(preset, withClaims, pending));
        }
        if (allRows.Count > 0) ResultsTable.Save(ResultsTable.Build(allRows.OrderBy(r => r.Run.Experiment).ThenBy(r => r.Run.Variant).ThenBy(r => r.Run.Seed).ToList()), store.RunsTable);
        return summaries;
    }
}
