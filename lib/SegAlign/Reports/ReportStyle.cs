namespace SegAlign.Reports;

/// <summary>The reports' stylesheet: system fonts only (a web font would be a download), readable tables, print-friendly.</summary>
static class ReportStyle
{
    public const string Css = """
        :root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --rule: #d9dee5; --tint: #f4f6f9; --warn: #8a5a00; --bad: #a61b1b; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
        main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
        h1 { font-size: 1.7rem; margin: 0.5rem 0 0.75rem; }
        h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--rule); }
        h3 { font-size: 1.1rem; margin: 1.5rem 0 0.4rem; }
        a { color: #0b5cad; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
        code { background: var(--tint); padding: 0.05em 0.3em; border-radius: 3px; }
        pre { background: var(--tint); padding: 0.6rem 0.8rem; overflow-x: auto; border-radius: 4px; white-space: pre-wrap; word-break: break-word; }
        pre code { background: none; padding: 0; }
        table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.92em; }
        th, td { border: 1px solid var(--rule); padding: 0.25rem 0.55rem; text-align: left; vertical-align: top; }
        thead th { background: var(--tint); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .align-center { text-align: center; } .align-right { text-align: right; }
        .table-scroll { overflow-x: auto; }
        blockquote { margin: 0.6rem 0; padding: 0.1rem 0.9rem; border-left: 3px solid var(--rule); color: var(--muted); }
        hr { border: 0; border-top: 1px solid var(--rule); margin: 1.2rem 0; }
        details { margin: 0.4rem 0; }
        summary { cursor: pointer; color: var(--muted); }
        .muted, figcaption { color: var(--muted); font-size: 0.9em; }
        .warning { border-left: 4px solid var(--warn); background: #fff8e6; padding: 0.5rem 0.8rem; }
        .error { border-left: 4px solid var(--bad); background: #fdecec; padding: 0.5rem 0.8rem; margin: 0.4rem 0; }
        .error pre { background: transparent; padding: 0; }
        pre.stderr { background: #fff4f4; }
        .verdict-agrees { color: #1d6b2f; font-weight: 600; } .verdict-disagrees { color: var(--bad); font-weight: 600; }
        figure.chart { margin: 0.8rem 0 1.2rem; }
        div.plotly-chart { min-height: 360px; }
        nav.contents { margin: 0.5em 0 1.2em; font-size: 0.95em; }
        nav.contents ol { display: inline; padding: 0; margin: 0 0 0 0.6em; }
        nav.contents li { display: inline; margin-right: 1em; }
        .chart-error { color: var(--bad); min-height: 0; }
        .cell { margin: 0.8rem 0; }
        .cell .outputs { margin-left: 0.2rem; }
        .output img { max-width: 100%; image-rendering: auto; }
        dl.environment { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
        dl.environment dt { color: var(--muted); } dl.environment dd { margin: 0; }

        """;
}
