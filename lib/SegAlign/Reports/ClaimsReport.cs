using SegAlign.Experiments;
using SegAlign.Visualisation;

namespace SegAlign.Reports;

/// <summary>
/// The cross-paper page (results/&lt;preset&gt;/claims.html): one forest plot of every pre-registered claim, coloured by
/// verdict, and the generated "what held" table (the same text as claims.md and the README's generated block).
/// </summary>
public static class ClaimsReport
{
    public const string Name = "claims";

    public static string Write(string preset, ResultsStore store, string? outputPath = null)
    {
        var summaries = new List<ExperimentSummary>();
        int planned = 0;
        foreach (var name in ExperimentDefinition.Available(preset))
        {
            var definition = ExperimentDefinition.Load(name);
            if (definition.Claims.Count == 0) continue;
            var plan = ExperimentPlan.Resolve(definition, preset);
            planned += plan.Count;
            var rows = Directory.Exists(store.Root) ? ExperimentRunner.Rows(plan, store, LatencyCache.Load(store)) : [];
            if (rows.Count > 0) summaries.Add(ExperimentSummary.From(definition, preset, rows, plan.Count, ClaimRegistry.Changed(store, definition)));
        }
        if (summaries.Count == 0)
            throw new InputException(store.Root, $"holds no finished run of an experiment with claims at preset {preset}", $"run `segalign ablation run all --preset {preset}` first");
        var page = new ReportPage($"Claims — {preset}");
        page.Heading(1, $"What held: every paper claim at preset {preset}");
        page.Add("<p class=\"muted\">Per-paper reports: " + string.Join(" · ", summaries.Select(s => $"<a href=\"{Html.Escape(s.Experiment.Name)}/report.html\">{Html.Escape(s.Experiment.Name)}</a>")) + "</p>\n");
        page.Chart(ReportCharts.Forest(summaries),
            "Each claim's paired Δ with its 95 % interval over seeds and test images, coloured by verdict; the shaded band is the ±1 equivalence margin.");
        page.Add(ReportMarkdown.Render(ClaimsPage.Table(preset, summaries)));
        page.Add($"<p class=\"muted\">Reproduce: <code>environment/segalign ablation run all --preset {Html.Escape(preset)}</code>, then <code>environment/segalign report claims --preset {Html.Escape(preset)}</code>.</p>\n");
        string path = Path.GetFullPath(outputPath ?? Path.Combine(store.Root, "claims.html"));
        page.Save(path);
        return path;
    }
}
