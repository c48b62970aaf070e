using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SegAlign.Display;

/// <summary>
/// The text/html fallback of a chart, for viewers without a Plotly renderer (nbviewer, a browser opening the .ipynb,
/// Jupyter without the Plotly extension): a small, script-free summary — title and each trace's values as a
/// range — so it shows offline and says what the chart holds. VS Code, JupyterLab and the reports draw the figure.
/// </summary>
public static class ChartHtml
{
    public static string Render(JsonObject plotly)
    {
        var layout = plotly["layout"] as JsonObject;
        string title = Text(layout?["title"]?["text"]) ?? "Chart";
        var html = new StringBuilder("<figure class=\"segalign-chart\">\n<figcaption><strong>")
            .Append(WebUtility.HtmlEncode(title)).Append("</strong> (interactive Plotly chart; this viewer shows its summary)</figcaption>\n")
            .Append("<table>\n<thead><tr><th>trace</th><th>type</th><th>values</th><th>range (min – max)</th></tr></thead>\n<tbody>\n");
        foreach (var trace in (plotly["data"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var values = Numbers(trace["z"] ?? trace["y"]).ToList();
            string range = values.Count == 0 ? "" : $"{DataFrameHtml.Cell(values.Min())} – {DataFrameHtml.Cell(values.Max())}";
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(Text(trace["name"]) ?? "")).Append("</td><td>")
                .Append(WebUtility.HtmlEncode(Text(trace["type"]) ?? "scatter")).Append("</td><td>")
                .Append(values.Count.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(WebUtility.HtmlEncode(range)).Append("</td></tr>\n");
        }
        return html.Append("</tbody>\n</table>\n</figure>\n").ToString();
    }

    static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    /// <summary>The finite numbers of an array, or of an array of arrays (a heatmap's z).</summary>
    static IEnumerable<double> Numbers(JsonNode? node) => node switch
    {
        JsonArray array => array.SelectMany(Numbers),
        JsonValue value when value.TryGetValue(out double number) && double.IsFinite(number) => [number],
        _ => [],
    };
}
