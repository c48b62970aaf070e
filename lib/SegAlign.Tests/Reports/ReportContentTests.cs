using System.Text.RegularExpressions;
using SegAlign.Experiments;
using SegAlign.Nn;
using SegAlign.Reports;

namespace SegAlign.Tests.Reports;

/// <summary>What the generated pages contain, read as text (the browser tests check how they behave).</summary>
[Collection(GeneratedReportsCollection.Name)]
public class ReportContentTests(GeneratedReports reports)
{
    static string Text(string path) => File.ReadAllText(path);

    /// <summary>The page without the inlined plotly.js, whose source mentions URLs it never loads for these charts.</summary>
    static string WithoutLibrary(string html) => Regex.Replace(html, "<script data-library=[^>]*>.*?</script>", "", RegexOptions.Singleline);

    [Fact]
    public void An_experiment_report_opens_with_a_table_of_contents_whose_links_all_land()
    {
        string html = Text(reports.Report("experiment"));
        var nav = Regex.Match(html, "<nav class=\"contents\"[^>]*>(.*?)</nav>", RegexOptions.Singleline);
        Assert.True(nav.Success, "no table of contents");
        var targets = Regex.Matches(nav.Groups[1].Value, "href=\"#([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("verdicts", targets);
        Assert.Contains("environment", targets);
        Assert.All(targets, id => Assert.Contains($"id=\"{id}\"", html));
        Assert.True(html.IndexOf("</h1>", StringComparison.Ordinal) < nav.Index, "the contents belong under the title");
    }

    [Theory]
    [InlineData("notebook")]
    [InlineData("experiment")]
    public void Plotly_js_is_inlined_exactly_once_and_nothing_is_loaded_from_elsewhere(string kind)
    {
        string html = Text(reports.Report(kind));
        Assert.Single(Regex.Matches(html, "<script data-library=\"plotly\\.js "));
        Assert.Single(Regex.Matches(html, Regex.Escape($"plotly.js (cartesian - minified) v{PlotlyJs.Version}")));
        Assert.Matches("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]{44}' 'sha256-[A-Za-z0-9+/=]{44}';", html);
        string page = WithoutLibrary(html);
        Assert.DoesNotMatch("<script[^>]+src=", page);
        Assert.DoesNotMatch("<link[\\s>]", page);
        Assert.DoesNotMatch("@import|url\\(", page);
        Assert.All(Regex.Matches(page, "src=\"([^\"]*)\"").Select(m => m.Groups[1].Value), src => Assert.StartsWith("data:", src));
    }

    [Theory]
    [InlineData("notebook")]
    [InlineData("experiment")]
    public void A_page_names_no_absolute_path_of_the_machine_that_made_it(string kind)
    {
        string page = WithoutLibrary(Text(reports.Report(kind)));
        Assert.DoesNotContain(reports.Store.Root, page);
        Assert.DoesNotContain(reports.NotebookFolderPath, page);
        Assert.DoesNotContain(Path.GetTempPath(), page);
    }

    [Fact]
    public void A_page_without_charts_does_not_carry_plotly_js()
    {
        Assert.DoesNotContain("data-library", Text(reports.FailedNotebookReportPath));
    }

    [Fact]
    public void The_notebook_report_renders_markdown_outputs_and_escapes_what_it_shows()
    {
        string html = Text(reports.NotebookReportPath);
        Assert.Contains("<h1>Tiny analysis</h1>", html);
        Assert.Contains("<a href=\"https://example.org/docs\" rel=\"noopener noreferrer\">link</a>", html);
        Assert.Contains("<th class=\"align-right\">mIoU</th>", html);
        Assert.Contains("&lt;script&gt;document.title", html);
        Assert.Contains("[image not embedded: a remote picture]", html);
        Assert.Contains("<pre class=\"stream stdout\">hello from the notebook", html);
        Assert.Contains("<pre class=\"stream stderr\">a warning on stderr", html);
        Assert.Contains("<th>&lt;script&gt;</th>", html);
        Assert.Contains("<td>&lt;b onclick=x&gt;</td>", html);
        Assert.Contains("<img src=\"data:image/png;base64,", html);
        Assert.Contains("<details class=\"source\"><summary>In [1]", html);
        Assert.DoesNotContain("class=\"warning\"", html);
    }

    [Fact]
    public void A_failed_run_is_flagged_at_the_top_and_its_error_shown()
    {
        string html = Text(reports.FailedNotebookReportPath);
        Assert.Contains("<p class=\"warning\">This run failed: fails.ipynb cell 2", html);
        Assert.Contains("1 code cell(s) after it did not run.", html);
        Assert.Contains("<div class=\"error\"><strong>InvalidOperationException: the data folder is empty</strong>", html);
        Assert.Contains("In [ ] (not run)", html);
    }

    [Fact]
    public void The_experiment_report_has_the_paper_style_table_claims_charts_and_per_class_iou()
    {
        string html = Text(reports.ExperimentReportPath);
        Assert.Contains("<h1>Ablation report: sfnet, preset smoke</h1>", html);
        Assert.Contains("<th>Δ mIoU vs bilinear (paired t)</th>", html);
        Assert.Matches("<tr>\n<td>fam</td>\n<td>2</td>\n<td>[0-9.]+ ± [0-9.]+</td>\n<td>[-+][0-9.]+ \\[[-+][0-9.]+, [-+][0-9.]+\\] \\(p=[0-9.]+, n=2\\)</td>", html);
        Assert.Contains("<th>paper's claim</th>", html);
        // Every page says what it is and how to reproduce it.
        Assert.Contains("<summary>What was measured</summary>", html);
        Assert.Contains("FashionScenes at 32 px", html);
        Assert.Contains("environment/segalign ablation run sfnet --preset smoke", html);
        Assert.Contains("fam vs bilinear (miou, expected higher)", html);
        Assert.Contains("planned run(s) missing", html); // two of four variants, two of three seeds
        foreach (var title in new[] { "Claims and diagnostics: sfnet at smoke", "mIoU per seed", "Boundary F-score per seed", "Cost vs accuracy", "Per-class IoU difference vs bilinear" })
            Assert.Contains($"\"title\":{{\"text\":\"{title}\"", html);
        Assert.Contains("<td>T-shirt/top</td>", html);
        Assert.Contains("4 finished run(s)", html);
    }

    [Fact]
    public void Every_report_has_the_environment_block()
    {
        var rows = ExperimentRunner.Rows(ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", GeneratedReports.Overrides, [0, 1], ["bilinear", "fam"]), reports.Store);
        string experiment = Text(reports.ExperimentReportPath);
        var first = rows[0];
        Assert.Contains($"<code>{first.Metrics.Commit}</code>", experiment);
        Assert.Contains("report generated by", experiment);
        Assert.Contains("overrides (--set)</dt><dd>train.iterations=2", experiment);
        foreach (var hash in rows.Select(r => r.Run.Hash).Distinct())
            Assert.Contains($"— config {hash}, seeds 0, 1</summary><pre class=\"json\">", experiment);
        Assert.Contains(first.Metrics.Runtime.Replace("·", "&#183;"), experiment);
        foreach (string page in new[] { experiment, Text(reports.NotebookReportPath), Text(reports.FailedNotebookReportPath) })
        {
            Assert.Contains("<h2 id=\"environment\">Environment</h2>", page);
            Assert.Matches("TorchSharp [0-9.]+ &#183; libtorch [0-9.]+", page);
            Assert.Matches("device \\(this machine\\)</dt><dd>(CPU|GPU) — ", page);
            Assert.All(FlopConvention.Rules, rule => Assert.Contains(System.Net.WebUtility.HtmlEncode(rule), page));
        }
    }

    [Fact]
    public void Reporting_results_without_the_overrides_they_were_run_with_says_which_to_pass()
    {
        string output = Path.Combine(reports.Store.Root, "without-overrides.html");
        var error = Assert.Throws<InputException>(() => ExperimentReport.Write("sfnet", "smoke", reports.Store, output));
        Assert.Contains("holds no finished run of sfnet at preset smoke", error.Message);
        Assert.Contains("runs.csv lists 4 run(s) of sfnet with other configs: pass the same --set overrides", error.Message);
        Assert.False(File.Exists(output));
    }
}
