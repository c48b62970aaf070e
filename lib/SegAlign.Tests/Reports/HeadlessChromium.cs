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
    IReadOnlyList<string> ActiveContent,
    IReadOnlyList<string> BlankImages,
    IReadOnlyList<string> LabelProblems);

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
        var figures = await page.EvaluateAsync<JsonElement>(FigureProbe);
        // For a person checking the layout by eye: the whole page as the browser drew it.
        if (Environment.GetEnvironmentVariable("SEGALIGN_FIGURES") is { Length: > 0 } folder)
            await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true, Path = Path.Combine(folder, Path.GetFileNameWithoutExtension(reportPath) + ".png") });
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
                [.. facts.EnumerateArray().Select(e => e.GetString() ?? "")],
                [.. figures.GetProperty("blank").EnumerateArray().Select(e => e.GetString() ?? "")],
                [.. figures.GetProperty("labels").EnumerateArray().Select(e => e.GetString() ?? "")]);
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

    /// <summary>
    /// What a reader would see wrong in the figures, from the rendered page: images with (almost) nothing drawn — under
    /// 1 % of their pixels other than white or transparent — and, per Plotly chart, labels from the rendered SVG's
    /// bounding boxes: a label on the data (point text, annotation) outside the plot area or touching its edge, or on
    /// another point's marker, any text outside the chart, and two texts that overlap (labels on the data must keep
    /// 3 px clear of all others; ticks, titles and legend entries must not overlap by more than a sliver).
    /// </summary>
    const string FigureProbe = """
        () => {
          const blank = [];
          [...document.images].forEach((img, i) => {
            if (!img.complete || img.naturalWidth === 0) return;
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const context = canvas.getContext('2d');
            context.drawImage(img, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let p = 0; p < pixels.length; p += 4)
              if (pixels[p + 3] > 16 && pixels[p] + pixels[p + 1] + pixels[p + 2] < 3 * 245) inked++;
            if (inked < 0.01 * canvas.width * canvas.height) blank.push('image ' + (i + 1) + ' (' + (img.alt || 'no alt') + '): ' + inked + ' of ' + canvas.width * canvas.height + ' pixels drawn');
          });
          const labels = [];
          const shown = e => e.getClientRects().length > 0 && e.textContent.trim() !== '' && getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).opacity !== '0';
          const inside = (r, a, slack) => r.left >= a.left - slack && r.right <= a.right + slack && r.top >= a.top - slack && r.bottom <= a.bottom + slack;
          const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
          document.querySelectorAll('div.plotly-chart').forEach(div => {
            const svg = div.querySelector('svg.main-svg');
            if (!svg) return;
            const chart = svg.getBoundingClientRect();
            const name = (div.querySelector('.gtitle') || {}).textContent || div.id;
            const area = div.querySelector('.nsewdrag');
            const plot = area ? area.getBoundingClientRect() : chart;
            const texts = [...div.querySelectorAll('svg text')].filter(shown).map(e => ({ e, r: e.getBoundingClientRect(), t: e.textContent.trim(), onData: !!e.closest('.textpoint, .annotation') }));
            const grow = (r, d) => ({ left: r.left - d, right: r.right + d, top: r.top - d, bottom: r.bottom + d });
            for (const x of texts) {
              if (!inside(x.r, chart, 1)) labels.push(name + ': "' + x.t + '" reaches outside the chart');
              // A label on the data keeps 3 px from the plot area's edges: one that touches the edge reads as cut off.
              if (x.onData && !inside(grow(x.r, 3), plot, 0)) labels.push(name + ': "' + x.t + '" lies outside the plot area or touches its edge');
            }
            for (let i = 0; i < texts.length; i++)
              for (let j = i + 1; j < texts.length; j++) {
                // Labels on the data keep 3 px clear of any other text; the rest (ticks, titles, legend) must not overlap.
                const clearance = texts[i].onData || texts[j].onData ? 3 : 0;
                if (overlap(grow(texts[i].r, clearance), texts[j].r) > (clearance ? 0 : 0.15 * Math.min(texts[i].r.width * texts[i].r.height, texts[j].r.width * texts[j].r.height)))
                  labels.push(name + ': "' + texts[i].t + '" overlaps "' + texts[j].t + '"');
              }
            // A point's label must not sit on another point's marker.
            div.querySelectorAll('.scatterlayer .trace').forEach((trace, t) => {
              trace.querySelectorAll('.textpoint').forEach((label, k) => {
                if (!shown(label)) return;
                const r = label.getBoundingClientRect();
                div.querySelectorAll('.scatterlayer .trace').forEach((other, u) => other.querySelectorAll('.points .point').forEach((marker, m) => {
                  if (u === t && m === k) return;
                  if (overlap(r, marker.getBoundingClientRect()) > 0) labels.push(name + ': "' + label.textContent.trim() + '" covers another point');
                }));
              });
            });
          });
          return { blank, labels };
        }
        """;

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
