using System.Globalization;
using Plotly.NET;
using SegAlign.Experiments;
using static SegAlign.Visualisation.PlotlyKit;

namespace SegAlign.Visualisation;

/// <summary>A variant as a point: its cost, and its metric's mean ± std over <see cref="Seeds"/> seeds.</summary>
public sealed record CostPoint(string Label, double Cost, double Mean, double Std, int Seeds);

/// <summary>Which variants no other beats on both accuracy and cost.</summary>
public static class Pareto
{
    /// <summary>
    /// Indices of the points on the Pareto front (higher mean, lower cost): a point is on it when no other point
    /// has cost ≤ and mean ≥ with at least one strict. Points with a missing (NaN) cost or mean take no part.
    /// </summary>
    public static IReadOnlyList<int> Front(IReadOnlyList<CostPoint> points)
    {
        bool Valid(CostPoint p) => double.IsFinite(p.Cost) && double.IsFinite(p.Mean);
        var front = new List<int>();
        for (int i = 0; i < points.Count; i++)
        {
            if (!Valid(points[i])) continue;
            bool dominated = points.Where(Valid).Any(q =>
                q.Cost <= points[i].Cost && q.Mean >= points[i].Mean && (q.Cost < points[i].Cost || q.Mean > points[i].Mean));
            if (!dominated) front.Add(i);
        }
        return front.OrderBy(i => points[i].Cost).ToList();
    }
}

/// <summary>
/// The Plotly charts of the ablation results (every chart has a title and axis titles, and no template, so its JSON
/// is small): per-class IoU, variant metrics, accuracy against cost with the Pareto front.
/// </summary>
public static partial class Charts
{
    /// <summary>
    /// Grouped bars: one group per class, one bar per variant at its mean IoU over seeds, error bars ± the sample
    /// std (when there are two seeds or more). Classes absent from the validation set are left out.
    /// </summary>
    public static GenericChart PerClassIoU(IReadOnlyList<RunRow> rows, IReadOnlyList<string>? variants = null, string? title = null)
    {
        if (rows.Count == 0) return Message(title ?? "Per-class IoU", "class", "IoU (%)", "no finished runs yet");
        var order = variants ?? rows.Select(r => r.Run.Variant).Distinct().ToList();
        // Classes no run could score (absent from the validation split and never predicted) are left out.
        var classes = rows[0].Metrics.Classes.Select(c => c.Name)
            .Where(name => rows.Any(r => r.Metrics.Classes.FirstOrDefault(c => c.Name == name)?.IoU is not null)).ToList();
        var traces = new List<Trace>();
        foreach (var (variant, index) in order.Select((v, i) => (v, i)))
        {
            var runs = rows.Where(r => r.Run.Variant == variant).ToList();
            if (runs.Count == 0) continue;
            var stats = classes.Select(name => Stat.Of(runs.Select(r => r.Metrics.Classes.FirstOrDefault(c => c.Name == name)?.IoU)
                .Where(v => v is not null).Select(v => v!.Value).ToList())).ToList();
            traces.Add(Trace("bar", ("name", variant), ("x", classes), ("y", Numbers(stats.Select(s => (double?)s.Mean))),
                ("error_y", ErrorBars(stats.Select(s => (double?)s.Std))), ("marker", Object(("color", ColourOf(variant)))),
                ("text", stats.Select(s => s.Format("F1") + $" (n={s.N})").ToArray()), ("textposition", "none"),
                ("hovertemplate", "%{fullData.name}<br>%{x}: %{text}<extra></extra>")));
        }
        return Figure(traces, title ?? $"Per-class IoU (mean ± std over seeds, {rows[0].Run.Experiment} at {Describe(rows)})", "class", "IoU (%)",
            layout: [("barmode", "group"), ("legend", Object(("title", Title("variant"))))]);
    }

    /// <summary>Each variant's mIoU, boundary F and trimap mIoU (mean ± std over seeds) as grouped bars.</summary>
    public static GenericChart VariantMetrics(ExperimentSummary summary, string? title = null)
    {
        if (summary.Variants.Count == 0) return Message(title ?? summary.Experiment.Title, "variant", "%", "no finished runs yet");
        var names = summary.Variants.Select(v => v.Variant).ToArray();
        var metrics = new (string Name, Func<VariantSummary, Stat> Of)[]
        {
            ("mIoU", v => v.MeanIoU), ("boundary F", v => v.BoundaryF), ($"{summary.TrimapColumn} mIoU", v => v.Trimap),
        };
        var traces = metrics.Select((m, i) => Trace("bar", ("name", m.Name), ("x", names),
            ("y", Numbers(summary.Variants.Select(v => (double?)m.Of(v).Mean))), ("error_y", ErrorBars(summary.Variants.Select(v => (double?)m.Of(v).Std))),
            ("marker", Object(("color", MetricPalette[i % MetricPalette.Length]))), ("text", summary.Variants.Select(v => m.Of(v).Format() + $" (n={m.Of(v).N})").ToArray()),
            ("textposition", "none"), ("hovertemplate", "%{x}<br>%{fullData.name}: %{text}<extra></extra>")));
        return Figure(traces, title ?? $"{summary.Experiment.Title} — preset {summary.Preset}", "variant", "score (%), mean ± std over seeds",
            layout: [("barmode", "group")]);
    }

