using System.Globalization;
using Plotly.NET;
using SegAlign.Evaluation;
using SegAlign.Training;
using static SegAlign.Visualisation.PlotlyKit;

namespace SegAlign.Visualisation;

/// <summary>One run's training log, labelled by variant and seed.</summary>
public sealed record TrainingCurve(string Variant, int Seed, IReadOnlyList<LogRow> Log);

public static partial class Charts
{
    /// <summary>Most points drawn per training curve; longer logs are thinned evenly (the last point is always kept).</summary>
    public const int MaxCurvePoints = 200;

    /// <summary>
    /// Rows of the confusion matrix as percentages of their ground-truth pixels (rows with no pixels: null), indexed
    /// [ground truth][prediction].
    /// </summary>
    public static double?[][] RowNormalised(ConfusionMatrix matrix)
    {
        int k = matrix.NumClasses;
        var rows = new double?[k][];
        for (int g = 0; g < k; g++)
        {
            long total = 0;
            for (int p = 0; p < k; p++) total += matrix[g, p];
            rows[g] = new double?[k];
            for (int p = 0; p < k; p++) rows[g][p] = total == 0 ? null : 100.0 * matrix[g, p] / total;
        }
        return rows;
    }

    /// <summary>
    /// The confusion matrix as a heatmap: rows = ground truth, columns = prediction, colour = share of the row (%),
    /// the pixel counts on hover. Row-normalised, so rare classes are as visible as common ones.
    /// </summary>
    public static GenericChart Confusion(ConfusionMatrix matrix, IReadOnlyList<string> classNames, string? title = null)
    {
        if (classNames.Count != matrix.NumClasses)
            throw new InputException("class names", $"{classNames.Count} names for a {matrix.NumClasses}-class confusion matrix", "pass the dataset's class names");
        var shares = RowNormalised(matrix);
        var counts = Enumerable.Range(0, matrix.NumClasses)
            .Select(g => Enumerable.Range(0, matrix.NumClasses).Select(p => matrix[g, p].ToString("N0", CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var trace = Trace("heatmap", ("z", shares), ("x", classNames), ("y", classNames), ("text", counts),
            ("colorscale", "Blues"), ("reversescale", true), ("zmin", 0), ("zmax", 100), ("colorbar", Object(("title", Title("% of row")))),
            ("texttemplate", "%{z:.0f}"), ("hovertemplate", "truth: %{y}<br>predicted: %{x}<br>%{z:.1f}% of the row (%{text} pixels)<extra></extra>"));
        return Figure([trace], title ?? "Confusion matrix (row-normalised)", "predicted class", "ground-truth class",
            yAxis: Object(("autorange", "reversed")), layout: [("height", 560)]);
    }

    /// <summary>
    /// Where a variant's pixels go differently from its comparison's: the difference of the two row-normalised confusion
    /// matrices (each summed over its seeds), in percentage points of the ground-truth row, on a diverging scale centred
    /// at zero — blue where the variant predicts a cell more often, red where less. A better variant shows blue on the
    /// diagonal and red off it; a garment named as another shows as an off-diagonal pair.
    /// </summary>
    public static GenericChart ConfusionDifference(ConfusionMatrix variant, ConfusionMatrix versus, IReadOnlyList<string> classNames,
        string variantName, string versusName)
    {
        if (variant.NumClasses != versus.NumClasses || classNames.Count != variant.NumClasses)
            throw new InputException("confusion matrices", $"{variant.NumClasses}- and {versus.NumClasses}-class matrices with {classNames.Count} class names", "compare runs of one dataset");
        var a = RowNormalised(variant);
        var b = RowNormalised(versus);
        var difference = a.Select((row, g) => row.Select((share, p) => share is null || b[g][p] is null ? null : share - b[g][p])
            .ToArray()).ToArray();
        double largest = Math.Max(0.5, difference.SelectMany(r => r).OfType<double>().Select(Math.Abs).DefaultIfEmpty(0).Max());
        var labels = difference.Select(row => row.Select(d => d is double v ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "").ToArray()).ToArray();
        // Plotly's RdBu runs red (low) to blue (high) only when reversed.
        var trace = Trace("heatmap", ("z", difference.Select(row => Numbers(row)).ToArray()), ("x", classNames), ("y", classNames),
            ("colorscale", "RdBu"), ("reversescale", true), ("zmid", 0), ("zmin", -largest), ("zmax", largest),
            ("colorbar", Object(("title", Title("Δ points of row")))), ("text", labels), ("texttemplate", "%{text}"),
            ("hovertemplate", $"truth: %{{y}}<br>predicted: %{{x}}<br>{variantName} − {versusName}: %{{z:+.2f}} points of the row<extra></extra>"));
        return Figure([trace], $"Confusion difference: {variantName} − {versusName} (row-normalised, points)", "predicted class", "ground-truth class",
            yAxis: Object(("autorange", "reversed")), layout: [("height", 560)]);
    }

    /// <summary>
    /// Training loss against iteration, one line per run: colour = variant, one legend entry per variant (click to
    /// hide all its seeds). Each curve keeps at most <see cref="MaxCurvePoints"/> points.
    /// </summary>
    public static GenericChart TrainingCurves(IReadOnlyList<TrainingCurve> curves, string? title = null)
    {
        string chartTitle = title ?? "Training loss";
        if (curves.Count == 0) return Message(chartTitle, "iteration", "training loss", "no training logs yet");
        var variants = curves.Select(c => c.Variant).Distinct().ToList();
        var traces = new List<Trace>();
        foreach (var curve in curves.OrderBy(c => variants.IndexOf(c.Variant)).ThenBy(c => c.Seed))
        {
            var points = Thin(curve.Log);
            bool first = curves.First(c => c.Variant == curve.Variant) == curve;
            traces.Add(Trace("scatter", ("mode", "lines"), ("name", curve.Variant), ("legendgroup", curve.Variant), ("showlegend", first),
                ("x", points.Select(r => r.Iteration).ToArray()), ("y", Numbers(points.Select(r => r.Loss))),
                ("line", Object(("color", ColourOf(curve.Variant)), ("width", 1.5))),
                ("hovertemplate", $"{curve.Variant}, seed {curve.Seed}<br>iteration %{{x}}<br>loss %{{y:.4f}}<extra></extra>")));
        }
        return Figure(traces, chartTitle, "iteration", "training loss (mean over each log interval)", layout: [("legend", Object(("title", Title("variant"))))]);
    }

    /// <summary>The log thinned to at most <see cref="MaxCurvePoints"/> evenly spaced rows, keeping the first and last.</summary>
    public static IReadOnlyList<LogRow> Thin(IReadOnlyList<LogRow> log)
    {
        if (log.Count <= MaxCurvePoints) return log;
        return Enumerable.Range(0, MaxCurvePoints).Select(i => log[(int)Math.Round((double)i * (log.Count - 1) / (MaxCurvePoints - 1))]).ToList();
    }

    /// <summary>
    /// Mean displacement of each recorded field (in input pixels: grid pixels × stride), one bar group per field and
    /// one bar per model, the largest displacement on hover: e.g. the corrected and the official offset normalisation.
    /// </summary>
    public static GenericChart FlowMagnitudes(IReadOnlyList<(string Model, IReadOnlyList<FlowMap> Fields)> models, string? title = null)
    {
        string chartTitle = title ?? "Flow magnitude per field";
        if (models.All(m => m.Fields.Count == 0)) return Message(chartTitle, "field", "mean displacement (input px)", "no flow fields recorded");
        string[] symbols = ["circle", "square", "diamond", "triangle-up"];
        var traces = models.Select((m, i) => Trace("scatter", ("name", m.Model), ("mode", "markers"), ("x", m.Fields.Select(f => f.Name).ToArray()),
            ("y", Numbers(m.Fields.Select(f => f.MeanMagnitude * f.StrideX))),
            ("customdata", Numbers(m.Fields.Select(f => f.MaxMagnitude * f.StrideX))),
            ("marker", Object(("color", ColourOf(i)), ("size", 11), ("symbol", symbols[i % symbols.Length]))),
            ("hovertemplate", "%{fullData.name}, %{x}<br>mean %{y:.3f} input px<br>max %{customdata:.3f} input px<extra></extra>")));
        // Logarithmic (displacements of fields and normalisations differ by orders of magnitude), so dots, not bars —
        // a bar's length means nothing on a log axis — and a tick at every power of ten.
        return Figure(traces, chartTitle, "field (module.level)", "mean displacement (input pixels, log scale)",
            yAxis: Object(("type", "log"), ("dtick", 1), ("exponentformat", "none")), layout: [("scattermode", "group")]);
    }
}
