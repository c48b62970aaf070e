namespace SegAlign.Notebooks;

public sealed record NotebookRunRequest
{
    public required string NotebookPath { get; init; }

    /// <summary>Null: <see cref="NotebookFile.DefaultOutputPath"/>.</summary>
    public string? OutputPath { get; init; }

    /// <summary>name=value assignments, as given to -p.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    public TextWriter? Log { get; init; }
    public TextWriter? Echo { get; init; }
}

public sealed record NotebookRunOutcome(NotebookExecution Execution, string OutputPath, string? FailedCopyPath)
{
    public bool Succeeded => Execution.Succeeded;

    /// <summary>One paragraph for the terminal: what ran, or which cell failed and where its partial notebook is.</summary>
    public string Describe() => Execution.Failure is { } failure
        ? $"{failure}\n{OutputPath} was not written{(File.Exists(OutputPath) ? " (the one from an earlier run is unchanged)" : "")}; " +
          $"the partial run, with the error under the failing cell, is in {FailedCopyPath}."
        : $"executed {Execution.Notebook.Cells.Count(c => c.ExecutionCount is not null)} code cells in {Execution.Duration.TotalSeconds:F1} s → {OutputPath}";
}

/// <summary>
/// `segalign notebook run` on files: the executed notebook is written only when every cell succeeded, atomically, so a
/// failed run never replaces a good executed notebook; a failed run is written beside it as &lt;name&gt;.failed.ipynb.
/// </summary>
public static class NotebookFile
{
    /// <summary>analysis.ipynb → analysis.executed.ipynb in the same folder.</summary>
    public static string DefaultOutputPath(string notebookPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, Path.GetFileNameWithoutExtension(notebookPath) + ".executed.ipynb");

    /// <summary>analysis.executed.ipynb → analysis.executed.failed.ipynb.</summary>
    public static string FailedCopyPath(string outputPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, Path.GetFileNameWithoutExtension(outputPath) + ".failed.ipynb");

    public static NotebookRunOutcome Run(NotebookRunRequest request)
    {
        if (!File.Exists(request.NotebookPath))
            throw new InputException(request.NotebookPath, "does not exist", "pass the path of a .ipynb notebook");
        string output = Path.GetFullPath(request.OutputPath ?? DefaultOutputPath(request.NotebookPath));
        string failedCopy = FailedCopyPath(output);
        var notebook = Notebook.Load(request.NotebookPath);
        var execution = NotebookRunner.Execute(notebook, new NotebookRunSettings
        {
            NotebookPath = request.NotebookPath,
            Parameters = NotebookParameters.ParseAssignments(request.Parameters),
            Log = request.Log,
            Echo = request.Echo,
        });
        if (!execution.Succeeded)
        {
            execution.Notebook.Save(failedCopy);
            return new NotebookRunOutcome(execution, output, failedCopy);
        }
        execution.Notebook.Save(output);
        // A failed copy from an earlier run would now only mislead.
        if (File.Exists(failedCopy)) File.Delete(failedCopy);
        return new NotebookRunOutcome(execution, output, null);
    }
}
