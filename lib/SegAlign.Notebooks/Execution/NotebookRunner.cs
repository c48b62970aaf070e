using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

public sealed record NotebookRunSettings
{
    /// <summary>Names the notebook in messages; its folder is the kernel's working directory while cells run (as Jupyter
    /// starts the stock kernel there), so relative `#r` paths and files resolve from it.</summary>
    public required string NotebookPath { get; init; }

    /// <summary>Parameter name → value as typed on the command line (-p name=value).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

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
/// Runs a C# notebook's code cells in order in .NET Interactive's C# kernel, hosted in this process (<see cref="KernelSession"/>:
/// variables carry from cell to cell, outputs are the stock kernel's MIME bundles), and fills in their outputs.
/// Everything that can be checked without running (kernels, magics, #r paths, parameters) is checked first.
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
        var cells = Prepare(notebook, name, folder);

        foreach (var cell in notebook.Cells.Where(c => c.Kind == CellKind.Code))
        {
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
            cell.Metadata.Remove("execution");
            cell.Metadata.Remove("segalign");
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        CellFailure? failure = null;
        string previousDirectory = Environment.CurrentDirectory;
        int executionCount = 0;
        try
        {
            Environment.CurrentDirectory = folder;
            using var kernel = new KernelSession();
            foreach (var prepared in cells)
            {
                var cell = notebook.Cells[prepared.Index];
                settings.Log?.WriteLine($"{notebook.Describe(prepared.Index)} …");
                cell.ExecutionCount = ++executionCount;
                var cellStart = DateTimeOffset.UtcNow;
                var cellClock = Stopwatch.StartNew();
                var result = await kernel.SubmitAsync(prepared.Code, executionCount, settings.Echo).ConfigureAwait(false);
                cellClock.Stop();
                cell.Outputs.AddRange(result.Outputs);
                if (prepared.Timed) cell.Outputs.Add(Output.Stream("stdout", $"Wall time: {cellClock.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms\n"));
                if (result.Failure is { } failed)
                {
                    cell.Outputs.Add(Output.Error(failed.ErrorName, failed.Message, failed.Details));
                    failure = new CellFailure(prepared.Index, $"{name} {notebook.Describe(prepared.Index)}",
                        failed.IsCompilationError ? "compilation error" : failed.ErrorName, failed.Message, BadInput: failed.Exception is InputException);
                }
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

    static List<PreparedCell> Prepare(Notebook notebook, string name, string folder)
    {
        string defaultKernel = PolyglotMetadata.DefaultKernel(notebook.Metadata);
        var prepared = new List<PreparedCell>();
        for (int i = 0; i < notebook.Cells.Count; i++)
            if (notebook.Cells[i] is { Kind: CellKind.Code } cell && !string.IsNullOrWhiteSpace(cell.Source))
                prepared.Add(CellPreparation.Prepare(cell, i, $"{name} {notebook.Describe(i)}", defaultKernel, folder));
        return prepared;
    }

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
