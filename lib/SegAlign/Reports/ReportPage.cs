using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SegAlign.Reports;

/// <summary>
/// One self-contained HTML page: inline CSS, plotly.js inlined once (only when the page has charts), every chart's
/// figure as JSON beside its div, and a Content-Security-Policy that lets the page load nothing from anywhere and run
/// only its own two scripts — so it opens offline, and a missed escape could neither fetch nor run anything.
/// </summary>
public sealed class ReportPage(string title)
{
    /// <summary>
    /// Nothing may load from anywhere: images only as data: URIs, styles only inline, and scripts only the page's own —
    /// each allowed by its SHA-256 ({0}), so markup that slipped past escaping could neither fetch nor run anything.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src {0}; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

    /// <summary>The CSS class of chart divs; each holds an svg.main-svg once Plotly has drawn it.</summary>
    public const string ChartClass = "plotly-chart";

    readonly StringBuilder body = new();

    public string Title { get; } = title;

    public int ChartCount { get; private set; }

    /// <summary>Appends markup built by report code (everything from input must already be escaped or sanitised).</summary>
    public ReportPage Add(string html)
    {
        body.Append(html);
        return this;
    }

    public ReportPage Heading(int level, string text, string? id = null) =>
        Add($"<h{level}{(id is null ? "" : $" id=\"{Html.Token(id)}\"")}>{Html.Escape(text)}</h{level}>\n");

    public ReportPage Paragraph(string text, string? cssClass = null) =>
        Add($"<p{Html.ClassAttribute(cssClass)}>{Html.Escape(text)}</p>\n");

    /// <summary>A Plotly figure ({data, layout[, frames]}), drawn by the page's script when it opens.</summary>
    /// <param name="fallbackHtml">Safe (escaped or sanitised) markup shown where scripts do not run, e.g. the chart's summary table.</param>
    public ReportPage Chart(JsonObject figure, string? caption = null, string? fallbackHtml = null)
    {
        // The inlined bundle is plotly.js's cartesian build: a figure with another trace (scatter3d, a map) says so in place.
        var foreign = (figure["data"] as JsonArray ?? []).Select(t => t?["type"] is null ? "scatter"
                : t["type"] is JsonValue v && v.TryGetValue(out string? type) ? type : t["type"]!.ToJsonString())
            .Where(type => !PlotlyJs.Traces.Contains(type)).Distinct().ToList();
        if (foreign.Count > 0)
            return Add($"<figure class=\"chart\"><p class=\"chart-error\">{Html.Escape($"This chart uses {string.Join(", ", foreign)}, which the report's plotly.js {PlotlyJs.Version} cartesian bundle does not draw; open the notebook in a kernel to see it.")}</p>" +
                       $"{(caption is null ? "" : $"<figcaption>{Html.Escape(caption)}</figcaption>")}</figure>\n");
        string id = string.Create(CultureInfo.InvariantCulture, $"chart-{++ChartCount}");
        var plotly = new JsonObject
        {
            ["data"] = figure["data"]?.DeepClone() ?? new JsonArray(),
            ["layout"] = figure["layout"]?.DeepClone() ?? new JsonObject(),
        };
        if (figure["frames"] is JsonArray { Count: > 0 } frames) plotly["frames"] = frames.DeepClone();
        body.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><div id=\"{id}\" class=\"{ChartClass}\"></div>");
        body.Append(CultureInfo.InvariantCulture, $"<script type=\"application/json\" id=\"{id}-figure\">{Html.ScriptJson(plotly)}</script>");
        if (fallbackHtml is not null) body.Append("<noscript>").Append(fallbackHtml).Append("</noscript>");
        if (caption is not null) body.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>");
        body.Append("</figure>\n");
        return this;
    }

    public string Render()
    {
        // Script texts exactly as they sit between <script> and </script>: their hashes are the policy's allow-list.
        var scripts = ChartCount > 0 ? new[] { $"\n{PlotlyJs.Source}\n", DrawCharts } : [];
        string allowed = scripts.Length == 0 ? "'none'" : string.Join(' ', scripts.Select(s => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(s)))}'"));
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy.Replace("{0}", allowed, StringComparison.Ordinal)).Append("\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append("<meta name=\"generator\" content=\"segalign report\">\n");
        page.Append("<title>").Append(Html.Escape(Title)).Append("</title>\n");
        page.Append("<style>\n").Append(ReportStyle.Css).Append("</style>\n</head>\n<body>\n<main>\n");
        page.Append(WithContents(body.ToString()));
        page.Append("</main>\n");
        if (ChartCount > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $"<script data-library=\"plotly.js {PlotlyJs.Version} (cartesian)\">").Append(scripts[0]).Append("</script>\n");
            page.Append("<script>").Append(scripts[1]).Append("</script>\n");
        }
        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>
    /// A table of contents of the page's sections (every &lt;h2&gt; with an id), placed under the title — only on pages
    /// with three sections or more, where a reader needs one.
    /// </summary>
    static string WithContents(string html)
    {
        var sections = System.Text.RegularExpressions.Regex.Matches(html, "<h2 id=\"([^\"]+)\">(.*?)</h2>");
        int title = html.IndexOf("</h1>\n", StringComparison.Ordinal);
        if (sections.Count < 3 || title < 0) return html;
        var nav = new StringBuilder("<nav class=\"contents\" aria-label=\"Contents\"><strong>Contents</strong><ol>");
        foreach (System.Text.RegularExpressions.Match m in sections)
            nav.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{m.Groups[1].Value}\">{m.Groups[2].Value}</a></li>");
        nav.Append("</ol></nav>\n");
        int at = title + "</h1>\n".Length;
        return html[..at] + nav + html[at..];
    }

    /// <summary>Writes the page atomically: an interrupted write never replaces an earlier good report.</summary>
    public void Save(string path)
    {
        if (Directory.Exists(path))
            throw new InputException(path, "is a folder, but a report is one file", $"pass a file path such as {Path.Combine(path, "report.html")}");
        AtomicFile.WriteAllText(path, Render());
    }

    // A chart that cannot be drawn says so in place and on the console (which the browser test watches).
    const string DrawCharts = """

        (function () {
          "use strict";
          function fail(div, error) {
            div.classList.add("chart-error");
            div.textContent = "This chart could not be drawn: " + error;
            console.error("chart " + div.id + " could not be drawn: " + error);
          }
          document.querySelectorAll("div.plotly-chart").forEach(function (div) {
            try {
              var figure = JSON.parse(document.getElementById(div.id + "-figure").textContent);
              Plotly.newPlot(div, {
                data: figure.data || [],
                layout: figure.layout || {},
                frames: figure.frames || [],
                config: { responsive: true, displaylogo: false }
              }).catch(function (error) { fail(div, error); });
            } catch (error) {
              fail(div, error);
            }
          });
        })();

        """;
}
