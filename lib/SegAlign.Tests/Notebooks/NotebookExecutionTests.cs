using System.Text.Json.Nodes;
using SegAlign.Display;
using SegAlign.Notebooks;
using SegAlign.Visualisation;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// One notebook exercising everything a successful run does, executed once for all the facts below
/// (starting the kernel and restoring the one package reference are the slow part: seconds).
/// </summary>
public sealed class ExecutedNotebook : IDisposable
{
    public NotebookFolder Folder { get; } = new();
    public string SegAlignCopy { get; }
    public NotebookRunOutcome Outcome { get; }
    public Notebook Executed { get; }

    public ExecutedNotebook()
    {
        // A stale copy of the library next to the notebook: `#r` must map it to the runner's own SegAlign.
        SegAlignCopy = Folder.File("bin", "SegAlign.dll");
        File.Copy(typeof(PngImage).Assembly.Location, SegAlignCopy);
        string path = Folder.Write("analysis.ipynb",
            Cell.Markdown("# Analysis\nMarkdown is kept and skipped."),
            Cell.Code("var preset = \"smoke\";\nvar seeds = 3;\nvar rate = 0.5;\nvar rerun = false;", NotebookParameters.ParametersTag),
            // A package reference is restored by the kernel (as in VS Code and Jupyter); its assemblies that the host
            // already has (Plotly.NET, FSharp.Core) resolve to the host's copies.
            Cell.Code("#r \"bin/SegAlign.dll\"\n#r \"nuget: Plotly.NET.CSharp, 0.14.0\"\nusing SegAlign.Visualisation;\nvar total = seeds * 10;"),
            Cell.Code("Console.WriteLine($\"{preset} {seeds} {rate} {rerun} {total}\");\nConsole.Error.WriteLine(\"warning\");\nConsole.WriteLine(preset.GetType().Name + \" \" + seeds.GetType().Name);"),
            Cell.Code("display(Plotly.NET.CSharp.Chart.Point<double, double, string>(new double[] { 1, 2, 3 }, new double[] { 4, 5, 6 }));\nConsole.WriteLine(\"after the chart\");"),
            Cell.Code("using Microsoft.Data.Analysis;\nnew DataFrame(new PrimitiveDataFrameColumn<int>(\"n\", new[] { 1, 2 }), new StringDataFrameColumn(\"name\", new[] { \"<a>\", \"b\" }))"),
            Cell.Code("SegAlign.Platform.TorchRuntime.Initialise();\nTorchSharp.torch.arange(6f).reshape(2, 3)"),
            Cell.Code("#!time\nvar image = PngImage.FromRgb(new byte[2 * 2 * 3], 2, 2, \"a black square\");\ndisplay(image);\ntypeof(PngImage).Assembly.Location"),
            Cell.Code("typeof(Plotly.NET.GenericChart).Assembly.Location + \"\\n\" + typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly.GetName().Version"));
        Outcome = NotebookFolder.Run(path, "preset=full", "seeds=5", "rerun=true");
        Executed = Notebook.Load(Outcome.OutputPath);
    }

    /// <summary>The executed cell whose source contains <paramref name="text"/>.</summary>
    public Cell CellWith(string text) => Executed.Cells.Single(c => c.Source.Contains(text, StringComparison.Ordinal));

    public void Dispose() => Folder.Dispose();
}

