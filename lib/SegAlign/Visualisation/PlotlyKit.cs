using Plotly.NET;

namespace SegAlign.Visualisation;

/// <summary>
/// Plotly.NET figures built from plain trace and layout properties (plotly.js attribute names), without Plotly.NET's
/// default template: the figure JSON holds only what the chart needs, so notebooks and reports stay small.
/// </summary>
static class PlotlyKit
{
    /// <summary>A categorical palette (Tableau 10), one colour per variant.</summary>
    public static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string ColourOf(int index) => Palette[index % Palette.Length];

    public static Trace Trace(string type, params (string Name, object? Value)[] properties)
    {
        var trace = new Trace(type);
        foreach (var (name, value) in properties)
            if (value is not null) trace.SetProperty(name, value);
        return trace;
    }

    /// <summary>Attributes as a JSON object (null values are left out).</summary>
    public static Dictionary<string, object> Object(params (string Name, object? Value)[] properties) =>
        properties.Where(p => p.Value is not null).ToDictionary(p => p.Name, p => p.Value!);

    public static Dictionary<string, object> Title(string text) => Object(("text", text));

    /// <summary>Symmetric error bars (null entries draw none).</summary>
    public static Dictionary<string, object> ErrorBars(IEnumerable<double?> values) =>
        Object(("type", "data"), ("array", Numbers(values)), ("visible", true), ("thickness", 1.5), ("width", 4));

    /// <summary>Doubles for JSON, rounded to 6 significant digits (keeps the figure small, far below what a plot shows);
    /// NaN and infinities become null (JSON has no NaN).</summary>
    public static double?[] Numbers(IEnumerable<double?> values) => [.. values.Select(v => v is double d && double.IsFinite(d) ? Round(d) : (double?)null)];

    static double Round(double value) => value == 0 ? 0 : double.Parse(value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    public static double?[] Numbers(IEnumerable<double> values) => Numbers(values.Select(v => (double?)v));

    /// <summary>
    /// A figure of <paramref name="traces"/> with a title and both axis titles (every chart here has them), plus any
    /// other layout attributes.
    /// </summary>
    public static GenericChart Figure(IEnumerable<Trace> traces, string title, string xTitle, string yTitle,
        Dictionary<string, object>? xAxis = null, Dictionary<string, object>? yAxis = null, params (string Name, object? Value)[] layout)
    {
        var chart = GenericChart.ofTraceObjects(false, traces.ToArray());
        var figureLayout = new Layout();
        figureLayout.SetProperty("title", Object(("text", title), ("x", 0.02), ("xanchor", "left")));
        figureLayout.SetProperty("xaxis", With(xAxis, ("title", Title(xTitle)), ("automargin", true)));
        figureLayout.SetProperty("yaxis", With(yAxis, ("title", Title(yTitle)), ("automargin", true)));
        figureLayout.SetProperty("height", 460);
        figureLayout.SetProperty("margin", Object(("t", 60), ("l", 60), ("r", 20), ("b", 60)));
        foreach (var (name, value) in layout)
            if (value is not null) figureLayout.SetProperty(name, value);
        return GenericChart.setLayout(figureLayout, chart);
    }

    static Dictionary<string, object> With(Dictionary<string, object>? axis, params (string Name, object? Value)[] defaults)
    {
        var result = Object(defaults);
        if (axis is not null)
            foreach (var (key, value) in axis) result[key] = value;
        return result;
    }

    /// <summary>An empty chart that says why there is nothing to show (titles as usual).</summary>
    public static GenericChart Message(string title, string xTitle, string yTitle, string message) =>
        Figure([Trace("scatter", ("x", Array.Empty<double>()), ("y", Array.Empty<double>()), ("mode", "markers"), ("showlegend", false))], title, xTitle, yTitle,
            layout: ("annotations", new object[]
            {
                Object(("text", message), ("xref", "paper"), ("yref", "paper"), ("x", 0.5), ("y", 0.5), ("showarrow", false), ("font", Object(("size", 14)))),
            }));
}
