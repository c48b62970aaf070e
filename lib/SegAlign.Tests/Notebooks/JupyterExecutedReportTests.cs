using System.Text.RegularExpressions;
using SegAlign.Experiments;
using SegAlign.Notebooks;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// Issue 32 item 2: a notebook the stock kernel executed through Jupyter (a real one, Fixtures/stock-kernel-executed.ipynb,
/// run by environment/jupyter-run) reports like one SegAlign's runner executed — chart drawn from the kernel's string-form
/// figure, no kernel helper script, one block per stream, and the run that produced the outputs named.
/// </summary>
public class JupyterExecutedReportTests
{
    static readonly string Fixture = Path.Combine(Presets.RepositoryRoot, "lib", "SegAlign.Tests", "Notebooks", "Fixtures", "stock-kernel-executed.ipynb");

    [Fact]
    public void The_chart_the_stock_kernel_sent_as_a_string_is_drawn()
    {
        var page = NotebookReport.Build(Fixture);
        Assert.Equal(1, page.ChartCount);
        string html = page.Render();
        Assert.DoesNotContain("is not a Plotly figure", html);
        Assert.Contains("\"markers+text\"", html.Replace("\\u002B", "+", StringComparison.Ordinal));
        // Where scripts do not run, the kernel's own summary table stands in for the chart.
        Assert.Matches("(?s)<noscript>.*?<td>Pareto front</td>.*?</noscript>", html);
    }

    [Fact]
    public void The_kernels_helper_script_is_left_out_and_a_cells_stdout_lines_share_one_block()
    {
        string html = NotebookReport.Build(Fixture).Render();
        Assert.DoesNotContain("The below script needs", html);
        Assert.DoesNotContain("probeAddresses", html);
        var blocks = Regex.Matches(html, "<pre class=\"stream stdout\">(.*?)</pre>", RegexOptions.Singleline);
        var block = Assert.Single(blocks);
        Assert.Equal("line one\nline two\nline three\n", block.Groups[1].Value);
    }

    [Fact]
    public void Provenance_names_the_jupyter_run_and_its_injected_parameters_not_the_stale_segalign_run()
    {
        string html = NotebookReport.Build(Fixture).Render();
        Assert.Contains("Jupyter (cell timings recorded by nbclient), 2026-12-08T", html);
        Assert.Contains("an earlier `segalign notebook run` run (2026-12-01T10:01:00Z) is superseded", html.Replace("&#96;", "`", StringComparison.Ordinal));
        Assert.Contains("preset=full", html);
        Assert.DoesNotContain("preset=smoke", html);
    }

    [Fact]
    public void A_segalign_run_whose_cell_clock_ran_past_its_end_is_still_a_segalign_run()
    {
        // SegAlign's runner writes only execute_input / execute_reply; a stepped wall clock must not make it "Jupyter".
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Fixture))!;
        foreach (var cell in json["cells"]!.AsArray())
            if (cell!["metadata"]!["execution"] is System.Text.Json.Nodes.JsonObject)
                cell["metadata"]!["execution"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["iopub.execute_input"] = "2026-12-01T10:00:30Z", ["shell.execute_reply"] = "2026-12-01T10:05:00Z",
                };
        string path = Path.Combine(Path.GetTempPath(), $"segalign-run-{Guid.NewGuid():N}.ipynb");
        try
        {
            File.WriteAllText(path, json.ToJsonString());
            string html = NotebookReport.Build(path).Render();
            Assert.Contains("segalign notebook run, 2026-12-01T10:00:00Z", html);
            Assert.DoesNotContain("Jupyter (cell timings", html);
        }
        finally { File.Delete(path); }
    }
}
