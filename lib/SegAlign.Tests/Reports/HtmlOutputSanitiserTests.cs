using Microsoft.Data.Analysis;
using SegAlign.Notebooks;
using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

public class HtmlOutputSanitiserTests
{
    [Fact]
    public void A_DataFrame_table_passes_unchanged()
    {
        var frame = new DataFrame(new PrimitiveDataFrameColumn<int>("n", [1, 2]), new StringDataFrameColumn("<name>", ["a & b", "<i>"]));
        string html = DataFrameHtml.Render(frame);
        Assert.Equal(html.Replace("\n", ""), HtmlOutputSanitiser.Sanitise(html).Replace("\n", ""));
    }

    [Fact]
    public void Merged_cells_captions_and_alignment_keep_their_structure()
    {
        const string html = "<table class=\"dataframe\"><caption>c</caption><thead><tr style=\"text-align: right\"><th colspan=\"2\" class=\"num\">a</th></tr></thead>" +
                            "<tbody><tr><td rowspan=\"2\">x</td><td><b>y</b></td></tr><tr><td>z</td></tr></tbody></table>";
        Assert.Equal(html.Replace(" class=\"dataframe\"", ""), HtmlOutputSanitiser.Sanitise(html));
    }

    [Fact]
    public void Scripts_styles_and_embeds_go_with_their_content()
    {
        string html = HtmlOutputSanitiser.Sanitise("<table><tr><td>1<script>alert('x')</script><style>td{background:url(https://e.org)}</style><iframe src=https://e.org>fallback</iframe></td></tr></table>");
        Assert.Equal("<table><tbody><tr><td>1</td></tr></tbody></table>", html);
    }

    [Fact]
    public void Only_spans_alignment_classes_and_text_styles_survive()
    {
        string html = HtmlOutputSanitiser.Sanitise("<table class=x style=\"background:url(https://e.org/a.png)\" onclick='steal()'><tr><td colspan=\"2\" rowspan=3 onmouseover=x class=\"num evil\" style=\"text-align: right; background-image: url(javascript:x)\">v</td><td colspan=\"2;x\">w</td></tr></table>");
        Assert.Equal("<table><tbody><tr><td colspan=\"2\" rowspan=\"3\" class=\"num\" style=\"text-align: right\">v</td><td>w</td></tr></tbody></table>", html);
    }

    [Fact]
    public void Other_elements_are_dropped_but_their_text_stays_escaped()
    {
        string html = HtmlOutputSanitiser.Sanitise("<div><a href=\"javascript:x()\">link</a> &lt;script&gt;alert(1)&lt;/script&gt; 1 < 2 &amp; <!-- note --></div>");
        Assert.Equal("link &lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2 &amp; ", html);
    }

    [Fact]
    public void Only_embedded_raster_images_are_shown_so_nothing_is_fetched()
    {
        const string pixel = "data:image/png;base64,iVBORw0KGgo=";
        Assert.Equal($"<img src=\"{pixel}\" alt=\"dot\">", HtmlOutputSanitiser.Sanitise($"<img src=\"{pixel}\" alt=\"dot\" onerror=\"x()\">"));
        Assert.Equal("<span class=\"muted\">[image not embedded: chart]</span>", HtmlOutputSanitiser.Sanitise("<img src=\"https://e.org/p.png\" alt=\"chart\">"));
        Assert.Equal("<span class=\"muted\">[image not embedded: image]</span>", HtmlOutputSanitiser.Sanitise("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"));
        Assert.Equal("<span class=\"muted\">[image not embedded: image]</span>", HtmlOutputSanitiser.Sanitise($"<img srcset=\"https://e.org/p.png 1x\" src=\"javascript:{pixel}\">"));
    }

    [Fact]
    public void Unclosed_elements_are_closed_and_stray_closes_ignored()
    {
        Assert.Equal("<table><tbody><tr><td>x</td></tr></tbody></table>", HtmlOutputSanitiser.Sanitise("</td><table><tr><td>x"));
        Assert.Equal("<table><tbody><tr><td>x</td></tr></tbody></table>", HtmlOutputSanitiser.Sanitise("<table><tr><td>x</table>"));
        Assert.Equal("<b>x</b>", HtmlOutputSanitiser.Sanitise("<b>x</div></div></main><script>y()</script>"));
    }
}
