using System.Globalization;
using System.Text.Json.Nodes;
using SegAlign.Platform;
using SegAlign.Reports;

namespace SegAlign.Notebooks;

/// <summary>
/// An executed notebook as one self-contained HTML page: Markdown cells rendered (safely), each code cell's source
/// collapsed above its outputs (charts drawn, images embedded, tables sanitised, errors highlighted), then the
/// environment. Refuses notebooks that were never executed: a report of sources without outputs would mislead.
/// </summary>
public static class NotebookReport
{
    const string ExecutedSuffix = ".executed";

    /// <summary>analysis.executed.ipynb (or analysis.ipynb) → analysis.html beside it, or in <paramref name="folder"/>.</summary>
    public static string DefaultOutputPath(string notebookPath, string? folder = null)
    {
        string name = Path.GetFileNameWithoutExtension(notebookPath);
        if (name.EndsWith(ExecutedSuffix, StringComparison.Ordinal)) name = name[..^ExecutedSuffix.Length];
        return Path.Combine(folder ?? Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, name + ".html");
    }

    /// <summary>Loads, checks and renders; writes nothing.</summary>
    /// <exception cref="InputException">Not a readable nbformat 4 notebook, or one that was never executed.</exception>
    public static ReportPage Build(string notebookPath)
    {
        if (!File.Exists(notebookPath))
            throw new InputException(notebookPath, "does not exist", "pass the path of an executed .ipynb notebook (segalign notebook run writes <name>.executed.ipynb)");
        var notebook = Notebook.Load(notebookPath);
        CheckExecuted(notebook, notebookPath);
        return Build(notebook, notebookPath);
    }

    /// <summary>Builds the report and writes it atomically (nothing is written when the notebook is refused); returns where.</summary>
    public static string Write(string notebookPath, string? outputPath = null)
    {
        var page = Build(notebookPath);
        string path = Path.GetFullPath(outputPath ?? DefaultOutputPath(notebookPath));
        page.Save(path);
        return path;
    }

