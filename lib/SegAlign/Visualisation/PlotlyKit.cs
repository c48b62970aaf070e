using Plotly.NET;

namespace SegAlign.Visualisation;

/// <summary>
/// Plotly.NET figures built from plain trace and layout properties (plotly.js attribute names), without Plotly.NET's
/// default template: the figure JSON holds only what the chart needs, so notebooks and reports stay small.
/// </summary>
static class PlotlyKit
{
    /// <summary>A categorical palette (Tableau 10), for series that are not variants (seeds, models compared by hand).</summary>
    public static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public static string ColourOf(int index) => Palette[index % Palette.Length];

    /// <summary>Shades of slate for the metrics of one variant (mIoU, boundary F, trimap): not decoder colours, so a
    /// reader never takes a metric for a variant.</summary>
    public static readonly string[] MetricPalette = ["#2f3e4e", "#6f8296", "#b4c0cc"];

    /// <summary>
    /// Every variant of experiments/*.json with its colour: one decoder, one colour, in every chart and report. Variants
    /// of one family share a hue (sfnet = fam in orange, alignseg = alignfa-aligncm in red, hfgd = guided-sg in purple),
    /// their ablations lighter or darker; the variants of any one experiment are all distinct (tested).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> VariantColours = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["fpn"] = "#4e79a7", ["bilinear"] = "#9c755f", ["deeplabv3"] = "#7f7f7f",
        ["sfnet"] = "#f28e2b", ["fam"] = "#f28e2b", ["fam-p4"] = "#ffbe7d", ["fam-p2"] = "#b85c00",
        ["alignseg"] = "#e15759", ["alignfa-aligncm"] = "#e15759", ["alignfa"] = "#ff9da7", ["alignfa-aligncm-official"] = "#8f1d21",
        ["ifa"] = "#59a14f", ["ifa-no-pe"] = "#a0d28d", ["mlp-bilinear"] = "#2b5f24",
        ["hfgd"] = "#b07aa1", ["guided-sg"] = "#b07aa1", ["guided-no-sg"] = "#dcb8d4", ["guided-sg-os2"] = "#6b3f62",
        ["upsampler"] = "#76b7b2", ["sg-kernels-only"] = "#edc948", ["sg-backbone-only"] = "#17becf",
        ["guided-sg-linear"] = "#c994c7", ["guided-sg-cosine"] = "#8c6bb1", ["high-only"] = "#bab0ac", ["fpn-frozen"] = "#a6bddb",
        ["rsp"] = "#76b7b2",
        // backbone-prior: the FPN baseline's blue, darker with the full prior, lighter with the five-class one.
        ["scratch"] = "#4e79a7", ["pretrained"] = "#1f3f66", ["pretrained-half"] = "#9ecae9",
    };

    static readonly string[] fallback = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

    /// <summary>The colour of a variant: its entry in <see cref="VariantColours"/>, else one picked by a stable hash of the
    /// name (the same in every process, unlike string.GetHashCode).</summary>
    public static string ColourOf(string variant)
    {
        if (VariantColours.TryGetValue(variant, out var colour)) return colour;
        uint hash = 2166136261;
        foreach (char c in variant.ToLowerInvariant()) hash = (hash ^ c) * 16777619;
        return fallback[hash % (uint)fallback.Length];
    }

    /// <summary>Horizontal offsets that spread <paramref name="count"/> points over [−<paramref name="half"/>, +<paramref name="half"/>]
    /// (0 for one), so points with the same value all show.</summary>
    public static double[] Spread(int count, double half) =>
        count <= 1 ? [.. Enumerable.Repeat(0.0, count)] : [.. Enumerable.Range(0, count).Select(i => -half + 2 * half * i / (count - 1))];

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
