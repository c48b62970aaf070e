using System.Text.Json;
using Microsoft.Playwright;

namespace SegAlign.Tests.Reports;

/// <summary>What a report did when a real browser opened it.</summary>
public sealed record PageVisit(
    string Url,
    IReadOnlyList<string> ConsoleErrors,
    IReadOnlyList<string> Requests,
    IReadOnlyList<string> BlockedNetworkRequests,
    int Charts,
    int DrawnCharts,
    int Images,
    int LoadedImages,
    IReadOnlyList<string> VisibleErrors,
    string Title,
    IReadOnlyList<string> ActiveContent);

/// <summary>
/// The system Chromium (Debian's chromium package) driven by Playwright's node driver from the NuGet package:
/// nothing is downloaded — PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set and the executable is given explicitly. Every
/// http(s) request a page makes is recorded and aborted, so a report that reaches for the network fails its test
/// even on a machine that is online.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public const string InstallHint =
        "The report tests open reports in the system Chromium at " + ExecutablePath + ", which is missing. Install it with " +
        "`sudo apt-get install -y --no-install-recommends chromium chromium-driver` (Debian/Ubuntu; `environment/test` does this " +
        "when it runs as root or with passwordless sudo), then run the tests again.";

    // Root in containers needs --no-sandbox; the rest keeps Chromium from calling home or updating itself during the test.
    static readonly string[] launchArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--disable-dev-shm-usage", "--disable-default-apps", "--disable-extensions",
        "--metrics-recording-only", "--no-default-browser-check",
    ];

    readonly IPlaywright playwright;
    readonly IBrowser browser;

    HeadlessChromium(IPlaywright playwright, IBrowser browser) => (this.playwright, this.browser) = (playwright, browser);

    /// <summary>Starts the browser, or fails with how to install it (the test must not pass without having looked).</summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        if (!File.Exists(ExecutablePath)) Assert.Fail(InstallHint);
        string driver = Path.Combine(AppContext.BaseDirectory, ".playwright", "package", "cli.js");
        if (!File.Exists(driver))
            Assert.Fail($"Playwright's driver is missing from the build output ({driver}); restore and build the test project again (the Microsoft.Playwright package copies it there).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = launchArguments,
                Timeout = 60_000,
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens a report file, waits until every chart is drawn (or has failed), and reports what happened.</summary>
    /// <param name="bypassContentSecurityPolicy">Ignore the page's CSP, to see what its escaping alone lets through.</param>
    public async Task<PageVisit> VisitAsync(string reportPath, bool bypassContentSecurityPolicy = false)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ServiceWorkers = ServiceWorkerPolicy.Block,
            BypassCSP = bypassContentSecurityPolicy,
        });
        var consoleErrors = new List<string>();
        var requests = new List<string>();
        var blocked = new List<string>();
        await context.RouteAsync("**/*", async route =>
        {
            string url = route.Request.Url;
            if (url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            {
                lock (blocked) blocked.Add(url);
                await route.AbortAsync();
            }
            else await route.ContinueAsync();
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") lock (consoleErrors) consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => { lock (consoleErrors) consoleErrors.Add($"uncaught: {error}"); };
        page.Request += (_, request) => { lock (requests) requests.Add(request.Url); };
        page.WebSocket += (_, socket) => { lock (blocked) blocked.Add(socket.Url); };

        string url = new Uri(Path.GetFullPath(reportPath)).AbsoluteUri;
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('div.plotly-chart')].every(d => d.querySelector('svg.main-svg') || d.classList.contains('chart-error'))",
            null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });
        // Let handlers that fire on their own (onerror, onload, onfocus, ontoggle, timers) have their turn.
        await page.WaitForTimeoutAsync(200);
        var facts = await page.EvaluateAsync<JsonElement>(ActiveContentProbe);
        var more = await page.EvaluateAsync<JsonElement>("""
            () => {
              const charts = [...document.querySelectorAll('div.plotly-chart')];
              const images = [...document.images];
              const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
              return {
                charts: charts.length,
                drawn: charts.filter(d => d.querySelector('svg.main-svg')).length,
                images: images.length,
                loaded: images.filter(i => i.complete && i.naturalWidth > 0).length,
                errors: [...document.querySelectorAll('.error')].filter(visible).map(e => e.textContent.trim()),
                title: document.title
              };
            }
            """);
        lock (consoleErrors)
        lock (requests)
        lock (blocked)
            return new PageVisit(url, [.. consoleErrors], [.. requests], [.. blocked],
                more.GetProperty("charts").GetInt32(), more.GetProperty("drawn").GetInt32(),
                more.GetProperty("images").GetInt32(), more.GetProperty("loaded").GetInt32(),
                [.. more.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? "")],
                more.GetProperty("title").GetString() ?? "",
                [.. facts.EnumerateArray().Select(e => e.GetString() ?? "")]);
    }

    /// <summary>
    /// Everything in the report's content (main) that could run code or load something, as the browser parsed it: active
    /// elements, foreign (SVG/MathML) elements, event-handler and URL-carrying attributes, links to other than
    /// http(s)/mailto/the page's own folder, images not embedded, and styles that reach for URLs or expressions.
    /// </summary>
    const string ActiveContentProbe = """
        () => {
          const found = [];
          const active = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'BASE', 'FORM', 'META', 'LINK',
            'STYLE', 'TEMPLATE', 'AUDIO', 'VIDEO', 'SOURCE', 'TRACK', 'INPUT', 'BUTTON', 'TEXTAREA', 'SELECT', 'PORTAL', 'NOSCRIPT']);
          const urlAttributes = new Set(['srcdoc', 'action', 'formaction', 'background', 'poster', 'srcset', 'ping', 'xlink:href', 'data', 'codebase', 'dynsrc', 'lowsrc']);
          for (const el of document.querySelectorAll('main *')) {
            const name = el.tagName;
            const chartData = name === 'SCRIPT' && el.type === 'application/json' && el.parentElement.matches('figure.chart');
            if (active.has(name) && !chartData) found.push('element <' + name.toLowerCase() + '>');
            if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') found.push('foreign element <' + el.localName + '> in ' + el.namespaceURI);
            for (const a of el.attributes) {
              if (a.name.toLowerCase().startsWith('on')) found.push('event handler ' + a.name + ' on <' + el.localName + '>');
              if (urlAttributes.has(a.name.toLowerCase())) found.push('attribute ' + a.name + ' on <' + el.localName + '>');
            }
            if (name === 'A' && el.hasAttribute('href') && !['http:', 'https:', 'mailto:', 'file:'].includes(el.protocol)) found.push('link to ' + el.protocol + ' ' + el.href);
            if (name === 'IMG' && !/^data:image\/(png|jpeg|gif|webp);base64,/.test(el.getAttribute('src') || '')) found.push('image from ' + el.getAttribute('src'));
            const style = el.getAttribute('style') || '';
            if (/url\s*\(|expression|javascript|@import|behavior/i.test(style)) found.push('style ' + style);
          }
          return found;
        }
        """;

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
