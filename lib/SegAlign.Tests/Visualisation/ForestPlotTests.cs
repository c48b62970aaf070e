using System.Text.Json.Nodes;
using Plotly.NET;
using SegAlign.Experiments;
using SegAlign.Tests.Data;
using SegAlign.Visualisation;

namespace SegAlign.Tests.Visualisation;

public class ForestPlotTests
{
    static ExperimentSummary Summary() => ExperimentSummary.From(ChartTests.Definition() with
    {
        Claims =
        [
            new ClaimDefinition { Variant = "better", Versus = "base", Paper = "better beats base" },
            new ClaimDefinition { Variant = "costly", Versus = "base", Metric = "gmacs", Direction = "higher", Paper = "costs more" },
        ],
        Diagnostics = [new DiagnosticDefinition { Variant = "costly", Versus = "base", Why = "control" }],
    }, "smoke", ChartTests.Rows(), 6);

    [Fact]
    public void The_forest_plot_draws_each_tested_claim_and_diagnostic_with_its_interval_the_zero_line_and_the_equivalence_band()
    {
        var summary = Summary();
        var figure = JsonNode.Parse(GenericChart.toFigureJson(Charts.Forest([summary])))!.AsObject();
        var labels = figure["data"]!.AsArray().SelectMany(t => t!["y"]!.AsArray().Select(y => y!.GetValue<string>())).ToList();
        Assert.Contains("better vs base (miou)", labels);
        Assert.Contains("costly vs base (miou)", labels);                 // the diagnostic
        Assert.DoesNotContain(labels, l => l.Contains("gmacs"));          // a cost has no interval to draw
        var claim = summary.Claims[0];
        var trace = figure["data"]!.AsArray().First(t => t!["y"]!.AsArray().Any(y => y!.GetValue<string>() == "better vs base (miou)"))!;
        Assert.Equal(Charts.VerdictColour(claim.Outcome.Kind), trace["marker"]!["color"]!.GetValue<string>());
        Assert.Equal(claim.Ours.CiHigh - claim.Ours.Delta, trace["error_x"]!["array"]![0]!.GetValue<double>(), 4);
        var shapes = figure["layout"]!["shapes"]!.AsArray();
        Assert.Contains(shapes, s => s!["type"]!.GetValue<string>() == "rect" && s["x0"]!.GetValue<double>() == -1 && s["x1"]!.GetValue<double>() == 1);
        Assert.Contains(shapes, s => s!["type"]!.GetValue<string>() == "line" && s["x0"]!.GetValue<double>() == 0);
    }

    [Fact]
    public void The_claims_page_and_the_readme_block_are_generated_from_the_summaries()
    {
        var summary = Summary();
        string table = ClaimsPage.Table("smoke", [summary]);
        Assert.Contains("| demo | better beats base | better vs base (miou) |", table);
        using var folder = new TempFolder();
        string readme = Path.Combine(folder.Path, "README.md");
        File.WriteAllText(readme, $"# Title\n\n{ClaimsPage.BlockStart("smoke")}\nold text\n{ClaimsPage.BlockEnd}\n\nafter\n");
        Assert.True(ClaimsPage.UpdateReadme(readme, "smoke", table));
        Assert.Equal(table.Trim(), ClaimsPage.ReadmeBlock(readme, "smoke"));
        Assert.EndsWith("after\n", File.ReadAllText(readme));
        Assert.False(ClaimsPage.UpdateReadme(readme, "smoke", table)); // idempotent
    }
}
