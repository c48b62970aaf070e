using System.Text;
using System.Text.RegularExpressions;

namespace SegAlign.Reports;

/// <summary>
/// A small, safe Markdown → HTML renderer for notebook text: ATX headings, paragraphs, emphasis (** __ * _ ~~),
/// code spans and fenced code, bullet and numbered lists (nested by indentation), pipe tables, block quotes,
/// rules, links and images. Raw HTML is not interpreted: it is shown as text. Links keep only http(s), mailto,
/// in-page and relative targets; images are shown only when embedded (data: URIs or the cell's attachments),
/// since loading anything else would be a network request.
/// </summary>
public static partial class MarkdownHtml
{
    /// <param name="images">Resolves an image target to a data: URI (e.g. a cell attachment); null: not embedded.</param>
    public static string Render(string markdown, Func<string, string?>? images = null) =>
        new Renderer(images ?? (_ => null)).Blocks(Lines(markdown));

    /// <summary>Inline Markdown only (no blocks): for table cells, list items and captions.</summary>
    public static string RenderInline(string text, Func<string, string?>? images = null) => new Renderer(images ?? (_ => null)).Inline(text);

    static List<string> Lines(string text) =>
        [.. Placeholder.Strip(text).Replace("\r\n", "\n").Replace('\r', '\n').Replace("\t", "    ").Split('\n')];

    sealed class Renderer(Func<string, string?> images)
    {
        public string Blocks(List<string> lines)
        {
            var html = new StringBuilder();
            int i = 0;
            while (i < lines.Count)
            {
                string line = lines[i];
                if (line.Trim().Length == 0) { i++; continue; }
                if (FenceOpen().Match(line) is { Success: true } fence) { i = CodeBlock(lines, i, fence, html); continue; }
                if (HeadingLine().Match(line) is { Success: true } heading)
                {
                    int level = heading.Groups[1].Length;
                    html.Append($"<h{level}>{Inline(heading.Groups[2].Value)}</h{level}>\n");
                    i++;
                    continue;
                }
                if (Rule().IsMatch(line)) { html.Append("<hr>\n"); i++; continue; }
                if (line.TrimStart().StartsWith('>')) { i = Quote(lines, i, html); continue; }
                if (ListItem().IsMatch(line)) { i = List(lines, i, html); continue; }
                if (i + 1 < lines.Count && line.Contains('|') && TableDelimiter().IsMatch(lines[i + 1])) { i = Table(lines, i, html); continue; }
                i = Paragraph(lines, i, html);
            }
            return html.ToString();
        }

