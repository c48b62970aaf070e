using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

public class ReportMarkdownTests
{
    [Fact]
    public void Headings_paragraphs_emphasis_and_code_become_markup()
    {
        string html = ReportMarkdown.Render("# Title\n\nSome *em*, **strong**, ~~gone~~ and `a < b`.\nsame paragraph");
        Assert.Contains("<h1>Title</h1>", html);
        Assert.Contains("<p>Some <em>em</em>, <strong>strong</strong>, <del>gone</del> and <code>a &lt; b</code>.\nsame paragraph</p>", html);
    }

    [Fact]
    public void Underscores_inside_words_and_lone_stars_are_not_emphasis()
    {
        string html = ReportMarkdown.Render("snake_case_name and 2 * 3 * 4");
        Assert.Equal("<p>snake_case_name and 2 * 3 * 4</p>\n", html);
    }

    [Fact]
    public void Raw_html_is_shown_as_text()
    {
        string html = ReportMarkdown.Render("<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<b>bold?</b>");
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public void Fenced_code_is_escaped_and_keeps_its_language_as_a_class()
    {
        string html = ReportMarkdown.Render("```csharp\nif (a < b && c) { }\n**not bold**\n```");
        Assert.Equal("<pre><code class=\"language-csharp\">if (a &lt; b &amp;&amp; c) { }\n**not bold**\n</code></pre>\n", html);
    }

    [Fact]
    public void Lists_nest_by_indentation_and_numbered_lists_keep_their_start()
    {
        string html = ReportMarkdown.Render("- one\n- two\n  - two a\n  - two b\n- three\n\n3. third\n4. fourth");
        Assert.Equal("<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>two a</li>\n<li>two b</li>\n</ul>\n</li>\n<li>three</li>\n</ul>\n<ol start=\"3\">\n<li>third</li>\n<li>fourth</li>\n</ol>\n", html);
    }

    [Fact]
    public void Pipe_tables_keep_alignment_escaped_pipes_and_inline_markup()
    {
        string html = ReportMarkdown.Render("| name | value |\n|:---|---:|\n| `a\\|b` | **1** |\n| c |");
        Assert.Contains("<th class=\"align-right\">value</th>", html);
        Assert.Contains("<td><code>a|b</code></td>\n<td class=\"align-right\"><strong>1</strong></td>", html);
        Assert.Contains("<tr>\n<td>c</td>\n<td class=\"align-right\"></td>\n</tr>", html);
        Assert.StartsWith("<div class=\"table-scroll\">", html);
        Assert.DoesNotContain("style=", html);
    }

    [Theory]
    [InlineData("[docs](https://example.org/a_b?x=1&y=2)", "<a href=\"https://example.org/a_b?x=1&amp;y=2\" rel=\"noopener noreferrer\">docs</a>")]
    [InlineData("[section](#results)", "<a href=\"#results\" rel=\"noopener noreferrer\">section</a>")]
    [InlineData("[other](other.html)", "<a href=\"other.html\" rel=\"noopener noreferrer\">other</a>")]
    [InlineData("[wiki](https://en.wikipedia.org/wiki/F_(x))", "<a href=\"https://en.wikipedia.org/wiki/F_(x)\" rel=\"noopener noreferrer\">wiki</a>")]
    [InlineData("[`code` label](https://example.org)", "<a href=\"https://example.org\" rel=\"noopener noreferrer\"><code>code</code> label</a>")]
    public void Safe_links_are_links(string markdown, string expected) =>
        Assert.Equal($"<p>{expected}</p>\n", ReportMarkdown.Render(markdown));

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JavaScript:alert(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[click](vbscript:msgbox)")]
    public void Links_that_could_run_code_keep_only_their_text(string markdown) =>
        Assert.Equal("<p>click</p>\n", ReportMarkdown.Render(markdown));

    [Theory]
    [InlineData("[click](&#106;avascript:alert(1))")]
    [InlineData("[click](<java script:alert(1)>)")]
    [InlineData("[click][target]\n\n[target]: javascript:alert(1)")]
    [InlineData("[click](%20javascript:alert(1))")]
    public void Entity_whitespace_and_reference_tricks_do_not_make_a_code_link(string markdown) =>
        Assert.Equal("<p>click</p>\n", ReportMarkdown.Render(markdown));

    [Fact]
    public void Autolinks_keep_only_safe_schemes()
    {
        Assert.Equal("<p><a href=\"https://example.org/a\" rel=\"noopener noreferrer\">https://example.org/a</a> and <a href=\"https://example.org/b\" rel=\"noopener noreferrer\">https://example.org/b</a></p>\n",
            ReportMarkdown.Render("<https://example.org/a> and https://example.org/b"));
        Assert.Equal("<p>javascript:alert(1)</p>\n", ReportMarkdown.Render("<javascript:alert(1)>"));
    }

    [Fact]
    public void Math_is_shown_as_its_tex_source_in_code_font()
    {
        string html = ReportMarkdown.Render("Energy $E = mc^2 < x$ here.\n\n$$\n\\sum_i a_i\n$$");
        Assert.Contains("<p>Energy <code class=\"math\">$E = mc^2 &lt; x$</code> here.</p>", html);
        Assert.Contains("<pre class=\"math\"><code>\\sum_i a_i\n</code></pre>", html);
    }

    [Fact]
    public void Emphasis_extras_and_nested_blocks_follow_commonmark()
    {
        Assert.Equal("<p>H<sub>2</sub>O, x<sup>2</sup>, <ins>added</ins>, <mark>marked</mark>, <del>gone</del></p>\n",
            ReportMarkdown.Render("H~2~O, x^2^, ++added++, ==marked==, ~~gone~~"));
        Assert.Equal("<blockquote>\n<ul>\n<li>a\n<ol>\n<li>b</li>\n</ol>\n</li>\n</ul>\n</blockquote>\n",
            ReportMarkdown.Render("> - a\n>   1. b"));
    }

    [Fact]
    public void Only_embedded_images_are_shown_so_nothing_is_fetched()
    {
        const string pixel = "data:image/png;base64,iVBORw0KGgo=";
        Assert.Contains($"<img src=\"{pixel}\" alt=\"dot\" />", ReportMarkdown.Render($"![dot]({pixel})"));
        string remote = ReportMarkdown.Render("![chart](https://example.org/chart.png)");
        Assert.DoesNotContain("<img", remote);
        Assert.Contains("[image not embedded: chart]", remote);
        Assert.DoesNotContain("<img", ReportMarkdown.Render("![svg](data:image/svg+xml;base64,PHN2Zz4=)"));
        Assert.Contains($"<img src=\"{pixel}\"", ReportMarkdown.Render("![a](attachment:a.png)", target => target == "attachment:a.png" ? pixel : null));
    }

    [Fact]
    public void Quotes_rules_and_hard_breaks()
    {
        string html = ReportMarkdown.Render("> quoted *text*\n> more\n\n---\n\nline one  \nline two");
        Assert.Contains("<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>", html);
        Assert.Contains("<hr />", html);
        Assert.Contains("<p>line one<br />\nline two</p>", html);
    }

    [Fact]
    public void Tags_in_code_spans_and_text_stay_text()
    {
        string html = ReportMarkdown.Render("`<b>` and \uE0000\uE001 then <i>");
        Assert.Equal("<p><code>&lt;b&gt;</code> and \uE0000\uE001 then &lt;i&gt;</p>\n", html);
    }
}