    /// <summary>Multiply-accumulates of one forward pass per variant (bars), with the parameter count on hover.</summary>
    public static GenericChart Cost(ExperimentSummary summary, string? title = null)
    {
        if (summary.Variants.Count == 0) return Message(title ?? "Cost", "variant", "GMACs", "no finished runs yet");
        var trace = Trace("bar", ("x", summary.Variants.Select(v => v.Variant).ToArray()), ("y", Numbers(summary.Variants.Select(v => v.GMacs))),
            ("marker", Object(("color", summary.Variants.Select(v => ColourOf(v.Variant)).ToArray()))), ("showlegend", false),
            ("text", summary.Variants.Select(v => Invariant($"{v.GMacs:F3} GMACs, {v.Parameters / 1e6:F2} M parameters")).ToArray()),
            ("textposition", "none"), ("hovertemplate", "%{x}<br>%{text}<extra></extra>"));
        return Figure([trace], title ?? $"Cost of one forward pass — {summary.Experiment.Name}, preset {summary.Preset}", "variant", "GMACs per image");
    }

    /// <summary>mIoU against GMACs per variant (error bars ± std over seeds), the Pareto front highlighted and joined.</summary>
    public static GenericChart MiouVsGmacs(ExperimentSummary summary, string? title = null) =>
        AccuracyVsCost(summary.Variants.Select(v => new CostPoint(v.Variant, v.GMacs, v.MeanIoU.Mean, v.MeanIoU.Std, v.MeanIoU.N)).ToList(),
            "GMACs per image (one forward pass)", title ?? $"mIoU vs multiply-adds — {summary.Experiment.Name}, preset {summary.Preset}");

    /// <summary>mIoU against measured inference latency; variants without a measurement are left out (and said to be).</summary>
    public static GenericChart MiouVsLatency(ExperimentSummary summary, string? title = null)
    {
        var points = summary.Variants.Where(v => v.LatencyMs is not null)
            .Select(v => new CostPoint(v.Variant, v.LatencyMs!.Value, v.MeanIoU.Mean, v.MeanIoU.Std, v.MeanIoU.N)).ToList();
        string chartTitle = title ?? $"mIoU vs latency — {summary.Experiment.Name}, preset {summary.Preset}";
        if (points.Count == 0)
            return Message(chartTitle, "latency (ms, median, batch 1)", "mIoU (%)", "no latency measured yet: segalign bench --latency-for <experiment> --preset <preset>");
        return AccuracyVsCost(points, "latency (ms, median of 30, batch 1)", chartTitle);
    }

    /// <summary>
    /// Accuracy against a cost: every variant its own trace in its decoder's colour (named in the legend, so no label
    /// sits on the plot to collide with another), with its std error bar; the Pareto-optimal points (no other is both
    /// cheaper and better) joined by a dashed line and drawn filled, the dominated ones as open circles.
    /// </summary>
    public static GenericChart AccuracyVsCost(IReadOnlyList<CostPoint> points, string costTitle, string title, string accuracyTitle = "mIoU (%), mean ± std over seeds")
    {
        if (points.Count == 0) return Message(title, costTitle, accuracyTitle, "no finished runs yet");
        var front = Pareto.Front(points);
        var traces = new List<Trace>();
        if (front.Count > 1)
            traces.Add(Trace("scatter", ("name", "Pareto front"), ("mode", "lines"), ("x", Numbers(front.Select(i => points[i].Cost))),
                ("y", Numbers(front.Select(i => points[i].Mean))), ("line", Object(("color", "#333333"), ("dash", "dash"), ("width", 1.5))),
                ("hoverinfo", "skip")));
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            bool optimal = front.Contains(i);
            string colour = ColourOf(p.Label);
            traces.Add(Trace("scatter", ("name", optimal ? p.Label : $"{p.Label} (dominated)"), ("mode", "markers"),
                ("x", Numbers([p.Cost])), ("y", Numbers([p.Mean])), ("error_y", ErrorBars([(double?)p.Std])),
                ("marker", Object(("color", colour), ("size", 12), ("symbol", optimal ? "circle" : "circle-open"), ("line", Object(("color", colour), ("width", 2))))),
                ("customdata", new[] { Invariant($"{p.Mean:F2} ± {(double.IsNaN(p.Std) ? "–" : p.Std.ToString("F2", CultureInfo.InvariantCulture))} (n={p.Seeds})") }),
                ("hovertemplate", $"{p.Label}<br>cost %{{x:.4g}}<br>%{{customdata}}<extra></extra>")));
        }
        return Figure(traces, title, costTitle, accuracyTitle, layout: [("legend", Object(("title", Title("variant"))))]);
    }

    static string Describe(IReadOnlyList<RunRow> rows)
    {
        var seeds = rows.Select(r => r.Run.Seed).Distinct().Count();
        return $"{seeds} seed{(seeds == 1 ? "" : "s")}";
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
