using System.Text.Json.Nodes;
using Plotly.NET;
using SegAlign.Experiments;
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
    /// <summary>
    /// Every seed's value per variant, spread sideways within the variant's slot so seeds with equal values all show,
    /// and the variant's mean ± std beside them (black, on the right of the slot), in the variant's colour.
    /// </summary>
    public static JsonObject PerSeed(IReadOnlyList<SeedValues> variants, string title, string yTitle)
    {
        var traces = new List<Trace>();
        foreach (var (variant, slot) in variants.Select((v, i) => (v, i)))
        {
            var offsets = PlotlyKit.Spread(variant.Values.Count, 0.18);
            traces.Add(PlotlyKit.Trace("scatter", ("name", variant.Variant), ("mode", "markers"), ("showlegend", false),
                ("x", PlotlyKit.Numbers(offsets.Select(o => slot - 0.12 + o))), ("y", PlotlyKit.Numbers(variant.Values.Select(p => p.Value))),
                ("text", variant.Values.Select(p => $"{variant.Variant}, seed {p.Seed}").ToArray()), ("hovertemplate", "%{text}: %{y:.2f}<extra></extra>"),
                ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(variant.Variant)), ("size", 9), ("opacity", 0.85),
                    ("line", PlotlyKit.Object(("color", "#ffffff"), ("width", 1)))))));
        }
        traces.Add(PlotlyKit.Trace("scatter", ("name", "mean ± std"), ("mode", "markers"),
            ("x", PlotlyKit.Numbers(variants.Select((_, i) => i + 0.28))), ("y", PlotlyKit.Numbers(variants.Select(v => v.Mean))),
            ("error_y", ErrorBars(variants.Select(v => v.Std))), ("marker", PlotlyKit.Object(("color", "#222222"), ("symbol", "diamond"), ("size", 10))),
            ("text", variants.Select(v => v.Variant).ToArray()), ("hovertemplate", "%{text}: mean %{y:.2f}<extra></extra>")));
        var axis = PlotlyKit.Object(("tickmode", "array"), ("tickvals", Enumerable.Range(0, variants.Count).ToArray()),
            ("ticktext", variants.Select(v => v.Variant).ToArray()), ("range", new[] { -0.5, variants.Count - 0.5 }), ("zeroline", false));
        return Figure(PlotlyKit.Figure(traces, title, "variant (each dot one seed)", yTitle, xAxis: axis,
            layout: ("legend", PlotlyKit.Object(("orientation", "h"), ("x", 1), ("xanchor", "right"), ("y", 1.02), ("yanchor", "bottom")))));
    }

    /// <summary>Cost against accuracy, as <see cref="Charts.AccuracyVsCost"/> draws it everywhere: one legend entry per
    /// variant in its colour, the Pareto front joined.</summary>
    public static JsonObject CostVersusAccuracy(IReadOnlyList<CostPoint> variants) =>
        Figure(Charts.AccuracyVsCost(variants, "GMACs (one forward pass)", "Cost vs accuracy", "mIoU (%), mean ± std over seeds"));

    /// <summary>
    /// Per-class difference plot: for each variant, each class's paired Δ IoU against the baseline (mean over shared seeds)
    /// with its 95 % Student-t interval, as dots around a zero line — the differences are a point or two, invisible on 0–100 bars.
    /// </summary>
    public static JsonObject PerClassDelta(IReadOnlyList<string> classes, string baseline, IReadOnlyList<(string Variant, IReadOnlyList<Comparison?> Deltas)> variants)
    {
        var offsets = PlotlyKit.Spread(variants.Count, 0.3);
        var traces = variants.Select((v, i) => PlotlyKit.Trace("scatter", ("name", v.Variant), ("mode", "markers"),
            ("x", classes.Select((_, c) => c + offsets[i]).ToArray()),
            ("y", PlotlyKit.Numbers(v.Deltas.Select(d => d?.Delta))),
            ("error_y", PlotlyKit.Object(("type", "data"), ("symmetric", false), ("visible", true), ("thickness", 1.5), ("width", 3),
                ("array", PlotlyKit.Numbers(v.Deltas.Select(d => d is { HasInterval: true } x ? x.CiHigh - x.Delta : (double?)null))),
                ("arrayminus", PlotlyKit.Numbers(v.Deltas.Select(d => d is { HasInterval: true } x ? x.Delta - x.CiLow : (double?)null))))),
            ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(v.Variant)), ("size", 8))),
            ("text", classes.ToArray()), ("hovertemplate", "%{fullData.name} − " + baseline + "<br>%{text}: %{y:+.2f}<extra></extra>")));
        var zero = PlotlyKit.Object(("type", "line"), ("xref", "paper"), ("x0", 0), ("x1", 1), ("y0", 0), ("y1", 0), ("line", PlotlyKit.Object(("color", "#333333"), ("width", 1))));
        return Figure(PlotlyKit.Figure(traces, $"Per-class IoU difference vs {baseline}", "class", $"IoU difference (points) vs {baseline}, 95 % CI over seeds",
            xAxis: PlotlyKit.Object(("tickmode", "array"), ("tickvals", Enumerable.Range(0, classes.Count).Select(c => (double)c).ToArray()), ("ticktext", classes.ToArray())),
            layout: ("shapes", new object[] { zero })));
    }

    /// <summary>Error bars of the standard deviations, or none when every one is 0 or undefined (a single seed).</summary>
    static Dictionary<string, object>? ErrorBars(IEnumerable<double> std)
    {
        var values = std.Select(s => double.IsNaN(s) ? 0 : s).ToArray();
        return values.All(v => v == 0) ? null : PlotlyKit.ErrorBars(values.Select(v => (double?)v));
    }

    /// <summary>The verdicts as a forest plot, at the height its rows need.</summary>
    public static JsonObject Forest(IReadOnlyList<ExperimentSummary> summaries)
    {
        var chart = Charts.Forest(summaries);
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        figure["layout"]!.AsObject()["autosize"] = true;
        return new JsonObject { ["data"] = figure["data"]!.DeepClone(), ["layout"] = figure["layout"]!.DeepClone() };
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