        int CodeBlock(List<string> lines, int i, Match fence, StringBuilder html)
        {
            string marker = fence.Groups[1].Value;
            string language = fence.Groups[2].Value.Trim().Split(' ')[0];
            var code = new List<string>();
            for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal); i++) code.Add(lines[i]);
            string cssClass = language.Length > 0 ? $" class=\"language-{Html.Token(language)}\"" : "";
            html.Append($"<pre><code{cssClass}>{Html.Escape(string.Join("\n", code))}</code></pre>\n");
            return i + 1;
        }

        int Quote(List<string> lines, int i, StringBuilder html)
        {
            var quoted = new List<string>();
            for (; i < lines.Count && lines[i].TrimStart().StartsWith('>'); i++)
            {
                string rest = lines[i].TrimStart()[1..];
                quoted.Add(rest.StartsWith(' ') ? rest[1..] : rest);
            }
            html.Append("<blockquote>\n").Append(Blocks(quoted)).Append("</blockquote>\n");
            return i;
        }

        // Items start at the list's indentation; deeper-indented lines (and blank lines followed by them) belong to the item.
        int List(List<string> lines, int i, StringBuilder html)
        {
            var first = ListItem().Match(lines[i]);
            int indent = first.Groups[1].Length;
            bool ordered = char.IsDigit(first.Groups[2].Value[0]);
            string start = ordered && int.TryParse(first.Groups[2].Value.TrimEnd('.', ')'), out int n) && n != 1 ? $" start=\"{n}\"" : "";
            html.Append(ordered ? $"<ol{start}>\n" : "<ul>\n");
            while (i < lines.Count)
            {
                var item = ListItem().Match(lines[i]);
                if (!item.Success || item.Groups[1].Length != indent || char.IsDigit(item.Groups[2].Value[0]) != ordered) break;
                int contentIndent = item.Groups[3].Index;
                var content = new List<string> { item.Groups[3].Value };
                for (i++; i < lines.Count; i++)
                {
                    string next = lines[i];
                    int nextIndent = next.Length - next.TrimStart().Length;
                    if (next.Trim().Length == 0)
                    {
                        int after = i + 1;
                        if (after < lines.Count && lines[after].Trim().Length > 0 && lines[after].Length - lines[after].TrimStart().Length > indent) { content.Add(""); continue; }
                        break;
                    }
                    if (nextIndent > indent) content.Add(next[Math.Min(nextIndent, Math.Max(contentIndent, indent + 1))..]);
                    else if (!ListItem().IsMatch(next) && !StartsBlock(next)) content.Add(next.TrimStart()); // a lazy continuation line
                    else break;
                }
                html.Append("<li>").Append(ItemContent(content)).Append("</li>\n");
                while (i < lines.Count && lines[i].Trim().Length == 0 && i + 1 < lines.Count && ListItem().Match(lines[i + 1]) is { Success: true } m && m.Groups[1].Length == indent) i++;
            }
            html.Append(ordered ? "</ol>\n" : "</ul>\n");
            return i;
        }

        int Table(List<string> lines, int i, StringBuilder html)
        {
            var header = Cells(lines[i]);
            var alignments = Cells(lines[i + 1]).Select(c => c.Trim() switch
            {
                var d when d.StartsWith(':') && d.EndsWith(':') => " class=\"align-center\"",
                var d when d.EndsWith(':') => " class=\"align-right\"",
                _ => "",
            }).ToList();
            string Align(int column) => column < alignments.Count ? alignments[column] : "";
            html.Append("<div class=\"table-scroll\"><table>\n<thead><tr>");
            for (int c = 0; c < header.Count; c++) html.Append($"<th{Align(c)}>{Inline(header[c].Trim())}</th>");
            html.Append("</tr></thead>\n<tbody>\n");
            for (i += 2; i < lines.Count && lines[i].Trim().Length > 0 && lines[i].Contains('|'); i++)
            {
                var cells = Cells(lines[i]);
                html.Append("<tr>");
                for (int c = 0; c < header.Count; c++) html.Append($"<td{Align(c)}>{(c < cells.Count ? Inline(cells[c].Trim()) : "")}</td>");
                html.Append("</tr>\n");
            }
            html.Append("</tbody>\n</table></div>\n");
            return i;
        }

        // Splits a table row on unescaped pipes outside code spans; the outer pipes are optional.
        static List<string> Cells(string row)
        {
            string text = row.Trim();
            if (text.StartsWith('|')) text = text[1..];
            if (text.EndsWith('|') && !text.EndsWith("\\|", StringComparison.Ordinal)) text = text[..^1];
            var cells = new List<string>();
            var cell = new StringBuilder();
            bool inCode = false;
            for (int k = 0; k < text.Length; k++)
            {
                char c = text[k];
                if (c == '\\' && k + 1 < text.Length && text[k + 1] == '|') { cell.Append('|'); k++; continue; }
                if (c == '`') inCode = !inCode;
                if (c == '|' && !inCode) { cells.Add(cell.ToString()); cell.Clear(); continue; }
                cell.Append(c);
            }
            cells.Add(cell.ToString());
            return cells;
        }

        int Paragraph(List<string> lines, int i, StringBuilder html)
        {
            var text = new List<string> { lines[i] };
            for (i++; i < lines.Count && lines[i].Trim().Length > 0 && !StartsBlock(lines[i]) && !ListItem().IsMatch(lines[i]); i++) text.Add(lines[i]);
            html.Append("<p>").Append(Inline(JoinKeepingBreaks(text))).Append("</p>\n");
            return i;
        }

        // A tight item is inline text, optionally followed by nested blocks (a sub-list); a loose one (blank lines) is blocks.
        string ItemContent(List<string> content)
        {
            if (content.Any(l => l.Trim().Length == 0)) return Blocks(content);
            int nested = content.FindIndex(l => ListItem().IsMatch(l) || StartsBlock(l));
            if (nested < 0) return Inline(JoinKeepingBreaks(content));
            if (nested == 0) return Blocks(content);
            return Inline(JoinKeepingBreaks(content[..nested])) + "\n" + Blocks(content[nested..]);
        }

        // Lines are trimmed, except that two trailing spaces (a hard break) survive on all but the last line.
        static string JoinKeepingBreaks(List<string> lines) =>
            string.Join("\n", lines.Select((l, k) => k < lines.Count - 1 && l.EndsWith("  ", StringComparison.Ordinal) ? l.Trim() + "  " : l.Trim()));

        static bool StartsBlock(string line) =>
            FenceOpen().IsMatch(line) || HeadingLine().IsMatch(line) || Rule().IsMatch(line) || line.TrimStart().StartsWith('>');

        /// <summary>Inline markup: everything that is not markup is escaped; links and images are checked.</summary>
        public string Inline(string text)
        {
            var held = new Placeholder();
            return held.Restore(Markup(text, held));
        }

        // Produced markup is held out of the text (as placeholders) until escaping and emphasis are done; a link's
        // label is marked up with the same holder, so code spans inside it come back too.
        string Markup(string text, Placeholder held)
        {
            // Code spans first: nothing inside them is markup.
            text = CodeSpan().Replace(text, m => held.Hold($"<code>{Html.Escape(m.Groups[2].Value.Trim())}</code>"));
            text = BackslashEscape().Replace(text, m => held.Hold(Html.Escape(m.Groups[1].Value)));
            text = AutoLink().Replace(text, m => held.Hold($"<a href=\"{Html.Escape(m.Groups[1].Value)}\" rel=\"noopener noreferrer\">{Html.Escape(m.Groups[1].Value)}</a>"));
            text = LinkOrImage().Replace(text, m => held.Hold(m.Groups[1].Length > 0
                ? Image(m.Groups[2].Value, m.Groups[3].Value)
                : Link(Markup(m.Groups[2].Value, held), m.Groups[3].Value, m.Groups[4].Value)));
            string html = Html.Escape(text);
            html = Strong().Replace(html, "<strong>$2</strong>");
            html = Emphasis().Replace(html, "<em>$2</em>");
            html = Strike().Replace(html, "<del>$1</del>");
            return HardBreak().Replace(html, "<br>\n");
        }

        static string Link(string labelHtml, string target, string title)
        {
            if (!IsSafeLink(target)) return labelHtml;
            string titleAttribute = title.Length > 0 ? $" title=\"{Html.Escape(title)}\"" : "";
            return $"<a href=\"{Html.Escape(target)}\"{titleAttribute} rel=\"noopener noreferrer\">{labelHtml}</a>";
        }

        string Image(string alt, string target)
        {
            string? source = IsEmbeddedImage(target) ? target : images(target);
            return source is not null && IsEmbeddedImage(source)
                ? $"<img src=\"{Html.Escape(source)}\" alt=\"{Html.Escape(alt)}\">"
                : $"<span class=\"muted\">[image not embedded: {Html.Escape(alt.Length > 0 ? alt : target)}]</span>";
        }
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
    public static bool IsEmbeddedImage(string source) => EmbeddedImage().IsMatch(source);

    /// <summary>Markup produced during inline rendering, held out of the text until escaping and emphasis are done.</summary>
    sealed class Placeholder
    {
        const char Open = '\uE000', Close = '\uE001';
        readonly List<string> held = [];

        public static string Strip(string text) => text.Replace(Open.ToString(), "", StringComparison.Ordinal).Replace(Close.ToString(), "", StringComparison.Ordinal);

        public string Hold(string html)
        {
            held.Add(html);
            return $"{Open}{held.Count - 1}{Close}";
        }

        public string Restore(string html)
        {
            // Held markup may itself contain placeholders (a link's label), so restore until none is left.
            for (int pass = 0; pass < 8 && html.Contains(Open); pass++)
                html = HeldMarker().Replace(html, m => held[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
            return html;
        }
    }

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})(.*)$")] private static partial Regex FenceOpen();
    [GeneratedRegex(@"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")] private static partial Regex HeadingLine();
    [GeneratedRegex(@"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")] private static partial Regex Rule();
    [GeneratedRegex(@"^( *)([-*+]|\d{1,9}[.)])\s+(.*)$")] private static partial Regex ListItem();
    [GeneratedRegex(@"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")] private static partial Regex TableDelimiter();
    [GeneratedRegex(@"(`+)(.+?)\1", RegexOptions.Singleline)] private static partial Regex CodeSpan();
    [GeneratedRegex(@"\\([\\`*_{}\[\]()#+\-.!|~<>])")] private static partial Regex BackslashEscape();
    [GeneratedRegex(@"<((?:https?|mailto):[^\s<>]+)>")] private static partial Regex AutoLink();
    // Targets may hold balanced parentheses (Wikipedia-style URLs, or "javascript:f(1)", which must be matched whole to be refused).
    [GeneratedRegex(@"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))*)>?(?:\s+""([^""]*)"")?\s*\)")] private static partial Regex LinkOrImage();
    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", RegexOptions.Singleline)] private static partial Regex Strong();
    [GeneratedRegex(@"(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])", RegexOptions.Singleline)] private static partial Regex Emphasis();
    [GeneratedRegex(@"~~(?=\S)(.+?)(?<=\S)~~", RegexOptions.Singleline)] private static partial Regex Strike();
    [GeneratedRegex(@"(?: {2,}|\\)\n")] private static partial Regex HardBreak();
    [GeneratedRegex("\uE000(\\d+)\uE001")] private static partial Regex HeldMarker();
    [GeneratedRegex(@"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")] private static partial Regex EmbeddedImage();
}
