using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis;
using SegAlign.Display;

namespace SegAlign.Notebooks;

public sealed record NotebookRunSettings
{
    /// <summary>Names the notebook in messages; its folder resolves `#r` paths and is the working directory while cells run.</summary>
    public required string NotebookPath { get; init; }

    /// <summary>Parameter name → value as typed on the command line (-p name=value).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Where Directory.Packages.props is; null: $SEGALIGN_HOME, else upwards from the notebook and the working directory.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>Progress, one line per cell (null: silent).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Also copies what cells print to this writer as they print it (null: captured only).</summary>
    public TextWriter? Echo { get; init; }
}

/// <summary>The first failing cell: its index in <see cref="Notebook.Cells"/>, how messages name it, and the error.
/// <paramref name="BadInput"/>: the library refused an input (an <see cref="InputException"/>, e.g. an unknown preset
/// passed with -p), as opposed to a bug or a failed computation.</summary>
public sealed record CellFailure(int CellIndex, string Cell, string ErrorName, string Message, bool BadInput = false)
{
    public override string ToString() => $"{Cell} failed: {ErrorName}: {Message}";
}

public sealed record NotebookExecution(Notebook Notebook, CellFailure? Failure, TimeSpan Duration)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs a C# notebook's code cells in order, in one Roslyn script state (variables carry from cell to cell), and fills in
/// their outputs. Everything that can be checked without running (kernels, magics, #r, parameters) is checked first.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Executes <paramref name="notebook"/> in place; stops at the first failing cell (which gets an error output).</summary>
    /// <exception cref="InputException">The notebook cannot run at all: not C#, an unsupported magic, a bad #r or parameter.</exception>
    public static async Task<NotebookExecution> ExecuteAsync(Notebook notebook, NotebookRunSettings settings)
    {
        string name = Path.GetFileName(settings.NotebookPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(settings.NotebookPath))!;
        CheckKernelspec(notebook, name);
        NotebookParameters.Inject(notebook, settings.Parameters, name);
        var cells = Prepare(notebook, name, folder, settings.RepositoryRoot);

        foreach (var cell in notebook.Cells.Where(c => c.Kind == CellKind.Code))
        {
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
            cell.Metadata.Remove("execution");
            cell.Metadata.Remove("segalign");
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var globals = new NotebookGlobals();
        var options = ScriptEnvironment.Options(folder);
        ScriptState<object>? state = null;
        CellFailure? failure = null;
        string previousDirectory = Environment.CurrentDirectory;
        var (stdout, stderr) = (Console.Out, Console.Error);
        int executionCount = 0;
        try
        {
            Environment.CurrentDirectory = folder;
            foreach (var prepared in cells)
            {
                var cell = notebook.Cells[prepared.Index];
                string described = $"{name} {notebook.Describe(prepared.Index)}";
                settings.Log?.WriteLine($"{notebook.Describe(prepared.Index)} …");
                cell.ExecutionCount = ++executionCount;
                var outputs = new CellOutputs(settings.Echo);
                globals.Current = outputs;
                var cellStart = DateTimeOffset.UtcNow;
                var cellClock = Stopwatch.StartNew();
                try
                {
                    Console.SetOut(new CellConsoleWriter(outputs, "stdout"));
                    Console.SetError(new CellConsoleWriter(outputs, "stderr"));
                    var cellOptions = options.WithFilePath($"cell {prepared.Index + 1}").AddReferences(prepared.References);
                    state = state is null
                        ? await CSharpScript.RunAsync(prepared.Code, cellOptions, globals, typeof(NotebookGlobals)).ConfigureAwait(false)
                        : await state.ContinueWithAsync(prepared.Code, cellOptions).ConfigureAwait(false);
                    if (state.ReturnValue is { } result)
                    {
                        var bundle = MimeFormatter.Format(result);
                        outputs.Add(Output.Result(bundle.Data, executionCount, bundle.Metadata));
                    }
                }
                catch (CompilationErrorException e)
                {
                    var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(DescribeDiagnostic).ToArray();
                    outputs.Add(Output.Error("CompilationError", errors.FirstOrDefault() ?? e.Message, errors));
                    failure = new CellFailure(prepared.Index, described, "compilation error", string.Join("; ", errors));
                }
                catch (Exception e)
                {
                    outputs.Add(Output.Error(e.GetType().Name, e.Message, Traceback(e, folder)));
                    failure = new CellFailure(prepared.Index, described, e.GetType().Name, e.Message, BadInput: e is InputException);
                }
                finally
                {
                    Console.SetOut(stdout);
                    Console.SetError(stderr);
                    globals.Current = null;
                }
                cellClock.Stop();
                if (prepared.Timed) outputs.Write("stdout", $"Wall time: {cellClock.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms\n");
                cell.Outputs.AddRange(outputs.ToOutputs());
                RecordTiming(cell, cellStart, cellClock.Elapsed);
                settings.Log?.WriteLine($"  {(failure is null ? "done" : "FAILED")} in {cellClock.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
                if (failure is not null) break;
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }
        clock.Stop();
        notebook.Metadata["segalign"] = RunRecord(started, clock.Elapsed, settings.Parameters, failure);
        return new NotebookExecution(notebook, failure, clock.Elapsed);
    }

    public static NotebookExecution Execute(Notebook notebook, NotebookRunSettings settings) =>
        ExecuteAsync(notebook, settings).GetAwaiter().GetResult();

    static void CheckKernelspec(Notebook notebook, string name)
    {
        if (notebook.Metadata["kernelspec"] is not JsonObject kernelspec) return;
        string? kernel = kernelspec["name"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        if (kernel == PolyglotMetadata.KernelspecName) return;
        string display = kernelspec["display_name"] is JsonValue d && d.TryGetValue(out string? text) ? $" ({text})" : "";
        throw new InputException(name, $"is a notebook for the kernel '{kernel ?? "(unnamed)"}'{display}; `segalign notebook run` runs .NET C# notebooks ({PolyglotMetadata.KernelspecName}) only",
            "open it in VS Code with Polyglot Notebooks and select the .NET (C#) kernel, or set metadata.kernelspec.name to \".net-csharp\" if its cells are C#");
    }

    static List<PreparedCell> Prepare(Notebook notebook, string name, string folder, string? repositoryRoot)
    {
        var references = new ReferenceResolver(folder, PackageCatalog.Discover(repositoryRoot, folder, Directory.GetCurrentDirectory()));
        string defaultKernel = PolyglotMetadata.DefaultKernel(notebook.Metadata);
        var prepared = new List<PreparedCell>();
        for (int i = 0; i < notebook.Cells.Count; i++)
            if (notebook.Cells[i] is { Kind: CellKind.Code } cell && !string.IsNullOrWhiteSpace(cell.Source))
                prepared.Add(CellPreparation.Prepare(cell, i, $"{name} {notebook.Describe(i)}", defaultKernel, references));
        return prepared;
    }

    /// <summary>"line 2, column 5: error CS0103: …": the line within the cell (directive lines were blanked, not removed).</summary>
    static string DescribeDiagnostic(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"line {position.Line + 1}, column {position.Character + 1}: error {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The exception's text without the runner's and the scripting engine's frames, which say nothing about the cell;
    /// cell frames read "in cell 3:line 2" (Roslyn roots the cell's file name in the notebook folder).
    /// </summary>
    static string[] Traceback(Exception e, string folder) =>
        [.. e.ToString().Split('\n')
            .Select(line => line.TrimEnd('\r').Replace(Path.Combine(folder, "cell "), "cell ", StringComparison.Ordinal))
            .Where(line => !line.TrimStart().StartsWith("at Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
                           && !line.TrimStart().StartsWith("at SegAlign.Notebooks.", StringComparison.Ordinal)
                           && !line.StartsWith("--- End of stack trace from previous location", StringComparison.Ordinal))];

    /// <summary>
    /// nbformat's own timing keys (metadata.execution, string values only; JupyterLab shows them), and the duration
    /// in milliseconds under metadata.segalign for reports.
    /// </summary>
    static void RecordTiming(Cell cell, DateTimeOffset start, TimeSpan duration)
    {
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = start.ToString("o", CultureInfo.InvariantCulture),
            ["shell.execute_reply"] = (start + duration).ToString("o", CultureInfo.InvariantCulture),
        };
        cell.Metadata["segalign"] = new JsonObject { ["duration_ms"] = Math.Round(duration.TotalMilliseconds, 1) };
    }

    static JsonObject RunRecord(DateTimeOffset started, TimeSpan duration, IReadOnlyDictionary<string, string> parameters, CellFailure? failure)
    {
        var record = new JsonObject
        {
            ["runner"] = "segalign notebook run",
            ["start"] = started.ToString("o", CultureInfo.InvariantCulture),
            ["end"] = (started + duration).ToString("o", CultureInfo.InvariantCulture),
            ["duration_ms"] = Math.Round(duration.TotalMilliseconds, 1),
            ["parameters"] = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            ["status"] = failure is null ? "completed" : "failed",
        };
        if (failure is not null) record["failure"] = failure.ToString();
        return record;
    }
}
