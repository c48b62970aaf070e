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
    /// and the variant's mean ± std beside them (black, on the right of the slot), in the variant's colour. A variant
    /// far from all the others (HFGD's high-only at 24 beside 45–49) would squash the rest into a line: the axis keeps
    /// the others' range, and the outlier is drawn as an arrow at the edge with its mean ± std written beside it.
    /// </summary>
    public static JsonObject PerSeed(IReadOnlyList<SeedValues> variants, string title, string yTitle)
    {
        var offScale = OffScale(variants).ToHashSet();
        var onScale = variants.Where(v => !offScale.Contains(v.Variant)).SelectMany(v => v.Values.Select(p => p.Value)).ToList();
        double[]? range = null;
        if (offScale.Count > 0 && onScale.Count > 0)
        {
            double pad = Math.Max(0.5, 0.12 * (onScale.Max() - onScale.Min()));
            range = [onScale.Min() - 2 * pad, onScale.Max() + pad];
            // A variant whose mean the others' range still holds is drawn as usual (with that range).
            offScale.RemoveWhere(name => variants.First(v => v.Variant == name).Mean is var m && m >= range[0] && m <= range[1]);
            if (offScale.Count == 0) range = null;
        }
        var traces = new List<Trace>();
        foreach (var (variant, slot) in variants.Select((v, i) => (v, i)))
        {
            if (offScale.Contains(variant.Variant))
            {
                bool below = variant.Mean < range![0];
                traces.Add(PlotlyKit.Trace("scatter", ("name", $"{variant.Variant} (off scale)"), ("mode", "markers+text"), ("showlegend", false),
                    ("x", PlotlyKit.Numbers([slot])), ("y", PlotlyKit.Numbers([below ? range[0] + 0.3 * (range[1] - range[0]) / 12 : range[1] - 0.3 * (range[1] - range[0]) / 12])),
                    ("text", new[] { string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{variant.Variant}: {variant.Mean:F2} ± {variant.Std:F2} (off scale)") }), ("textposition", below ? "top center" : "bottom center"),
                    ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(variant.Variant)), ("size", 14), ("symbol", below ? "triangle-down" : "triangle-up"))),
                    ("hovertemplate", $"{variant.Variant}: seeds {string.Join(", ", variant.Values.Select(p => p.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}<extra></extra>")));
                continue;
            }
            var offsets = PlotlyKit.Spread(variant.Values.Count, 0.18);
            traces.Add(PlotlyKit.Trace("scatter", ("name", variant.Variant), ("mode", "markers"), ("showlegend", false),
                ("x", PlotlyKit.Numbers(offsets.Select(o => slot - 0.12 + o))), ("y", PlotlyKit.Numbers(variant.Values.Select(p => p.Value))),
                ("text", variant.Values.Select(p => $"{variant.Variant}, seed {p.Seed}").ToArray()), ("hovertemplate", "%{text}: %{y:.2f}<extra></extra>"),
                ("marker", PlotlyKit.Object(("color", PlotlyKit.ColourOf(variant.Variant)), ("size", 9), ("opacity", 0.85),
                    ("line", PlotlyKit.Object(("color", "#ffffff"), ("width", 1)))))));
        }
        var shown = variants.Select((v, i) => (v, i)).Where(x => !offScale.Contains(x.v.Variant)).ToList();
        traces.Add(PlotlyKit.Trace("scatter", ("name", "mean ± std"), ("mode", "markers"),
            ("x", PlotlyKit.Numbers(shown.Select(x => x.i + 0.28))), ("y", PlotlyKit.Numbers(shown.Select(x => x.v.Mean))),
            ("error_y", ErrorBars(shown.Select(x => x.v.Std))), ("marker", PlotlyKit.Object(("color", "#222222"), ("symbol", "diamond"), ("size", 10))),
            ("text", shown.Select(x => x.v.Variant).ToArray()), ("hovertemplate", "%{text}: mean %{y:.2f}<extra></extra>")));
        var axis = PlotlyKit.Object(("tickmode", "array"), ("tickvals", Enumerable.Range(0, variants.Count).ToArray()),
            ("ticktext", variants.Select(v => v.Variant).ToArray()), ("range", new[] { -0.5, variants.Count - 0.5 }), ("zeroline", false));
        return Figure(PlotlyKit.Figure(traces, title, "variant (each dot one seed)", yTitle, xAxis: axis,
            yAxis: range is null ? null : PlotlyKit.Object(("range", range)),
            layout: ("legend", PlotlyKit.Object(("orientation", "h"), ("x", 1), ("xanchor", "right"), ("y", 1.02), ("yanchor", "bottom")))));
    }

    /// <summary>
    /// Variants whose mean lies more than max(3 points, 5 robust standard deviations of the variants' means) from their
    /// median: drawn off scale so the others keep a readable axis. Needs three variants to judge.
    /// </summary>
    internal static IReadOnlySet<string> OffScale(IReadOnlyList<SeedValues> variants)
    {
        var means = variants.Where(v => double.IsFinite(v.Mean)).ToList();
        if (means.Count < 3) return new HashSet<string>();
        double median = Median(means.Select(v => v.Mean));
        double spread = 1.4826 * Median(means.Select(v => Math.Abs(v.Mean - median)));
        double limit = Math.Max(3, 5 * spread);
        var off = means.Where(v => Math.Abs(v.Mean - median) > limit).Select(v => v.Variant).ToHashSet();
        return off.Count < means.Count / 2.0 ? off : new HashSet<string>();
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
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
