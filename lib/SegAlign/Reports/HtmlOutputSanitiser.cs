using System.Globalization;
using AngleSharp.Dom;
using Ganss.Xss;

namespace SegAlign.Reports;

/// <summary>
/// Cleans a notebook's text/html output with HtmlSanitizer (an allow-list over AngleSharp's HTML5 parser, so the tree
/// it screens is the tree a browser builds). Kept: table structure with colspan/rowspan (what DataFrames display),
/// text formatting, the report stylesheet's alignment classes and text-align, and images embedded as raster data:
/// URIs. Every other element is dropped but its text kept; scripts, styles and embedding elements go with their
/// content; comments go; every other attribute — event handlers, links, frames' srcdoc, outside URLs — is dropped.
/// </summary>
public static class HtmlOutputSanitiser
{
    static readonly string[] allowedTags =
    [
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
        "p", "br", "pre", "code", "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "span", "img",
    ];

    static readonly string[] allowedAttributes = ["colspan", "rowspan", "class", "style", "src", "alt", "width", "height"];

    // The classes the report stylesheet gives meaning to; other classes are dropped.
    static readonly string[] allowedClasses = ["num", "align-center", "align-right", "muted"];

    static readonly string[] allowedCssProperties = ["text-align", "vertical-align", "font-weight", "font-style", "white-space"];

    // Elements whose content is not text to show: code, styles, embedded documents and their fallbacks.
    static readonly HashSet<string> droppedWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed", "noframes",
        "template", "textarea", "title", "head", "svg", "math", "select", "audio", "video", "canvas", "xmp", "plaintext",
    };

    public static string Sanitise(string html) => Sanitiser().Sanitize(html);

    static HtmlSanitizer Sanitiser()
    {
        var sanitiser = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(allowedTags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(allowedAttributes, StringComparer.OrdinalIgnoreCase),
            AllowedClasses = new HashSet<string>(allowedClasses, StringComparer.Ordinal),
            AllowedCssProperties = new HashSet<string>(allowedCssProperties, StringComparer.OrdinalIgnoreCase),
            // Only images carry a URL, and only as data: (checked to be a raster image below).
            AllowedSchemes = new HashSet<string>(["data"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(HtmlSanitizerDefaults.UriAttributes, StringComparer.OrdinalIgnoreCase),
            UriListAttributes = new HashSet<string>(HtmlSanitizerDefaults.UriListAttributes, StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        })
        {
            KeepChildNodes = true,
        };
        sanitiser.RemovingTag += (_, e) =>
        {
            if (!droppedWithContent.Contains(e.Tag.LocalName)) return;
            e.Cancel = true;
            e.Tag.Remove();
        };
        sanitiser.FilterUrl += (_, e) =>
        {
            if (!(e.Tag.LocalName == "img" && ReportMarkdown.IsEmbeddedImage(e.OriginalUrl))) e.SanitizedUrl = null;
        };
        sanitiser.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement element) PostProcess(element, e);
        };
        return sanitiser;
    }

    static void PostProcess(IElement element, PostProcessNodeEventArgs e)
    {
        foreach (string span in (string[])["colspan", "rowspan"])
            if (element.GetAttribute(span) is { } value && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 1000))
                element.RemoveAttribute(span);
        // An image whose source was not embedded would show as broken: say what it was instead.
        if (element.LocalName == "img" && !element.HasAttribute("src"))
        {
            string what = element.GetAttribute("alt") is { Length: > 0 } alt ? alt : "image";
            var note = e.Document.CreateElement("span");
            note.ClassName = "muted";
            note.TextContent = $"[image not embedded: {what}]";
            e.ReplacementNodes.Add(note);
        }
    }
}
