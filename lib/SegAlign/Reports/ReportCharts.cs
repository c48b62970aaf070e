using System.Text.Json.Nodes;
using Plotly.NET;
using Plotly.NET.CSharp;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;
using Chart = Plotly.NET.CSharp.Chart;

namespace SegAlign.Reports;

/// <summary>One variant's values over seeds (mIoU, or a class's IoU), with its label.</summary>
public sealed record SeedValues(string Variant, IReadOnlyList<(int Seed, double Value)> Values)
{
    public double Mean => Values.Count == 0 ? double.NaN : Values.Average(v => v.Value);
    public double Std => Experiments.Statistics.StdDev(Values.Select(v => v.Value).ToList());
}

/// <summary>
/// The experiment report's charts, built with Plotly.NET and returned as Plotly figures ({data, layout}) for
/// <see cref="ReportPage.Chart"/>. Error bars are the sample standard deviation over seeds (none for one seed).
/// </summary>
public static class ReportCharts
{
    /// <summary>Every seed's value per variant, and the variant's mean ± std beside them.</summary>
    public static JsonObject PerSeed(IReadOnlyList<SeedValues> variants, string title, string yTitle)
    {
        var points = variants.SelectMany(v => v.Values.Select(p => (v.Variant, p.Seed, p.Value))).ToList();
        var seeds = Chart.Point<string, double, string>(points.Select(p => p.Variant), points.Select(p => p.Value),
            Name: "one seed", MultiText: points.Select(p => $"seed {p.Seed}").ToArray());
        var means = WithErrorBars(
            Chart.Point<string, double, string>(variants.Select(v => v.Variant), variants.Select(v => v.Mean), Name: "mean ± std"),
            variants.Select(v => v.Std));
        var figure = Figure(Chart.Combine([seeds, means]), title, "variant", yTitle);
        // Side by side within each variant's slot, so the error bar does not hide the seeds.
        figure["layout"]!["scattermode"] = "group";
        return figure;
    }

    /// <summary>Cost against accuracy: one point per variant at its GMACs, mIoU mean ± std, labelled.</summary>
    public static JsonObject CostVersusAccuracy(IReadOnlyList<(string Variant, double GMacs, double Mean, double Std)> variants)
    {
        var chart = Chart.Point<double, double, string>(variants.Select(v => v.GMacs), variants.Select(v => v.Mean),
            Name: "variants", MultiText: variants.Select(v => v.Variant).ToArray(), TextPosition: StyleParam.TextPosition.TopCenter);
        var figure = Figure(WithErrorBars(chart, variants.Select(v => v.Std)), "Cost vs accuracy", "GMACs (one forward pass)", "mIoU (%)");
        // Show the labels on the points, not only on hover.
        foreach (var trace in figure["data"]!.AsArray()) trace!["mode"] = "markers+text";
        return figure;
    }

    /// <summary>Grouped columns: each class's IoU (mean ± std over seeds), one colour per variant.</summary>
    public static JsonObject PerClass(IReadOnlyList<string> classes, IReadOnlyList<(string Variant, IReadOnlyList<double> Means, IReadOnlyList<double> Stds)> variants)
    {
        var columns = variants.Select(v => WithErrorBars(
            Chart.Column<double, string, string>(v.Means, Keys: classes.ToArray(), Name: v.Variant), v.Stds)).ToList();
        var figure = Figure(Chart.Combine(columns), "Per-class IoU", "class", "IoU (%)");
        figure["layout"]!["barmode"] = "group";
        return figure;
    }

    static GenericChart WithErrorBars(GenericChart chart, IEnumerable<double> std)
    {
        var values = std.Select(s => double.IsNaN(s) ? 0 : s).ToArray();
        if (values.All(v => v == 0)) return chart;
        var error = new Error();
        error.SetProperty("type", "data");
        error.SetProperty("array", values);
        error.SetProperty("visible", true);
        return Plotly.NET.Chart.withYError(error).Invoke(chart);
    }

    /// <summary>Axis titles and the title through Plotly.NET, then the figure JSON as Plotly.NET writes it.</summary>
    static JsonObject Figure(GenericChart chart, string title, string xTitle, string yTitle)
    {
        chart = chart.WithXAxisStyle<string, string, string>(TitleText: xTitle).WithYAxisStyle<string, string, string>(TitleText: yTitle);
        var layout = new Layout();
        var heading = new Title();
        heading.SetProperty("text", title);
        layout.SetProperty("title", heading);
        chart = Plotly.NET.Chart.withLayout(layout).Invoke(chart);
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        // Plotly.NET fixes 600 × 600 px; the report lets the chart take the page's width instead.
        var figureLayout = figure["layout"]!.AsObject();
        figureLayout.Remove("width");
        figureLayout["height"] = 440;
        figureLayout["autosize"] = true;
        return figure;
    }
}
