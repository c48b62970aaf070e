using Microsoft.Data.Analysis;
using SegAlign.Display;
using SegAlign.Notebooks;
using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

public class TableHtmlSanitiserTests
{
    [Fact]
    public void A_DataFrame_table_passes_unchanged()
    {
        var frame = new DataFrame(new PrimitiveDataFrameColumn<int>("n", [1, 2]), new StringDataFrameColumn("<name>", ["a & b", "<i>"]));
        string html = DataFrameHtml.Render(frame);
        Assert.Equal(html.Replace("\n", ""), TableHtmlSanitiser.Sanitise(html).Replace("\n", ""));
    }

    [Fact]
    public void Scripts_styles_and_embeds_go_with_their_content()
    {
        string html = TableHtmlSanitiser.Sanitise("<table><tr><td>1<script>alert('x')</script><style>td{background:url(https://e.org)}</style><iframe src=https://e.org>fallback</iframe></td></tr></table>");
        Assert.Equal("<table><tr><td>1</td></tr></table>", html);
    }

    [Fact]
    public void Only_colspan_and_rowspan_attributes_survive()
    {
        string html = TableHtmlSanitiser.Sanitise("<table class=x style=\"background:url(https://e.org/a.png)\" onclick='steal()'><tr><td colspan=\"2\" rowspan=3 onmouseover=x>v</td><td colspan=\"2;x\">w</td></tr></table>");
        Assert.Equal("<table><tr><td colspan=\"2\" rowspan=\"3\">v</td><td>w</td></tr></table>", html);
    }

    [Fact]
    public void Other_elements_are_dropped_but_their_text_stays_escaped()
    {
        string html = TableHtmlSanitiser.Sanitise("<div><a href=\"javascript:x()\">link</a> <img src=https://e.org/p.png> &lt;script&gt;alert(1)&lt;/script&gt; 1 < 2 &amp; <!-- note --></div>");
        Assert.Equal("link  &lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2 &amp; ", html);
    }

    [Fact]
    public void Unclosed_elements_are_closed_and_stray_closes_ignored()
    {
        Assert.Equal("<table><tr><td>x</td></tr></table>", TableHtmlSanitiser.Sanitise("</td><table><tr><td>x"));
        Assert.Equal("<table><tr><td>x</td></tr></table>", TableHtmlSanitiser.Sanitise("<table><tr><td>x</table>"));
    }
}
