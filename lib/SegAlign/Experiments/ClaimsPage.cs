using System.Text;

namespace SegAlign.Experiments;

/// <summary>
/// The cross-paper "what held" table: every pre-registered claim of every experiment at a preset, with the paper's Δ, ours
/// with its interval over seeds and test images, and the verdict — generated from the summaries, never copied by hand.
/// Written to results/&lt;preset&gt;/claims.md; the README quotes it between its generated-block markers.
/// </summary>
public static class ClaimsPage
{
    public const string FileName = "claims.md";

    public static string BlockStart(string preset) => $"<!-- generated:claims {preset} -->";
    public const string BlockEnd = "<!-- /generated:claims -->";

    /// <summary>The table (with a line on completeness and the split), as Markdown.</summary>
    public static string Table(string preset, IReadOnlyList<ExperimentSummary> summaries)
    {
        var s = new StringBuilder();
        int missing = summaries.Sum(x => x.MissingRuns);
        var splits = summaries.Select(x => x.Split).Where(x => x.Length > 0).Distinct().ToList();
        s.AppendLine($"Every paper claim at preset `{preset}`{(splits.Count > 0 ? $", scored on the {string.Join("; ", splits)}" : "")}. " +
                     (missing > 0 ? $"**{missing} planned run(s) are still missing: verdicts of incomplete experiments are provisional.**" : "Every planned run is finished."))
         .AppendLine();
        s.AppendLine("| paper | claim | comparison | paper's Δ | ours: Δ [95 % interval over seeds and test images] | seeds | verdict |")
         .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var summary in summaries)
            foreach (var c in summary.Claims)
            {
                string ours = c.TwoLevel is { } t ? ComparisonText.Interval(t) : c.FormatOurs();
                s.AppendLine($"| {SummaryMarkdown.Cell(summary.Experiment.Name)} | {SummaryMarkdown.Cell(Shorten(c.Claim.Paper))} | " +
                             $"{SummaryMarkdown.Cell($"{c.Claim.Variant} vs {c.Claim.Versus} ({c.Claim.Metric})")} | {SummaryMarkdown.Cell(c.Claim.PaperResult is { } p ? $"{p.Delta:+0.##;-0.##} {p.Unit}" : "–")} | " +
                             $"{SummaryMarkdown.Cell(ours)} | {c.Ours.Pairs} | {SummaryMarkdown.Cell(c.Outcome.Word)} |");
            }
        s.AppendLine().AppendLine($"Per-experiment detail (reasons, diagnostics, naming vs localisation, power): `results/{preset}/<experiment>/summary.md`. Verdict rule: {Verdicts.Rule}");
        return s.ToString();
    }

    static string Shorten(string text) => text.Length <= 140 ? text : text[..137].TrimEnd() + "…";

    public static void Write(ResultsStore store, string preset, IReadOnlyList<ExperimentSummary> summaries) =>
        AtomicFile.WriteAllText(Path.Combine(store.Root, FileName), $"# Claims at preset `{preset}`\n\n" + Table(preset, summaries));

    /// <summary>Replaces the README's generated block for this preset (if it has one); returns whether the file changed.</summary>
    public static bool UpdateReadme(string readme, string preset, string table)
    {
        if (!File.Exists(readme)) return false;
        string text = File.ReadAllText(readme);
        int start = text.IndexOf(BlockStart(preset), StringComparison.Ordinal);
        if (start < 0) return false;
        int bodyStart = start + BlockStart(preset).Length;
        int end = text.IndexOf(BlockEnd, bodyStart, StringComparison.Ordinal);
        if (end < 0) throw new InputException(readme, $"has {BlockStart(preset)} without {BlockEnd}", "restore the end marker");
        string updated = text[..bodyStart] + "\n" + table.TrimEnd() + "\n" + text[end..];
        if (updated == text) return false;
        AtomicFile.WriteAllText(readme, updated);
        return true;
    }

    /// <summary>The README's generated block for the preset, or null when it has none.</summary>
    public static string? ReadmeBlock(string readme, string preset)
    {
        string text = File.ReadAllText(readme);
        int start = text.IndexOf(BlockStart(preset), StringComparison.Ordinal);
        if (start < 0) return null;
        int bodyStart = start + BlockStart(preset).Length;
        int end = text.IndexOf(BlockEnd, bodyStart, StringComparison.Ordinal);
        return end < 0 ? null : text[bodyStart..end].Trim();
    }
}
