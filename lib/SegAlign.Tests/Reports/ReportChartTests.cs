using System.Text.Json.Nodes;
using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

/// <summary>Issue 30 item 2: per-seed plots keep the effect range readable when one variant sits far from the rest.</summary>
public class ReportChartTests
{
    static SeedValues Variant(string name, params double[] values) => new(name, values.Select((v, s) => (s, v)).ToList());

    [Fact]
    public void A_variant_far_below_the_rest_is_drawn_off_scale_and_the_axis_keeps_the_others_range()
    {
        var variants = new[]
        {
            Variant("fpn", 46.9, 47.3, 47.1), Variant("upsampler", 48.9, 48.5, 48.7), Variant("guided-sg", 45.1, 45.4, 45.3),
            Variant("high-only", 24.2, 24.5, 24.7),
        };
        Assert.Equal(["high-only"], ReportCharts.OffScale(variants));
        var figure = ReportCharts.PerSeed(variants, "mIoU per seed", "mIoU (%)");
        var range = figure["layout"]!["yaxis"]!["range"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.True(range[0] > 40 && range[1] < 52, $"axis {range[0]}..{range[1]} does not keep 45–49 readable");
        var arrow = figure["data"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "high-only (off scale)")!;
        Assert.Equal("triangle-down", arrow["marker"]!["symbol"]!.GetValue<string>());
        Assert.Contains("high-only: 24.47 ± 0.25 (off scale)", arrow["text"]![0]!.GetValue<string>());
        double y = arrow["y"]![0]!.GetValue<double>();
        Assert.InRange(y, range[0], range[1]);
    }

    [Fact]
    public void A_candidate_the_others_range_still_holds_is_drawn_as_usual()
    {
        // Means 45, 45, 45 and 40: 40 is far from the median by the robust rule, but the others' seeds span 38–52.
        var variants = new[] { Variant("a", 38, 45, 52), Variant("b", 44, 45, 46), Variant("c", 45, 45, 45), Variant("d", 39.5, 40, 40.5) };
        Assert.Equal(["d"], ReportCharts.OffScale(variants));
        var figure = ReportCharts.PerSeed(variants, "t", "y");
        Assert.Null(figure["layout"]!["yaxis"]!["range"]);
        Assert.DoesNotContain(figure["data"]!.AsArray(), t => t!["name"]!.GetValue<string>().EndsWith("(off scale)", StringComparison.Ordinal));
    }

    [Fact]
    public void Close_variants_share_one_automatic_axis()
    {
        var variants = new[] { Variant("bilinear", 34.8, 34.9, 34.6), Variant("fam", 36.4, 36.7, 36.3), Variant("fam-p4", 35.7, 34.9, 36.3) };
        Assert.Empty(ReportCharts.OffScale(variants));
        Assert.Null(ReportCharts.PerSeed(variants, "t", "y")["layout"]!["yaxis"]!["range"]);
    }
}
