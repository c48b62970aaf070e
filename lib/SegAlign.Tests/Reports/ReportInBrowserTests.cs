namespace SegAlign.Tests.Reports;

/// <summary>
/// Reports opened in headless Chromium, as a reader would open them: offline-clean (no console error, no request
/// but the file itself), every chart drawn by the inlined plotly.js, every image decoded.
/// </summary>
[Collection(GeneratedReportsCollection.Name)]
public class ReportInBrowserTests(GeneratedReports reports)
{
    [Theory]
    [InlineData("notebook")]
    [InlineData("failed-notebook")]
    [InlineData("experiment")]
    public async Task A_report_opens_without_console_errors_and_requests_nothing_but_itself(string kind)
    {
        var visit = await (await reports.Browser()).VisitAsync(reports.Report(kind));

        Assert.Empty(visit.ConsoleErrors);
        Assert.Empty(visit.BlockedNetworkRequests);
        Assert.All(visit.Requests, url => Assert.Equal(visit.Url, url));
    }

    [Theory]
    [InlineData("notebook", 1, 2)]
    [InlineData("experiment", 7, 0)] // the verdicts' forest plot, per seed ×2, cost, per class, the baseline's confusion and the claim's difference
    public async Task Every_chart_is_drawn_and_every_image_loaded(string kind, int charts, int images)
    {
        var visit = await (await reports.Browser()).VisitAsync(reports.Report(kind));

        Assert.Equal(charts, visit.Charts);
        Assert.Equal(visit.Charts, visit.DrawnCharts);
        Assert.Equal(images, visit.Images);
        Assert.Equal(visit.Images, visit.LoadedImages);
        Assert.Empty(visit.VisibleErrors);
    }

    [Theory]
    [InlineData("notebook")]
    [InlineData("experiment")]
    public async Task Every_figure_has_ink_and_every_chart_label_sits_in_its_chart_clear_of_the_others(string kind)
    {
        var visit = await (await reports.Browser()).VisitAsync(reports.Report(kind));

        Assert.Empty(visit.BlankImages);
        Assert.Empty(visit.LabelProblems);
    }

    /// <summary>The figure checks can fail: a white image, point labels on top of each other and a label pushed out of
    /// the plot area are all reported.</summary>
    [Fact]
    public async Task The_figure_check_catches_blank_images_and_colliding_or_escaping_labels()
    {
        var white = SegAlign.Visualisation.Canvas.Render(40, 30, _ => { });
        var chart = System.Text.Json.Nodes.JsonNode.Parse("""
            {"data": [{"type": "scatter", "mode": "markers+text", "x": [1, 1.001, 2], "y": [5, 5, 9.99],
                       "text": ["sfnet label", "fpn label", "rsp"], "textposition": "top center"}],
             "layout": {"title": {"text": "collisions"}, "yaxis": {"range": [0, 10]}, "height": 300}}
            """)!.AsObject();
        var page = new SegAlign.Reports.ReportPage("figures")
            .Add($"<img src=\"data:image/png;base64,{Convert.ToBase64String(white.Png)}\" alt=\"white\">").Chart(chart);
        string path = Path.Combine(reports.NotebookFolderPath, "figures.html");
        page.Save(path);

        var visit = await (await reports.Browser()).VisitAsync(path);

        Assert.Contains(visit.BlankImages, b => b.Contains("white", StringComparison.Ordinal));
        Assert.Contains(visit.LabelProblems, p => p.Contains("\"sfnet label\" overlaps \"fpn label\"", StringComparison.Ordinal));
        Assert.Contains(visit.LabelProblems, p => p.Contains("\"rsp\" lies outside the plot area", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_runs_error_is_visible_on_the_page()
    {
        var visit = await (await reports.Browser()).VisitAsync(reports.FailedNotebookReportPath);

        var error = Assert.Single(visit.VisibleErrors);
        Assert.Contains("InvalidOperationException: the data folder is empty", error);
    }

    /// <summary>The checks above can fail: a page that fetches, logs an error and shows broken images is caught on all three.</summary>
    [Fact]
    public async Task The_browser_check_catches_requests_console_errors_and_broken_images()
    {
        string path = Path.Combine(reports.NotebookFolderPath, "misbehaving.html");
        File.WriteAllText(path, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>" +
                                "<img src=\"https://example.invalid/picture.png\"><img src=\"data:image/png;base64,bm90IGEgcG5n\">" +
                                "<script>console.error('something broke')</script></body></html>");

        var visit = await (await reports.Browser()).VisitAsync(path);

        Assert.Contains("https://example.invalid/picture.png", visit.BlockedNetworkRequests);
        Assert.Contains(visit.ConsoleErrors, e => e.Contains("something broke", StringComparison.Ordinal));
        Assert.Equal(2, visit.Images);
        Assert.Equal(0, visit.LoadedImages);
    }

    /// <summary>Were the report's own escaping to fail, its Content-Security-Policy still stops the load, and says so.</summary>
    [Fact]
    public async Task The_reports_content_security_policy_blocks_what_escaping_might_miss()
    {
        var page = new SegAlign.Reports.ReportPage("injected")
            .Add("<img src=\"https://example.invalid/tracker.png\"><script>fetch('https://example.invalid/steal')</script>")
            .Chart(new System.Text.Json.Nodes.JsonObject { ["data"] = new System.Text.Json.Nodes.JsonArray() });
        string path = Path.Combine(reports.NotebookFolderPath, "injected.html");
        page.Save(path);

        var visit = await (await reports.Browser()).VisitAsync(path);

        Assert.Empty(visit.BlockedNetworkRequests);
        // Chromium's wording changes between versions ("Refused to load …", "Loading … violates …"); the gist does not.
        Assert.Contains(visit.ConsoleErrors, e => e.Contains("example.invalid/tracker.png", StringComparison.Ordinal) && e.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.Contains(visit.ConsoleErrors, e => e.Contains("inline script", StringComparison.OrdinalIgnoreCase) && e.Contains("Content Security Policy", StringComparison.Ordinal));
        // The page's own scripts are allowed by their hashes: its chart is drawn.
        Assert.Equal(1, visit.DrawnCharts);
    }
}
