using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegAlign.Reports;

/// <summary>
/// The only ways text enters a report: escaped for element content or attributes, or JSON made safe to sit
/// inside a &lt;script&gt; element. Markup is produced by the report code itself, never taken from input.
/// </summary>
public static class Html
{
    /// <summary>Escapes &lt; &gt; &amp; " and ' — safe in element content and in quoted attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    // The default encoder writes < > & ' + and every non-ASCII character as \uXXXX, so no "</script" or "<!--"
    // can appear inside the script element whatever the strings contain.
    static readonly JsonSerializerOptions scriptSafe = new() { Encoder = JavaScriptEncoder.Default, WriteIndented = false };

    /// <summary>JSON text to embed in &lt;script type="application/json"&gt;: a parser sees exactly the JSON.</summary>
    public static string ScriptJson(JsonNode node) => node.ToJsonString(scriptSafe);

    /// <summary>An id/class fragment: letters, digits, '-' and '_' only.</summary>
    public static string Token(string text)
    {
        var kept = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return kept.Length == 0 ? "x" : kept.ToLowerInvariant();
    }

    /// <summary>A class attribute from space-separated names (each reduced to a <see cref="Token"/>), or nothing.</summary>
    public static string ClassAttribute(string? classes) =>
        string.IsNullOrWhiteSpace(classes) ? "" : $" class=\"{string.Join(' ', classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Token))}\"";

    /// <summary>A collapsible block: the summary line (escaped) and already-rendered content.</summary>
    public static string Details(string summary, string contentHtml, bool open = false, string? cssClass = null) =>
        $"<details{ClassAttribute(cssClass)}{(open ? " open" : "")}><summary>{Escape(summary)}</summary>{contentHtml}</details>\n";

    /// <summary>Preformatted text, escaped.</summary>
    public static string Pre(string text, string? cssClass = null) =>
        $"<pre{ClassAttribute(cssClass)}>{Escape(text)}</pre>\n";

    /// <summary>A table from a header and rows of already-escaped cell HTML.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rowsHtml, string? cssClass = null)
    {
        var html = new System.Text.StringBuilder($"<table{ClassAttribute(cssClass)}>\n<thead><tr>");
        foreach (var h in header) html.Append("<th>").Append(Escape(h)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rowsHtml) html.Append("<tr>").AppendJoin("", row.Select(cell => $"<td>{cell}</td>")).Append("</tr>\n");
        return html.Append("</tbody>\n</table>\n").ToString();
    }
}
