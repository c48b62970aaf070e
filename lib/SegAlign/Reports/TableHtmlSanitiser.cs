using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SegAlign.Reports;

/// <summary>
/// Keeps table markup (what notebook DataFrames display) and nothing else: table elements, a few inline text
/// elements, and only the colspan/rowspan attributes. Every other tag is dropped (its text kept, re-escaped);
/// script, style and embedding elements are dropped with their content; text is decoded and escaped again, so
/// entities cannot smuggle markup in. Attributes that could load or run anything (src, href, style, on*) never survive.
/// </summary>
public static partial class TableHtmlSanitiser
{
    static readonly HashSet<string> allowed = new(StringComparer.OrdinalIgnoreCase)
    {
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
        "b", "strong", "i", "em", "code", "span", "small", "sub", "sup", "br", "p",
    };

    static readonly HashSet<string> voidElements = new(StringComparer.OrdinalIgnoreCase) { "br", "col" };

    // Elements whose content is not text to show: code, styles, embedded documents and their fallbacks.
    static readonly HashSet<string> droppedWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed", "noframes",
        "template", "textarea", "title", "head", "svg", "math", "select", "audio", "video", "canvas", "xmp", "plaintext",
    };

    public static string Sanitise(string html)
    {
        var output = new StringBuilder();
        var open = new List<string>();
        int i = 0;
        while (i < html.Length)
        {
            int lt = html.IndexOf('<', i);
            if (lt < 0) { AppendText(output, html[i..]); break; }
            AppendText(output, html[i..lt]);
            if (string.CompareOrdinal(html, lt, "<!--", 0, 4) == 0)
            {
                int end = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
                continue;
            }
            var tag = Tag().Match(html, lt);
            if (!tag.Success)
            {
                // "<!DOCTYPE …>", "<?xml …?>" and the like are dropped; a lone '<' is text.
                if (lt + 1 < html.Length && html[lt + 1] is '!' or '?') { int end = html.IndexOf('>', lt); i = end < 0 ? html.Length : end + 1; }
                else { output.Append("&lt;"); i = lt + 1; }
                continue;
            }
            i = lt + tag.Length;
            bool closing = tag.Groups[1].Length > 0;
            string name = tag.Groups[2].Value.ToLowerInvariant();
            if (!closing && droppedWithContent.Contains(name))
            {
                var close = new Regex($@"</{Regex.Escape(name)}\s*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant).Match(html, i);
                i = close.Success ? close.Index + close.Length : html.Length;
                continue;
            }
            if (!allowed.Contains(name)) continue;
            if (closing)
            {
                int at = open.LastIndexOf(name);
                if (at < 0) continue; // a stray close tag
                for (int k = open.Count - 1; k >= at; k--) output.Append("</").Append(open[k]).Append('>');
                open.RemoveRange(at, open.Count - at);
                continue;
            }
            output.Append('<').Append(name).Append(SpanAttributes(tag.Groups[3].Value)).Append('>');
            if (!voidElements.Contains(name)) open.Add(name);
        }
        // Close what the input left open, so the fragment cannot swallow the rest of the page.
        for (int k = open.Count - 1; k >= 0; k--) output.Append("</").Append(open[k]).Append('>');
        return output.ToString();
    }

    static void AppendText(StringBuilder output, string text)
    {
        if (text.Length > 0) output.Append(Html.Escape(WebUtility.HtmlDecode(text)));
    }

    /// <summary>colspan and rowspan with small positive integer values; every other attribute is dropped.</summary>
    static string SpanAttributes(string attributes)
    {
        var kept = new StringBuilder();
        foreach (Match a in Attribute().Matches(attributes))
        {
            string name = a.Groups[1].Value.ToLowerInvariant();
            string value = a.Groups[2].Success ? a.Groups[2].Value : a.Groups[3].Success ? a.Groups[3].Value : a.Groups[4].Value;
            if (name is "colspan" or "rowspan" && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 1000)
                kept.Append(' ').Append(name).Append("=\"").Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('"');
        }
        return kept.ToString();
    }

    [GeneratedRegex(@"\G<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:""[^""]*""|'[^']*'|[^\s>]+))?)*)\s*/?>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"([^\s=/>]+)(?:\s*=\s*(?:""([^""]*)""|'([^']*)'|([^\s>]+)))?")]
    private static partial Regex Attribute();
}
