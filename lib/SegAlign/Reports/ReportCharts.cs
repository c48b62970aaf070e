using System.Text.Json.Nodes;
using Plotly.NET;
using SegAlign.Visualisation;

namespace SegAlign.Reports;

/// <summary>One variant's values over seeds (mIoU, or a class's IoU), with its label.</summary>
public sealed record SeedValues(string Variant, IReadOnlyList<(int Seed, double Value)> Values)
{
    public double Mean => Values.Count == 0 ? double.NaN : Values.Average(v => v.Value);
    public double Std => Experiments.Statistics.StdDev(Values.Select(v => v.Value).ToList());
}

/// <summary>
/// The experiment report's charts, built like every other SegAlign chart (<see cref="PlotlyKit"/>) and returned as
/// Plotly figures ({data, layout}) for <see cref="ReportPage.Chart"/>. Error bars are the sample standard deviation
/// over seeds (none for one seed).
/// </summary>
public static class ReportCharts
{
    /// <summary>Every seed's value per variant, and the variant's mean ± std beside them.</summary>
    public static JsonObject PerSeed(IReadOnlyList<SeedValues> variants, string title, string yTitle)
    {
        var points = variants.SelectMany(v => v.Values.Select(p => (v.Variant, p.Seed, p.Value))).ToList();
        var seeds = PlotlyKit.Trace("scatter", ("name", "one seed"), ("mode", "markers"),
            ("x", points.Select(p => p.Variant).ToArray()), ("y", PlotlyKit.Numbers(points.Select(p => p.Value))),
            ("text", points.Select(p => $"seed {p.Seed}").ToArray()), ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(0)))));
        var means = PlotlyKit.Trace("scatter", ("name", "mean ± std"), ("mode", "markers"),
            ("x", variants.Select(v => v.Variant).ToArray()), ("y", PlotlyKit.Numbers(variants.Select(v => v.Mean))),
            ("error_y", ErrorBars(variants.Select(v => v.Std))), ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(1)))));
        // Side by side within each variant's slot, so the error bar does not hide the seeds.
        return Figure(PlotlyKit.Figure([seeds, means], title, "variant", yTitle, layout: ("scattermode", "group")));
    }

    /// <summary>Cost against accuracy: one point per variant at its GMACs, mIoU mean ± std, labelled.</summary>
    public static JsonObject CostVersusAccuracy(IReadOnlyList<(string Variant, double GMacs, double Mean, double Std)> variants)
    {
        // The labels show on the points, not only on hover.
        var points = PlotlyKit.Trace("scatter", ("name", "variants"), ("mode", "markers+text"), ("textposition", "top center"),
            ("x", PlotlyKit.Numbers(variants.Select(v => v.GMacs))), ("y", PlotlyKit.Numbers(variants.Select(v => v.Mean))),
            ("text", variants.Select(v => v.Variant).ToArray()), ("error_y", ErrorBars(variants.Select(v => v.Std))),
            ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(0)))));
        return Figure(PlotlyKit.Figure([points], "Cost vs accuracy", "GMACs (one forward pass)", "mIoU (%)"));
    }

    /// <summary>Grouped columns: each class's IoU (mean ± std over seeds), one colour per variant.</summary>
    public static JsonObject PerClass(IReadOnlyList<string> classes, IReadOnlyList<(string Variant, IReadOnlyList<double> Means, IReadOnlyList<double> Stds)> variants)
    {
        var columns = variants.Select((v, i) => PlotlyKit.Trace("bar", ("name", v.Variant), ("x", classes.ToArray()),
            ("y", PlotlyKit.Numbers(v.Means)), ("error_y", ErrorBars(v.Stds)), ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(i))))));
        return Figure(PlotlyKit.Figure(columns, "Per-class IoU", "class", "IoU (%)", layout: ("barmode", "group")));
    }

    /// <summary>Error bars of the standard deviations, or none when every one is 0 or undefined (a single seed).</summary>
    static Dictionary<string, object>? ErrorBars(IEnumerable<double> std)
    {
        var values = std.Select(s => double.IsNaN(s) ? 0 : s).ToArray();
        return values.All(v => v == 0) ? null : PlotlyKit.ErrorBars(values.Select(v => (double?)v));
    }

    /// <summary>The figure JSON; the report lets the chart take the page's width.</summary>
    internal static JsonObject Figure(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        var layout = figure["layout"]!.AsObject();
        layout["height"] = 440;
        layout["autosize"] = true;
        return new JsonObject { ["data"] = figure["data"]!.DeepClone(), ["layout"] = layout.DeepClone() };
    }
}