    /// <summary>
    /// Every executed notebook in a folder, one page each in <paramref name="outputFolder"/> (default: the folder).
    /// Where both analysis.ipynb and analysis.executed.ipynb exist the executed copy is reported; never-executed
    /// notebooks and failed runs (*.failed.ipynb) are skipped. All pages are built before any is written.
    /// </summary>
    public static IReadOnlyList<(string Notebook, string Report)> WriteFolder(string folder, string? outputFolder = null)
    {
        if (!Directory.Exists(folder)) throw new InputException(folder, "is not a folder", "pass a folder of notebooks or one .ipynb file");
        var files = Directory.EnumerateFiles(folder, "*.ipynb").Where(f => !f.EndsWith(".failed.ipynb", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var chosen = files.Where(f => f.EndsWith(ExecutedSuffix + ".ipynb", StringComparison.Ordinal)
                                      || !files.Contains(Path.ChangeExtension(f, null) + ExecutedSuffix + ".ipynb")).ToList();
        var pages = new List<(string Notebook, ReportPage Page)>();
        foreach (var file in chosen)
        {
            var notebook = Notebook.Load(file);
            if (IsExecuted(notebook)) pages.Add((file, Build(notebook, file)));
        }
        if (pages.Count == 0)
            throw new InputException(folder, "holds no executed notebook", "run them first: segalign notebook run <notebook.ipynb> writes <notebook>.executed.ipynb");
        return pages.Select(p =>
        {
            string report = DefaultOutputPath(p.Notebook, outputFolder is null ? null : Path.GetFullPath(outputFolder));
            p.Page.Save(report);
            return (p.Notebook, report);
        }).ToList();
    }

    static IEnumerable<Cell> CodeCells(Notebook notebook) =>
        notebook.Cells.Where(c => c.Kind == CellKind.Code && !string.IsNullOrWhiteSpace(c.Source));

    static bool IsExecuted(Notebook notebook) => !CodeCells(notebook).Any() || CodeCells(notebook).Any(c => c.ExecutionCount is not null);

    static void CheckExecuted(Notebook notebook, string path)
    {
        if (IsExecuted(notebook)) return;
        string executed = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + ExecutedSuffix + ".ipynb");
        throw new InputException(path, "has not been executed: none of its code cells has run, so there are no outputs to report",
            File.Exists(executed)
                ? $"report the executed copy instead: segalign report {executed}"
                : $"execute it first with `segalign notebook run {path}`, then report {Path.GetFileName(executed)}");
    }

    static ReportPage Build(Notebook notebook, string path)
    {
        string file = Path.GetFileName(path);
        string? heading = notebook.Cells.Where(c => c.Kind == CellKind.Markdown)
            .SelectMany(c => c.Source.Split('\n')).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();
        var page = new ReportPage(heading is null ? file : $"{heading} — {file}");
        page.Add($"<p class=\"muted\">Notebook <code>{Html.Escape(file)}</code>, rendered by <code>segalign report</code>.</p>\n");
        if (Incomplete(notebook) is { } warning) page.Add($"<p class=\"warning\">{Html.Escape(warning)}</p>\n");

        foreach (var cell in notebook.Cells)
        {
            switch (cell.Kind)
            {
                case CellKind.Markdown:
                    page.Add("<div class=\"cell markdown\">\n").Add(ReportMarkdown.Render(cell.Source, target => Attachment(cell, target))).Add("</div>\n");
                    break;
                case CellKind.Raw:
                    if (!string.IsNullOrWhiteSpace(cell.Source)) page.Add("<div class=\"cell raw\">").Add(Html.Pre(cell.Source)).Add("</div>\n");
                    break;
                case CellKind.Code when !string.IsNullOrWhiteSpace(cell.Source) || cell.Outputs.Count > 0:
                    page.Add("<div class=\"cell code\">\n").Add(Html.Details(CodeSummary(cell), $"<pre><code>{Html.Escape(cell.Source)}</code></pre>", cssClass: "source"));
                    if (cell.Outputs.Count > 0)
                    {
                        page.Add("<div class=\"outputs\">\n");
                        NotebookOutputHtml.RenderAll(cell.Outputs, page);
                        page.Add("</div>\n");
                    }
                    page.Add("</div>\n");
                    break;
            }
        }
        page.Add((ReportEnvironment.Current() with { Facts = Facts(notebook, path) }).ToHtml());
        return page;
    }

    /// <summary>"In [3] · parameters · var preset = …  · 12.5 ms": the line a collapsed code cell shows.</summary>
    static string CodeSummary(Cell cell)
    {
        var parts = new List<string> { cell.ExecutionCount is int n ? $"In [{n}]" : "In [ ] (not run)" };
        if (cell.HasTag(NotebookParameters.ParametersTag)) parts.Add("parameters");
        if (cell.HasTag(NotebookParameters.InjectedTag)) parts.Add("injected parameters");
        parts.Add(cell.FirstLine);
        if (cell.Metadata["segalign"]?["duration_ms"] is JsonValue d && d.TryGetValue(out double ms))
            parts.Add(ms >= 1000 ? $"{(ms / 1000).ToString("F1", CultureInfo.InvariantCulture)} s" : $"{ms.ToString("F0", CultureInfo.InvariantCulture)} ms");
        return string.Join(" · ", parts);
    }

    /// <summary>A run that stopped early says so at the top, so missing outputs are not mistaken for results.</summary>
    static string? Incomplete(Notebook notebook)
    {
        string? status = notebook.Metadata["segalign"]?["status"] is JsonValue s && s.TryGetValue(out string? text) ? text : null;
        string? failure = notebook.Metadata["segalign"]?["failure"] is JsonValue f && f.TryGetValue(out string? why) ? why : null;
        int notRun = CodeCells(notebook).Count(c => c.ExecutionCount is null);
        if (status == "failed" || failure is not null)
            return $"This run failed: {failure ?? "see the error below"}. {(notRun > 0 ? $"{notRun} code cell(s) after it did not run." : "")}".Trim();
        return notRun > 0 ? $"{notRun} code cell(s) did not run; their outputs are missing." : null;
    }

    static List<KeyValuePair<string, string>> Facts(Notebook notebook, string path)
    {
        var facts = new List<KeyValuePair<string, string>> { new("notebook", SafePaths.Shown(path)) };
        if (notebook.Metadata["kernelspec"]?["display_name"] is JsonValue k && k.TryGetValue(out string? kernel)) facts.Add(new("kernel", kernel));
        var jupyter = JupyterRun(notebook);
        var run = notebook.Metadata["segalign"] as JsonObject;
        string Text(string key) => run?[key] is JsonValue v ? v.ToString() : "";
        // Jupyter keeps SegAlign's run metadata when it executes the notebook again: the later run is the one shown.
        bool segalignIsLatest = run is not null && (jupyter is null
            || (DateTimeOffset.TryParse(Text("end"), CultureInfo.InvariantCulture, out var end) && end >= jupyter.Value.End));
        if (segalignIsLatest)
        {
            facts.Add(new("executed by", $"{Text("runner")}, {Text("start")} → {Text("end")} ({Text("status")})"));
            if (run!["parameters"] is JsonObject { Count: > 0 } parameters)
                facts.Add(new("parameters", string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"))));
        }
        else if (jupyter is { } j)
        {
            facts.Add(new("executed by", $"Jupyter (cell timings recorded by nbclient), {Stamp(j.Start)} → {Stamp(j.End)}" +
                                         (run is null ? "" : $"; an earlier `{Text("runner")}` run ({Text("end")}) is superseded")));
            var injected = notebook.Cells.FirstOrDefault(c => c.HasTag(NotebookParameters.InjectedTag));
            facts.Add(new("parameters", injected is null ? "as committed (none injected)" : string.Join(", ", InjectedParameters(injected.Source))));
        }
        return facts;
    }

    static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>When Jupyter executed the notebook: the first cell's start and the last cell's end as nbclient records them.</summary>
    internal static (DateTimeOffset Start, DateTimeOffset End)? JupyterRun(Notebook notebook)
    {
        // nbclient records iopub.status.busy/idle; SegAlign's runner writes only execute_input and execute_reply (and
        // replaces the whole object of every cell it runs), so these keys mark cells Jupyter ran last.
        var times = notebook.Cells.Select(c => c.Metadata["execution"] as JsonObject)
            .OfType<JsonObject>().Where(e => e.ContainsKey("iopub.status.busy") || e.ContainsKey("iopub.status.idle"))
            .SelectMany(e => e.Select(p => p.Value is JsonValue v && v.TryGetValue(out string? t)
                && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : (DateTimeOffset?)null))
            .OfType<DateTimeOffset>().ToList();
        return times.Count == 0 ? null : (times.Min(), times.Max());
    }

    /// <summary>"preset = \"full\";" lines of an injected-parameters cell → "preset=full".</summary>
    static IEnumerable<string> InjectedParameters(string source) =>
        source.Split('\n').Select(l => l.Trim().TrimEnd(';')).Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).Select(p => $"{p[0].Trim().Replace("var ", "", StringComparison.Ordinal)}={p[1].Trim().Trim('"')}");

    /// <summary>"attachment:plot.png" → the cell's attached image as a data: URI (raster types only).</summary>
    static string? Attachment(Cell cell, string target)
    {
        if (!target.StartsWith("attachment:", StringComparison.Ordinal) || cell.Attachments?[target["attachment:".Length..]] is not JsonObject bundle) return null;
        foreach (var (mime, value) in bundle)
            if (value is JsonValue v && v.TryGetValue(out string? base64) && ReportMarkdown.IsEmbeddedImage($"data:{mime};base64,{base64.Trim()}"))
                return $"data:{mime};base64,{base64.Trim()}";
        return null;
    }
}
