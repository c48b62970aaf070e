using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using Plotly.NET;
using SegAlign.Visualisation;

namespace SegAlign.Display;

/// <summary>What an output shows: mime type → value, plus nbformat's per-mime metadata (image sizes).</summary>
public sealed record MimeBundle(JsonObject Data, JsonObject? Metadata = null);

/// <summary>
/// How displayed values become nbformat mime bundles, each with a text/plain fallback: Plotly.NET charts as
/// application/vnd.plotly.v1+json (VS Code and JupyterLab render it offline) plus a script-free text/html summary
/// for other viewers (<see cref="ChartHtml"/>), DataFrames as HTML tables,
/// PngImages as image/png, Markdown as text/markdown, tensors with their values, anything else as its text.
/// </summary>
public static class MimeFormatter
{
    public const string PlotlyMime = "application/vnd.plotly.v1+json";
    const int MaxItems = 100;

    public static MimeBundle Format(object? value) => value switch
    {
        null => Text("null"),
        GenericChart chart => Chart(chart),
        DataFrame frame => new MimeBundle(new JsonObject { ["text/html"] = DataFrameHtml.Render(frame), ["text/plain"] = DataFrameHtml.Describe(frame) + "\n" + DataFrameHtml.Text(frame) }),
        PngImage image => Image(image),
        Markdown markdown => new MimeBundle(new JsonObject { ["text/markdown"] = markdown.Text, ["text/plain"] = markdown.Text }),
        TorchSharp.torch.Tensor tensor => Text(TensorText(tensor)),
        string text => Text(text),
        _ => Text(PlainText(value)),
    };

    static MimeBundle Text(string text) => new(new JsonObject { ["text/plain"] = text });

    static MimeBundle Chart(GenericChart chart)
    {
        // Plotly.NET's own serialisation of the figure; the mime type wants data and layout (frames only if animated).
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        var plotly = new JsonObject
        {
            ["data"] = figure["data"]?.DeepClone() ?? new JsonArray(),
            ["layout"] = figure["layout"]?.DeepClone() ?? new JsonObject(),
        };
        if (figure["frames"] is JsonArray { Count: > 0 } frames) plotly["frames"] = frames.DeepClone();
        return new MimeBundle(new JsonObject { [PlotlyMime] = plotly, ["text/html"] = ChartHtml.Render(plotly), ["text/plain"] = DescribeChart(plotly) });
    }

    static string DescribeChart(JsonObject plotly)
    {
        var traces = plotly["data"]!.AsArray().Select(t => t?["type"]?.GetValue<string>() ?? "scatter").ToArray();
        string? title = plotly["layout"]?["title"]?["text"]?.GetValue<string>();
        return $"Plotly chart{(title is null ? "" : $" “{title}”")}: {traces.Length} trace(s) ({string.Join(", ", traces.Distinct())})";
    }

    static MimeBundle Image(PngImage image) => new(
        new JsonObject
        {
            ["image/png"] = Convert.ToBase64String(image.Png),
            ["text/plain"] = image.Caption ?? $"PNG image {image.Width}×{image.Height}",
        },
        new JsonObject { ["image/png"] = new JsonObject { ["height"] = image.Height, ["width"] = image.Width } });

    /// <summary>Shape, type and device, then the values (libtorch elides the middle of long dimensions).</summary>
    static string TensorText(TorchSharp.torch.Tensor tensor) =>
        tensor.ToString(TorchSharp.TensorStringStyle.Julia, cultureInfo: CultureInfo.InvariantCulture, newLine: "\n").TrimEnd('\n');

    /// <summary>ToString, except that collections (whose ToString is their type name) list their first items.</summary>
    static string PlainText(object value)
    {
        if (value is IEnumerable items and not string)
        {
            var shown = items.Cast<object?>().Take(MaxItems + 1).Select(Item).ToList();
            return shown.Count > MaxItems ? $"[{string.Join(", ", shown.Take(MaxItems))}, …]" : $"[{string.Join(", ", shown)}]";
        }
        return Item(value);
    }

    static string Item(object? value) => value switch
    {
        null => "null",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