public class NotebookExecutionTests(ExecutedNotebook run) : IClassFixture<ExecutedNotebook>
{
    [Fact]
    public void A_successful_run_writes_the_executed_notebook_next_to_the_input()
    {
        Assert.True(run.Outcome.Succeeded, run.Outcome.Describe());
        Assert.Equal(Path.Combine(run.Folder.Path, "analysis.executed.ipynb"), run.Outcome.OutputPath);
        Assert.False(File.Exists(NotebookFile.FailedCopyPath(run.Outcome.OutputPath)));
        Assert.Equal("completed", run.Executed.Metadata["segalign"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Code_cells_are_numbered_and_timed_and_markdown_is_kept()
    {
        Assert.Equal("# Analysis\nMarkdown is kept and skipped.", run.Executed.Cells[0].Source);
        var code = run.Executed.Cells.Where(c => c.Kind == CellKind.Code).ToList();
        Assert.Equal(Enumerable.Range(1, code.Count).Select(i => (int?)i), code.Select(c => c.ExecutionCount));
        Assert.All(code, c =>
        {
            Assert.NotNull(c.Metadata["execution"]!["iopub.execute_input"]);
            Assert.True(c.Metadata["segalign"]!["duration_ms"]!.GetValue<double>() >= 0);
        });
    }

    [Fact]
    public void Parameters_are_injected_after_the_parameters_cell_with_their_declared_types()
    {
        int parameters = run.Executed.Cells.FindIndex(c => c.HasTag(NotebookParameters.ParametersTag));
        var injected = run.Executed.Cells[parameters + 1];
        Assert.True(injected.HasTag(NotebookParameters.InjectedTag));
        Assert.Contains("preset = \"full\";", injected.Source);
        Assert.Contains("seeds = 5;", injected.Source);
        Assert.Contains("rerun = true;", injected.Source);
        // Values reach later cells with their declared types; state carries from cell to cell (total = seeds * 10).
        var printed = run.CellWith("Console.Error").Outputs;
        Assert.Equal("full 5 0.5 True 50\nString Int32\n", string.Concat(printed.Where(o => o.StreamName == "stdout").Select(o => o.Text)));
        Assert.Contains(printed, o => o is { Kind: OutputKind.Stream, StreamName: "stderr", Text: "warning\n" });
    }

    [Fact]
    public void A_displayed_Plotly_chart_is_plotly_json_with_data_and_layout()
    {
        var outputs = run.CellWith("Chart.Point").Outputs;
        var chart = outputs[0];
        Assert.Equal(OutputKind.DisplayData, chart.Kind);
        var figure = chart.Data![MimeFormatter.PlotlyMime]!.AsObject();
        var trace = figure["data"]!.AsArray().Single()!;
        Assert.Equal([1.0, 2.0, 3.0], trace["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.IsType<JsonObject>(figure["layout"]);
        Assert.StartsWith("Plotly chart", chart.TextOf("text/plain"));
        // Output order is the order things happened: the chart, then what was printed after it.
        Assert.Equal("after the chart\n", outputs[1].Text);
    }

    [Fact]
    public void A_trailing_DataFrame_is_the_cells_result_as_an_html_table()
    {
        var result = run.CellWith("new DataFrame").Outputs.Single();
        Assert.Equal(OutputKind.ExecuteResult, result.Kind);
        Assert.Equal(result.ExecutionCount, run.CellWith("new DataFrame").ExecutionCount);
        string html = result.TextOf("text/html")!;
        Assert.Contains("<table>", html);
        Assert.Contains("<td>&lt;a&gt;</td>", html);
        Assert.Contains("2 rows × 2 columns", result.TextOf("text/plain"));
    }

    [Fact]
    public void A_tensor_shows_its_shape_and_values()
    {
        string text = run.CellWith("arange(6f)").Outputs.Single().TextOf("text/plain")!;
        Assert.StartsWith("[2x3], type = Float32", text);
        Assert.Contains("3 4 5", text);
    }

    [Fact]
    public void A_PngImage_is_image_png_and_the_referenced_dll_maps_to_the_runners_copy()
    {
        var outputs = run.CellWith("PngImage.FromRgb").Outputs;
        var image = outputs.Single(o => o.Kind == OutputKind.DisplayData);
        byte[] png = Convert.FromBase64String(image.TextOf("image/png")!);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal("a black square", image.TextOf("text/plain"));
        Assert.Equal(typeof(PngImage).Assembly.Location, outputs.Single(o => o.Kind == OutputKind.ExecuteResult).TextOf("text/plain"));
        Assert.NotEqual(run.SegAlignCopy, typeof(PngImage).Assembly.Location);
        Assert.Contains(outputs, o => o.Kind == OutputKind.Stream && o.Text!.StartsWith("Wall time: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_package_reference_is_restored_and_the_hosts_assemblies_are_shared_with_FSharp_Core_10_0_as_in_the_stock_kernel()
    {
        var installed = run.CellWith("nuget: Plotly.NET.CSharp").Outputs.Single(o => o.Kind == OutputKind.DisplayData);
        // The kernel's "Installing Packages" display, updated in place once the restore has finished.
        Assert.Contains("Installed Packages", installed.TextOf("text/html"));
        var loaded = run.CellWith("GenericChart).Assembly").Outputs.Single().TextOf("text/plain")!.Split('\n');
        Assert.Equal(typeof(Plotly.NET.GenericChart).Assembly.Location, loaded[0]);
        Assert.StartsWith("10.0.", loaded[1]);
    }
}

public sealed class FailingNotebookTests : IDisposable
{
    readonly NotebookFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_cell_refused_by_the_library_as_bad_input_exits_2_from_the_command_line()
    {
        string path = folder.Write("bad-input.ipynb",
            Cell.Code($"#r \"{typeof(InputException).Assembly.Location}\"\nthrow new SegAlign.InputException(\"preset\", \"unknown preset 'bogus'\", \"use one of: smoke, quick\");"));
        var outcome = NotebookFolder.Run(path);
        Assert.True(outcome.Execution.Failure!.BadInput);
        var (code, _, error) = SegAlign.Tests.Reliability.CliRunner.Run("notebook", "run", path);
        Assert.Equal(2, code);
        Assert.Contains("unknown preset 'bogus'", error);
    }

    [Fact]
    public void A_failing_cell_stops_the_run_names_the_cell_and_leaves_the_previous_output_alone()
    {
        string path = folder.Write("fails.ipynb",
            Cell.Code("var ok = 1;\nConsole.WriteLine(\"ran\");"),
            Cell.Code("Console.WriteLine(\"before\");\nthrow new InvalidOperationException(\"the data folder is empty\");"),
            Cell.Code("Console.WriteLine(\"never\");"));
        string output = NotebookFile.DefaultOutputPath(path);
        File.WriteAllText(output, "a good executed notebook from an earlier run");

        var outcome = NotebookFolder.Run(path);

        Assert.False(outcome.Succeeded);
        Assert.Equal(1, outcome.Execution.Failure!.CellIndex);
        Assert.False(outcome.Execution.Failure.BadInput);
        Assert.StartsWith("fails.ipynb cell 2 (“Console.WriteLine(\"before\");”) failed: InvalidOperationException: the data folder is empty", outcome.Describe());
        Assert.Contains(outcome.FailedCopyPath!, outcome.Describe());
        Assert.Equal("a good executed notebook from an earlier run", File.ReadAllText(output));

        var partial = Notebook.Load(outcome.FailedCopyPath!);
        var error = partial.Cells[1].Outputs.Last();
        Assert.Equal(OutputKind.Error, error.Kind);
        Assert.Equal("InvalidOperationException", error.ErrorName);
        Assert.Contains(error.Traceback!, line => line.Contains("the data folder is empty", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Traceback!, line => line.Contains("at Microsoft.DotNet.Interactive", StringComparison.Ordinal));
        Assert.Equal("before\n", partial.Cells[1].Outputs[0].Text);
        Assert.Null(partial.Cells[2].ExecutionCount);
        Assert.Empty(partial.Cells[2].Outputs);
        Assert.Equal("failed", partial.Metadata["segalign"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void A_compilation_error_reports_the_line_within_the_cell()
    {
        // The #!time line is the runner's and is blanked, not removed: the line numbers stay the cell's.
        string path = folder.Write("typo.ipynb", Cell.Code("#!csharp\n#!time\nvar x = 1;\nvar y = x + z;"));

        var outcome = NotebookFolder.Run(path);

        Assert.False(outcome.Succeeded);
        Assert.False(File.Exists(outcome.OutputPath));
        Assert.Contains("line 4, column 13: error CS0103", outcome.Describe());
        var error = Notebook.Load(outcome.FailedCopyPath!).Cells[0].Outputs.Single(o => o.Kind == OutputKind.Error);
        Assert.Equal("CompilationError", error.ErrorName);
    }
}
