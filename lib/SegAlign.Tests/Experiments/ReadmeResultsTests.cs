using System.Globalization;
using System.Text.RegularExpressions;
using SegAlign.Experiments;

namespace SegAlign.Tests.Experiments;

/// <summary>
/// The result and verdict tables of protocols v2 and v1 (moved from README to docs/results-v2.md and docs/results-v1.md)
/// are copied by hand from the committed summaries; these checks keep them from going stale when runs are added or rerun
/// (every figure they quote must be one a summary holds).
/// </summary>
public class ReadmeResultsTests
{
    static readonly string Root = Presets.RepositoryRoot;

    static string Ascii(string text) => text.Replace('\u2212', '-');

    static string F(double value, string format) =>
        value.ToString(format, CultureInfo.InvariantCulture).Replace('-', '\u2212');

    /// <summary>Every "mean ± std" and "Δ [low, high]" the committed summaries of a preset hold, formatted as README writes them.</summary>
    static HashSet<string> SummaryFigures(string preset)
    {
        var figures = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "results", preset), "summary.csv", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            var header = lines[0].Split(',').Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
            foreach (var line in lines.Skip(1))
            {
                var cells = line.Split(',');
                double? Cell(string name) => double.TryParse(cells[header[name]], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
                if (Cell("miou_mean") is { } miou && Cell("miou_std") is { } miouStd) figures.Add($"{F(miou, "F2")} ± {F(miouStd, "F2")}");
                if (Cell("boundary_f_mean") is { } boundary && Cell("boundary_f_std") is { } boundaryStd) figures.Add($"{F(boundary, "F2")} ± {F(boundaryStd, "F2")}");
                if (Cell("delta_miou") is { } delta && Cell("delta_ci_low") is { } low && Cell("delta_ci_high") is { } high)
                    figures.Add($"{F(delta, "+0.00;-0.00")} [{F(low, "+0.00;-0.00")}, {F(high, "+0.00;-0.00")}]");
            }
        }
        return figures;
    }

    static IEnumerable<string[]> ReadmeTableRows(string file, string from, string to)
    {
        string readme = File.ReadAllText(Path.Combine(Root, file));
        int start = readme.IndexOf(from, StringComparison.Ordinal);
        int end = start < 0 ? -1 : readme.IndexOf(to, start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{file} has lost its section '{from}' … '{to}'");
        return readme[start..end].Split('\n')
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| variant", StringComparison.Ordinal))
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray());
    }

    [Fact]
    public void The_readme_verdict_table_quotes_the_claims_as_the_committed_summaries_state_them()
    {
        string summaries = string.Join("\n", Directory.GetFiles(Path.Combine(Root, "results", "v2"), "summary.md", SearchOption.AllDirectories).Select(File.ReadAllText));
        var claim = new Regex(@"^([+\u2212]\d+\.\d\d \[[+\u2212]\d+\.\d\d, [+\u2212]\d+\.\d\d\]) \(([\d.]+), ([\d.]+)[;)](?:.*images (\[[+\u2212]\d+\.\d\d, [+\u2212]\d+\.\d\d\]))?");
        int checkedClaims = 0;
        var stale = new List<string>();
        foreach (var cells in ReadmeTableRows("docs/results-v2.md", "## What was confirmed", "What changed between the protocols"))
        {
            if (cells.Length < 3 || claim.Match(cells[2]) is not { Success: true } m) continue;
            checkedClaims++;
            string stated = $"{Ascii(m.Groups[1].Value)} (p={m.Groups[2].Value}, Holm {m.Groups[3].Value}";
            // A paper with one tested claim has no correction: its summary prints no Holm value, README repeats p.
            string uncorrected = $"{Ascii(m.Groups[1].Value)} (p={m.Groups[2].Value}, n=";
            bool found = summaries.Contains(stated, StringComparison.Ordinal) ||
                         (m.Groups[2].Value == m.Groups[3].Value && summaries.Contains(uncorrected, StringComparison.Ordinal));
            if (!found) stale.Add($"{cells[0]} / {cells[1]}: '{stated}'");
            if (m.Groups[4].Success && !summaries.Contains($"| {Ascii(m.Groups[4].Value)} |", StringComparison.Ordinal))
                stale.Add($"{cells[0]} / {cells[1]}: images {m.Groups[4].Value}");
        }
        Assert.True(checkedClaims >= 10, $"only {checkedClaims} claims of docs/results-v2.md's verdict table could be read");
        Assert.True(stale.Count == 0, "docs/results-v2.md's verdict table disagrees with results/v2/*/summary.md: " + string.Join("; ", stale) +
            ". Fix: copy Δ, p, Holm and the image interval from the summaries' claim tables.");
    }

    [Theory]
    [InlineData("v2", "docs/results-v2.md", "# Results — protocol v2", "## What was confirmed", 20)]
    [InlineData("v1", "docs/results-v1.md", "# Protocol v1 — `v1` preset", "## Verdicts", 7)]
    public void The_readme_result_tables_quote_only_figures_the_committed_summaries_hold(string preset, string file, string from, string to, int minimumRows)
    {
        var figures = SummaryFigures(preset);
        var rows = ReadmeTableRows(file, from, to).Where(row => row.Length >= 4 && row[1].Contains('±')).ToList();
        Assert.True(rows.Count >= minimumRows, $"{file}'s {preset} table has {rows.Count} rows; expected every variant of its experiments");
        var stale = new List<string>();
        foreach (var row in rows)
        {
            string variant = row[0];
            foreach (var cell in new[] { row[1], row[3] })
                if (!figures.Contains(cell)) stale.Add($"{variant}: '{cell}'");
            var delta = Regex.Match(row[2], @"^[+\u2212]\d+\.\d\d \[[+\u2212]\d+\.\d\d, [+\u2212]\d+\.\d\d\]");
            if (delta.Success && !figures.Contains(delta.Value)) stale.Add($"{variant}: '{delta.Value}'");
        }
        Assert.True(stale.Count == 0,
            $"{file}'s {preset} table quotes figures no summary in results/{preset} holds (stale after a rerun?): " + string.Join("; ", stale) +
            $". Fix: copy them from results/{preset}/<experiment>/summary.md (environment/segalign ablation summary <experiment> --preset {preset}).");
    }
}
