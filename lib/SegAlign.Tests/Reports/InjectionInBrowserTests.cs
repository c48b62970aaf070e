using System.Text.Json.Nodes;
using SegAlign.Notebooks;
using SegAlign.Tests.Notebooks;

namespace SegAlign.Tests.Reports;

/// <summary>
/// The report's escaping on its own, with the Content-Security-Policy switched off: each OWASP filter-evasion class's
/// payloads go into a notebook (as Markdown cells and text/markdown outputs, or as text/html outputs), the report is
/// opened in headless Chromium, and nothing may run, load, or be left in the page able to run or load later.
/// </summary>
public sealed class InjectionInBrowserTests(InjectionInBrowserTests.Browser browser) : IClassFixture<InjectionInBrowserTests.Browser>
{
    [Theory]
    [MemberData(nameof(InjectionPayloads.Classes), MemberType = typeof(InjectionPayloads))]
    public async Task Markdown_runs_nothing_and_requests_nothing(string owaspClass)
    {
        var payloads = InjectionPayloads.Markdown.Where(p => p.Class == owaspClass).Select(p => p.Payload).ToList();
        var cells = payloads.Select(Cell.Markdown)
            .Append(ExecutedCode(payloads.Select(p => Output.Display(new JsonObject { ["text/markdown"] = p, ["text/plain"] = "markdown" }))));
        await AssertInert(owaspClass, browser.Folder.Write("markdown.ipynb", [.. cells]));
    }

    [Theory]
    [MemberData(nameof(InjectionPayloads.Classes), MemberType = typeof(InjectionPayloads))]
    public async Task Html_outputs_run_nothing_and_request_nothing(string owaspClass)
    {
        var outputs = InjectionPayloads.Html.Where(p => p.Class == owaspClass)
            .Select(p => Output.Display(new JsonObject { ["text/html"] = p.Payload, ["text/plain"] = "html" }));
        await AssertInert(owaspClass, browser.Folder.Write("html.ipynb", ExecutedCode(outputs)));
    }

    /// <summary>The probe can fail: the same payload written into a page unescaped is caught running, loading and lingering.</summary>
    [Fact]
    public async Task The_probe_catches_a_payload_that_gets_through()
    {
        string path = browser.Folder.File("unescaped.html");
        File.WriteAllText(path, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><main>" +
                                "<img src=x oNeRrOr=\"fetch('https://example.invalid/ran')\"><a href=\"&#106;avascript:alert(1)\">a</a>" +
                                "<svg><script>document.title='pwned'</script></svg><b style=\"background:url(javascript:x)\">b</b></main></body></html>");

        var visit = await (await browser.Chromium).VisitAsync(path, bypassContentSecurityPolicy: true);

        Assert.Contains("https://example.invalid/ran", visit.BlockedNetworkRequests);
        Assert.Equal("pwned", visit.Title);
        Assert.Contains(visit.ActiveContent, f => f.StartsWith("event handler onerror", StringComparison.Ordinal));
        Assert.Contains(visit.ActiveContent, f => f.StartsWith("link to javascript:", StringComparison.Ordinal));
        Assert.Contains(visit.ActiveContent, f => f.StartsWith("foreign element <svg>", StringComparison.Ordinal));
        Assert.Contains(visit.ActiveContent, f => f.StartsWith("style background:url(javascript:x)", StringComparison.Ordinal));
    }

    static Cell ExecutedCode(IEnumerable<Output> outputs)
    {
        var cell = Cell.Code("show(payloads)");
        cell.ExecutionCount = 1;
        foreach (var output in outputs) cell.Outputs.Add(output);
        return cell;
    }

    async Task AssertInert(string owaspClass, string notebookPath)
    {
        string report = NotebookReport.Write(notebookPath);

        var visit = await (await browser.Chromium).VisitAsync(report, bypassContentSecurityPolicy: true);

        Assert.True(visit.BlockedNetworkRequests.Count == 0, $"{owaspClass}: the page reached for {string.Join(", ", visit.BlockedNetworkRequests)}");
        Assert.All(visit.Requests, url => Assert.Equal(visit.Url, url));
        Assert.True(visit.ConsoleErrors.Count == 0, $"{owaspClass}: console errors {string.Join(" | ", visit.ConsoleErrors)}");
        Assert.NotEqual("pwned", visit.Title);
        Assert.True(visit.ActiveContent.Count == 0, $"{owaspClass}: the page holds {string.Join(" | ", visit.ActiveContent)}");
    }

    /// <summary>One browser and one folder for every payload.</summary>
    public sealed class Browser : IAsyncLifetime
    {
        Task<HeadlessChromium>? chromium;

        public NotebookFolder Folder { get; } = new();

        public Task<HeadlessChromium> Chromium => chromium ??= HeadlessChromium.StartAsync();

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            if (chromium is { IsCompletedSuccessfully: true }) await (await chromium).DisposeAsync();
            Folder.Dispose();
        }
    }
}
