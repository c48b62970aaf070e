using SegAlign.Display;
using SegAlign.Notebooks;
using SegAlign.Visualisation;

namespace SegAlign.Tests.Visualisation;

public class DisplayTests
{
    [Fact]
    public void Computed_prose_displays_as_markdown_and_figures_as_png()
    {
        var prose = MimeFormatter.Format(new Markdown("**agrees** (p = 0.01)"));
        Assert.Equal("**agrees** (p = 0.01)", prose.Data["text/markdown"]!.GetValue<string>());
        Assert.Equal("**agrees** (p = 0.01)", prose.Data["text/plain"]!.GetValue<string>());

        var legend = ColourWheel.Legend(32);
        var figure = MimeFormatter.Format(legend);
        Assert.True(figure.Data.ContainsKey("image/png"));
        Assert.Equal(legend.Width, figure.Metadata!["image/png"]!["width"]!.GetValue<int>());

        var chart = MimeFormatter.Format(Charts.Confusion(SegAlign.Evaluation.ConfusionMatrix.FromCounts(2, [1, 0, 0, 1]), ["a", "b"]));
        Assert.True(chart.Data.ContainsKey(MimeFormatter.PlotlyMime));
    }

    [Fact]
    public void A_chart_also_shows_as_a_script_free_html_summary()
    {
        var chart = MimeFormatter.Format(Charts.Confusion(SegAlign.Evaluation.ConfusionMatrix.FromCounts(2, [3, 1, 0, 4]), ["a<b", "c"]));

        string html = chart.Data["text/html"]!.GetValue<string>();
        string title = chart.Data[MimeFormatter.PlotlyMime]!["layout"]!["title"]!["text"]!.GetValue<string>();
        Assert.Contains(System.Net.WebUtility.HtmlEncode(title), html);
        Assert.Contains("<td>heatmap</td><td>4</td>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("a<b", html);
    }
}
