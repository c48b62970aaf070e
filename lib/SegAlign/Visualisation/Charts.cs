using System.Globalization;
using Plotly.NET;
using SegAlign.Experiments;
using static SegAlign.Visualisation.PlotlyKit;

namespace SegAlign.Visualisation;

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
        AccuracyVsCost(summary.Variants.Select(v => CostPoint.Of(v, v.GMacs)).ToList(),
            "GMACs per image (one forward pass)", title ?? $"mIoU vs multiply-adds — {summary.Experiment.Name}, preset {summary.Preset}");

    /// <summary>mIoU against measured inference latency; variants without a measurement are left out (and said to be).</summary>
    public static GenericChart MiouVsLatency(ExperimentSummary summary, string? title = null)
    {
        var points = summary.Variants.Where(v => v.LatencyMs is not null).Select(v => CostPoint.Of(v, v.LatencyMs!.Value)).ToList();
        string chartTitle = title ?? $"mIoU vs latency — {summary.Experiment.Name}, preset {summary.Preset}";
        if (points.Count == 0)
            return Message(chartTitle, "latency (ms, median, batch 1)", "mIoU (%)", "no latency measured yet: segalign bench --latency-for <experiment> --preset <preset>");
        return AccuracyVsCost(points, "latency (ms, median of 30, batch 1)", chartTitle);
    }

    /// <summary>
    /// Accuracy against a cost: every variant its own trace in its decoder's colour, labelled beside its point, with its
    /// std error bar. Filled points are the Pareto front (joined by a dashed line); open ones are dominated — another
    /// variant costs no more and is decidedly more accurate (<see cref="Pareto"/>). The cost axis starts at zero, so a
    /// 1 % cost difference looks like one; points at (nearly) the same cost are spread sideways so each shows, their
    /// exact cost in the hover. With one cost for all there is nothing to trade off, and the chart says so instead.
    /// </summary>
    public static GenericChart AccuracyVsCost(IReadOnlyList<CostPoint> points, string costTitle, string title, string accuracyTitle = "mIoU (%), mean ± std over seeds")
    {
        points = points.Where(p => p.Valid).ToList();
        if (points.Count == 0) return Message(title, costTitle, accuracyTitle, "no finished runs yet");
        if (points.Count > 1 && Pareto.AllCostsEqual(points))
            return Message(title, costTitle, accuracyTitle, Invariant($"all {points.Count} variants cost {points[0].Cost:0.###}: nothing to trade off — see the verdicts"));
        var front = Pareto.Front(points);
        var drawnAt = Dodged(points, out double span);
        var traces = new List<Trace>();
        if (front.Count > 1)
            traces.Add(Trace("scatter", ("name", "Pareto front"), ("mode", "lines"), ("x", Numbers(front.Select(i => drawnAt[i]))),
                ("y", Numbers(front.Select(i => points[i].Mean))), ("line", Object(("color", "#333333"), ("dash", "dash"), ("width", 1.5))),
                ("hoverinfo", "skip")));
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            bool optimal = front.Contains(i);
            string colour = ColourOf(p.Label);
            bool leftOfCost = drawnAt[i] < p.Cost;
            traces.Add(Trace("scatter", ("name", optimal ? p.Label : $"{p.Label} (dominated)"), ("mode", "markers+text"),
                ("x", Numbers([drawnAt[i]])), ("y", Numbers([p.Mean])), ("error_y", ErrorBars([(double?)p.Std])),
                ("text", new[] { p.Label }), ("textposition", leftOfCost ? "middle left" : "middle right"), ("textfont", Object(("size", 11), ("color", colour))),
                ("marker", Object(("color", colour), ("size", 12), ("symbol", optimal ? "circle" : "circle-open"), ("line", Object(("color", colour), ("width", 2))))),
                ("customdata", new[] { Invariant($"cost {p.Cost:0.####} · mIoU {p.Mean:F2} ± {(double.IsNaN(p.Std) ? "–" : p.Std.ToString("F2", CultureInfo.InvariantCulture))} (n={p.Seeds})") }),
                ("hovertemplate", $"{p.Label}<br>%{{customdata}}<extra></extra>")));
        }
        return Figure(traces, title, costTitle, accuracyTitle, xAxis: Object(("range", new[] { 0, span }), ("zeroline", true)),
            layout: [("legend", Object(("title", Title("variant"))))]);
    }

    /// <summary>
    /// Where each point is drawn on a cost axis from 0 to <paramref name="span"/>: at its cost, except that points within
    /// 2 % of the axis of each other are spread 2.5 % apart around their group's mean cost, in order of accuracy.
    /// </summary>
    internal static double[] Dodged(IReadOnlyList<CostPoint> points, out double span)
    {
        double max = points.Max(p => p.Cost);
        span = (max > 0 ? max : 1) * 1.15;
        var drawn = points.Select(p => p.Cost).ToArray();
        var order = Enumerable.Range(0, points.Count).OrderBy(i => points[i].Cost).ToList();
        for (int start = 0; start < order.Count;)
        {
            int end = start + 1;
            while (end < order.Count && points[order[end]].Cost - points[order[end - 1]].Cost < 0.02 * span) end++;
            var group = order.GetRange(start, end - start).OrderBy(i => points[i].Mean).ToList();
            if (group.Count > 1)
            {
                double centre = group.Average(i => points[i].Cost);
                for (int k = 0; k < group.Count; k++) drawn[group[k]] = centre + (k - (group.Count - 1) / 2.0) * 0.025 * span;
            }
            start = end;
        }
        span = Math.Max(span, drawn.Max() + 0.05 * span);
        return drawn;
    }

    static string Describe(IReadOnlyList<RunRow> rows)
    {
        var seeds = rows.Select(r => r.Run.Seed).Distinct().Count();
        return $"{seeds} seed{(seeds == 1 ? "" : "s")}";
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
