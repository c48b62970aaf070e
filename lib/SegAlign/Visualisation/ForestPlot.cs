using System.Globalization;
using Plotly.NET;
using SegAlign.Experiments;
using static SegAlign.Visualisation.PlotlyKit;

namespace SegAlign.Visualisation;

public static partial class Charts
{
    /// <summary>Verdict colours (colour-blind safe: Okabe–Ito bluish green, vermillion, sky blue, grey).</summary>
    public static string VerdictColour(VerdictKind kind) => kind switch
    {
        VerdictKind.Agrees => "#009e73",
        VerdictKind.Disagrees => "#d55e00",
        VerdictKind.Equivalent => "#56b4e9",
        VerdictKind.OutsideSetting => "#bbbbbb",
        _ => "#777777",
    };

    /// <summary>
    /// The verdicts as a picture: one row per pre-registered claim (costs left out: they have no interval), its paired Δ
    /// with the decisive 95 % interval (over seeds and test images where per-image counts exist, else over seeds), coloured
    /// by verdict; the zero line and the ±1 equivalence band; the diagnostics below in grey, never judged.
    /// </summary>
    public static GenericChart Forest(IReadOnlyList<ExperimentSummary> summaries, string? title = null)
    {
        var rows = new List<(string Label, double Delta, double Low, double High, string Colour, string Text, bool Claim)>();
        foreach (var summary in summaries)
        {
            string prefix = summaries.Count > 1 ? summary.Experiment.Name + ": " : "";
            foreach (var c in summary.Claims.Where(c => !c.Ours.Deterministic))
            {
                var (low, high) = c.TwoLevel is { } t ? (t.Low, t.High) : (c.Ours.CiLow, c.Ours.CiHigh);
                rows.Add(($"{prefix}{c.Claim.Variant} vs {c.Claim.Versus} ({c.Claim.Metric})", c.Ours.Delta, low, high, VerdictColour(c.Outcome.Kind),
                    $"{c.Outcome.Word}; expected {c.Claim.Direction}", true));
            }
            if (summaries.Count == 1)
                foreach (var d in summary.Diagnostics)
                {
                    var (low, high) = d.TwoLevel is { } t ? (t.Low, t.High) : (d.Ours.CiLow, d.Ours.CiHigh);
                    rows.Add(($"{d.Diagnostic.Variant} vs {d.Diagnostic.Versus} ({d.Diagnostic.Metric})", d.Ours.Delta, low, high, "#9a9a9a", "diagnostic (no verdict)", false));
                }
        }
        string heading = title ?? (summaries.Count == 1 ? $"Claims and diagnostics: {summaries[0].Experiment.Name} at {summaries[0].Preset}" : "Every paper claim");
        if (rows.Count == 0) return Message(heading, "paired Δ", "", "no claim has two paired seeds yet");
        // Top to bottom in the order written: plotly draws categories bottom-up, so reverse.
        rows.Reverse();
        var labels = rows.Select(r => r.Label).ToArray();
        var traces = new List<Trace>();
        foreach (var group in rows.GroupBy(r => (r.Colour, r.Text, r.Claim)))
        {
            var items = group.ToList();
            traces.Add(Trace("scatter", ("name", group.Key.Claim ? group.Key.Text.Split(';')[0] : "diagnostic"), ("mode", "markers"),
                ("x", Numbers(items.Select(r => r.Delta))), ("y", items.Select(r => r.Label).ToArray()),
                ("error_x", Object(("type", "data"), ("symmetric", false), ("array", Numbers(items.Select(r => r.High - r.Delta))),
                    ("arrayminus", Numbers(items.Select(r => r.Delta - r.Low))), ("thickness", 2), ("width", 5), ("color", group.Key.Colour))),
                ("marker", Object(("color", group.Key.Colour), ("size", group.Key.Claim ? 11 : 7), ("symbol", group.Key.Claim ? "diamond" : "circle"))),
                ("text", items.Select(r => string.Create(CultureInfo.InvariantCulture, $"Δ {r.Delta:+0.00;-0.00;0.00} [{r.Low:+0.00;-0.00;0.00}, {r.High:+0.00;-0.00;0.00}] — {r.Text}")).ToArray()),
                ("hovertemplate", "%{y}<br>%{text}<extra></extra>")));
        }
        double reach = rows.SelectMany(r => new[] { r.Low, r.High, r.Delta }).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        double edge = Math.Max(1.5, reach * 1.1);
        var shapes = new object[]
        {
            Object(("type", "rect"), ("xref", "x"), ("yref", "paper"), ("x0", -Verdicts.EquivalenceMargin), ("x1", Verdicts.EquivalenceMargin), ("y0", 0), ("y1", 1),
                ("fillcolor", "#56b4e9"), ("opacity", 0.12), ("line", Object(("width", 0)))),
            Object(("type", "line"), ("xref", "x"), ("yref", "paper"), ("x0", 0), ("x1", 0), ("y0", 0), ("y1", 1), ("line", Object(("color", "#333333"), ("width", 1.5)))),
        };
        return Figure(traces, heading, "paired Δ (variant − versus), points of the claim's metric; 95 % interval", "",
            xAxis: Object(("range", new[] { -edge, edge }), ("zeroline", false)),
            yAxis: Object(("type", "category"), ("categoryorder", "array"), ("categoryarray", labels)),
            ("shapes", shapes), ("height", Math.Max(260, 70 + 34 * rows.Count)), ("legend", Object(("title", Title("verdict")))));
    }
}
