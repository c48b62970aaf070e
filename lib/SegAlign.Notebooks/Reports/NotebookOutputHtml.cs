using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using SegAlign.Display;
using SegAlign.Reports;

namespace SegAlign.Notebooks;

/// <summary>
/// One cell output in a report: the richest mime type the report can show safely — a Plotly chart, an embedded
/// image, a sanitised HTML table, Markdown, JSON or plain text — and streams and errors as text (errors highlighted).
/// </summary>
static partial class NotebookOutputHtml
{
    static readonly string[] rasterImages = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// <summary>
    /// A cell's outputs as a reader wants them: the stock kernel's helper script (an output that only locates its cell
    /// in a browser) left out, and consecutive lines of one stream — which the kernel sends one output each — in one block.
    /// </summary>
    public static void RenderAll(IReadOnlyList<Output> outputs, ReportPage page)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            if (IsKernelHelper(output)) continue;
            if (output.Kind == OutputKind.Stream)
            {
                var text = new System.Text.StringBuilder(output.Text ?? "");
                while (i + 1 < outputs.Count && outputs[i + 1].Kind == OutputKind.Stream && outputs[i + 1].StreamName == output.StreamName)
                    text.Append(outputs[++i].Text);
                output = Output.Stream(output.StreamName ?? "stdout", text.ToString());
            }
            Render(output, page);
        }
    }

    /// <summary>The .NET Interactive kernel's first display in Jupyter: a hidden div and a script that finds the cell.</summary>
    internal static bool IsKernelHelper(Output output) =>
        output.Kind is OutputKind.DisplayData or OutputKind.ExecuteResult && output.Data is { Count: 1 }
        && output.TextOf("text/html") is { } html && html.Contains("dotnet-interactive-this-cell", StringComparison.Ordinal);

    public static void Render(Output output, ReportPage page)
    {
        switch (output.Kind)
        {
            case OutputKind.Stream:
                page.Add(Html.Pre(StripAnsi(output.Text ?? ""), $"stream {output.StreamName}"));
                break;
            case OutputKind.Error:
                page.Add($"<div class=\"error\"><strong>{Html.Escape($"{output.ErrorName}: {StripAnsi(output.ErrorValue ?? "")}")}</strong>\n" +
                         (output.Traceback is { Count: > 0 } trace ? Html.Pre(StripAnsi(string.Join("\n", trace))) : "") + "</div>\n");
                break;
            default:
                RenderBundle(output, page);
                break;
        }
    }

    static void RenderBundle(Output output, ReportPage page)
    {
        var data = output.Data ?? [];
        string? plain = output.TextOf("text/plain");
        if (data[MimeFormatter.PlotlyMime] is JsonNode plotly)
        {
            // The stock kernel sends the figure as a JSON string; SegAlign's runner as an object.
            if (Figure(plotly) is { } figure)
                page.Chart(figure, fallbackHtml: output.TextOf("text/html") is { } table ? HtmlOutputSanitiser.Sanitise(table) : null);
            else if (output.TextOf("text/html") is { } summary) page.Add("<div class=\"output table-scroll\">").Add(HtmlOutputSanitiser.Sanitise(summary)).Add("</div>\n");
            else page.Add(Problem($"{MimeFormatter.PlotlyMime} output is not a Plotly figure (an object with a data array)", plain));
            return;
        }
        if (rasterImages.FirstOrDefault(mime => output.TextOf(mime) is not null) is { } imageMime)
        {
            page.Add(Image(imageMime, output.TextOf(imageMime)!, output.Metadata[imageMime] as JsonObject, plain));
            return;
        }
        if (output.TextOf("image/svg+xml") is { } svg)
        {
            // Shown through <img>, where an SVG can neither run script nor load anything.
            string uri = "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
            page.Add($"<div class=\"output\"><img src=\"{uri}\" alt=\"{Html.Escape(plain ?? "SVG image")}\"></div>\n");
            return;
        }
        if (output.TextOf("text/html") is { } html)
        {
            page.Add("<div class=\"output table-scroll\">").Add(HtmlOutputSanitiser.Sanitise(html)).Add("</div>\n");
            return;
        }
        if (output.TextOf("text/markdown") is { } markdown)
        {
            page.Add("<div class=\"output\">").Add(ReportMarkdown.Render(markdown)).Add("</div>\n");
            return;
        }
        if (data["application/json"] is JsonNode json)
        {
            page.Add(Html.Pre(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "json"));
            return;
        }
        if (plain is not null)
        {
            page.Add(Html.Pre(StripAnsi(plain), "result"));
            return;
        }
        page.Add(Problem($"output of type {string.Join(", ", data.Select(p => p.Key))} is not shown in reports", null));
    }

    static JsonObject? Figure(JsonNode plotly)
    {
        if (plotly is JsonValue value && value.TryGetValue(out string? text))
        {
            try { plotly = JsonNode.Parse(text)!; }
            catch (JsonException) { return null; }
        }
        return plotly is JsonObject figure && figure["data"] is JsonArray ? figure : null;
    }

    /// <summary>An &lt;img&gt; with a data: URI, after checking the data decodes to an image of the stated type.</summary>
    static string Image(string mime, string base64, JsonObject? metadata, string? caption)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return Problem($"the {mime} output is not valid base64 and cannot be shown", caption);
        }
        if (!HasSignature(mime, bytes)) return Problem($"the {mime} output is not a valid {mime} image and cannot be shown", caption);
        string size = "";
        if (metadata?["width"] is JsonValue w && w.TryGetValue(out int width) && width > 0) size += $" width=\"{width.ToString(CultureInfo.InvariantCulture)}\"";
        if (metadata?["height"] is JsonValue h && h.TryGetValue(out int height) && height > 0) size += $" height=\"{height.ToString(CultureInfo.InvariantCulture)}\"";
        // The caption is the alt text only: SegAlign's figures print their title in the image, and a caption under it
        // would say the same words twice.
        string alt = caption ?? mime;
        return $"<figure class=\"output\"><img src=\"data:{mime};base64,{Convert.ToBase64String(bytes)}\" alt=\"{Html.Escape(alt)}\"{size}></figure>\n";
    }

    static bool HasSignature(string mime, byte[] bytes) => mime switch
    {
        "image/png" => bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/jpeg" => bytes.AsSpan().StartsWith((byte[])[0xFF, 0xD8, 0xFF]),
        "image/gif" => bytes.AsSpan().StartsWith("GIF8"u8),
        "image/webp" => bytes.Length > 12 && bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) && bytes.AsSpan(8, 4).SequenceEqual("WEBP"u8),
        _ => false,
    };

    static string Problem(string message, string? plain) =>
        $"<div class=\"error\">{Html.Escape(message)}.{(plain is null ? "" : Html.Pre(plain))}</div>\n";

    /// <summary>Terminal colour codes (Jupyter kernels put them in tracebacks) are noise in a page.</summary>
    public static string StripAnsi(string text) => Ansi().Replace(text, "");

    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]")] private static partial Regex Ansi();
}
