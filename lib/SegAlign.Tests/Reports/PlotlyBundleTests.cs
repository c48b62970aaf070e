using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

/// <summary>Issue 30 item 7: reports inline the cartesian plotly.js build, pinned by hash, and say so where a figure needs more.</summary>
public class PlotlyBundleTests
{
    [Fact]
    public void The_inlined_bundle_is_the_pinned_npm_file_and_under_one_and_a_half_megabytes()
    {
        string readme = File.ReadAllText(Path.Combine(SegAlign.Experiments.Presets.RepositoryRoot, "lib", "SegAlign", "Reports", "Assets", "README.md"));
        string pinned = Regex.Match(readme, "[0-9a-f]{64}").Value;
        Assert.Equal(pinned, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PlotlyJs.Source))));
        Assert.Contains($"plotly-cartesian-{PlotlyJs.Version}.min.js", readme, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(PlotlyJs.Source), 500_000, 1_400_000);
    }

    [Fact]
    public void A_figure_with_a_trace_outside_the_bundle_says_so_in_place_and_ships_no_library_for_it()
    {
        var page = new ReportPage("t");
        page.Chart(new JsonObject { ["data"] = new JsonArray(new JsonObject { ["type"] = "scatter3d" }), ["layout"] = new JsonObject() }, "a 3-D cloud");
        string html = page.Render();
        Assert.Equal(0, page.ChartCount);
        Assert.Contains("scatter3d, which the report", html, StringComparison.Ordinal);
        Assert.Contains("a 3-D cloud", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-library", html, StringComparison.Ordinal);

        page.Chart(new JsonObject { ["data"] = new JsonArray(new JsonObject { ["type"] = "heatmap" }, new JsonObject()) });
        Assert.Equal(1, page.ChartCount);
    }
}
