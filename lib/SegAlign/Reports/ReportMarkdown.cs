using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Extensions.Tables;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Renderers.Html.Inlines;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace SegAlign.Reports;

/// <summary>
/// Notebook Markdown → HTML through Markdig (CommonMark, plus pipe tables, emphasis extras, bare-URL autolinks and
/// math). Raw HTML is not interpreted: it is shown as text. Links keep only http(s), mailto, in-page and relative
/// targets; images are shown only when embedded (raster data: URIs or the cell's attachments), since loading anything
/// else would be a network request. Math is shown as its TeX source in code font: a TeX engine (KaTeX, MathJax) is
/// not shipped in any package the reports can inline, and a CDN would break "opens offline".
/// </summary>
public static partial class ReportMarkdown
{
    const string LinkRel = "noopener noreferrer";

    static readonly MarkdownPipeline pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseMathematics()
        .Use<ReportRenderersExtension>()
        .Build();

    /// <param name="images">Resolves an image target to a data: URI (e.g. a cell attachment); null: not embedded.</param>
    public static string Render(string markdown, Func<string, string?>? images = null)
    {
        var document = Markdown.Parse(markdown, pipeline);
        CheckLinksAndImages(document, images ?? (_ => null));
        PrepareTables(document);
        return document.ToHtml(pipeline);
    }

    /// <summary>In-page anchors, relative paths, and http(s)/mailto URLs; nothing that runs code (javascript:, data:, vbscript:).</summary>
    public static bool IsSafeLink(string target)
    {
        string t = target.Trim();
        if (t.Length == 0) return false;
        int colon = t.IndexOf(':');
        int pathStart = t.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (pathStart >= 0 && pathStart < colon)) return !t.Any(char.IsControl);
        string scheme = t[..colon].ToLowerInvariant();
        return scheme is "http" or "https" or "mailto";
    }

    /// <summary>A base64 data: URI of a raster image type (an SVG could reference outside resources).</summary>
    public static bool IsEmbeddedImage(string? source) => source is not null && EmbeddedImage().IsMatch(source);

    // Unsafe links become their label; images that are not embedded become a note; autolinks to other schemes become text.
    static void CheckLinksAndImages(MarkdownDocument document, Func<string, string?> images)
    {
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (!link.IsImage)
            {
                if (!IsSafeLink(link.Url ?? "")) link.ReplaceBy(new ContainerInline());
                continue;
            }
            string target = link.Url ?? "";
            string? source = IsEmbeddedImage(target) ? target : images(target);
            if (IsEmbeddedImage(source))
            {
                link.Url = source;
                link.GetDynamicUrl = null;
                continue;
            }
            string alt = PlainText(link);
            link.ReplaceBy(new HtmlInline($"<span class=\"muted\">[image not embedded: {Html.Escape(alt.Length > 0 ? alt : target)}]</span>"), copyChildren: false);
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
            if (!autolink.IsEmail && !IsSafeLink(autolink.Url)) autolink.ReplaceBy(new LiteralInline(autolink.Url));
    }

    static string PlainText(ContainerInline container) => string.Concat(container.Descendants<Inline>().Select(inline => inline switch
    {
        LiteralInline literal => literal.Content.ToString(),
        CodeInline code => code.Content,
        _ => "",
    }));

    // The report's stylesheet aligns columns by class, so cells carry no style attribute. A pipe escaped inside a
    // code span in a cell is a pipe (GitHub's table rule; Markdig leaves the backslash).
    static void PrepareTables(MarkdownDocument document)
    {
        foreach (var table in document.Descendants<Table>())
        {
            foreach (var code in table.Descendants<CodeInline>()) code.Content = code.Content.Replace("\\|", "|", StringComparison.Ordinal);
            foreach (var row in table.OfType<TableRow>())
                for (int i = 0; i < row.Count; i++)
                {
                    var cell = (TableCell)row[i];
                    int column = cell.ColumnIndex >= 0 ? cell.ColumnIndex : i;
                    if (column >= table.ColumnDefinitions.Count) continue;
                    string? alignClass = table.ColumnDefinitions[column].Alignment switch
                    {
                        TableColumnAlign.Center => "align-center",
                        TableColumnAlign.Right => "align-right",
                        _ => null,
                    };
                    if (alignClass is not null) cell.GetAttributes().AddClass(alignClass);
                }
            foreach (var definition in table.ColumnDefinitions) definition.Alignment = null;
        }
    }

    /// <summary>Links get rel="noopener noreferrer", tables scroll sideways, and math is shown as TeX source.</summary>
    sealed class ReportRenderersExtension : IMarkdownExtension
    {
        public void Setup(MarkdownPipelineBuilder pipeline) { }

        public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
        {
            if (renderer is not HtmlRenderer html) return;
            html.ObjectRenderers.FindExact<LinkInlineRenderer>()!.Rel = LinkRel;
            html.ObjectRenderers.FindExact<AutolinkInlineRenderer>()!.Rel = LinkRel;
            html.ObjectRenderers.ReplaceOrAdd<HtmlTableRenderer>(new ScrollingTableRenderer());
            html.ObjectRenderers.ReplaceOrAdd<HtmlMathInlineRenderer>(new MathInlineAsCode());
            html.ObjectRenderers.ReplaceOrAdd<HtmlMathBlockRenderer>(new MathBlockAsCode());
        }
    }

    sealed class ScrollingTableRenderer : HtmlTableRenderer
    {
        protected override void Write(HtmlRenderer renderer, Table table)
        {
            renderer.EnsureLine();
            renderer.Write("<div class=\"table-scroll\">");
            base.Write(renderer, table);
            renderer.WriteLine("</div>");
        }
    }

    sealed class MathInlineAsCode : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline math)
        {
            string delimiter = new(math.Delimiter, math.DelimiterCount);
            renderer.Write("<code class=\"math\">").WriteEscape(delimiter).WriteEscape(ref math.Content).WriteEscape(delimiter).Write("</code>");
        }
    }

    sealed class MathBlockAsCode : HtmlObjectRenderer<MathBlock>
    {
        protected override void Write(HtmlRenderer renderer, MathBlock math)
        {
            renderer.EnsureLine();
            renderer.Write("<pre class=\"math\"><code>");
            renderer.WriteLeafRawLines(math, true, escape: true);
            renderer.WriteLine("</code></pre>");
        }
    }

    [GeneratedRegex(@"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")] private static partial Regex EmbeddedImage();
}
