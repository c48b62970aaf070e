using System.Diagnostics;
using SegAlign.Display;
using SegAlign.Notebooks;
using SegAlign.Tests.Data;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// A notebook run as a user runs it: in the stock .NET Interactive kernel (the tool pinned in
/// .config/dotnet-tools.json) through Jupyter, started in the notebook's folder — no failing cell, the expected MIME
/// types, and the same MIME types per cell as `segalign notebook run` (the same kernel, hosted in process) writes.
/// Needs environment/jupyter (environment/test runs it); without it the test fails and says so.
/// </summary>
public sealed class StockKernelTests
{
    const string Name = "01-sfnet";

    [Fact]
    public void A_notebook_runs_in_the_stock_kernel_with_the_same_outputs_as_the_headless_runner()
    {
        using var scratch = new TempFolder();
        string notebook = Path.Combine(NotebookFolder.RepositoryRoot, "notebooks", Name + ".ipynb");
        string[] parameters = ["preset=smoke", "seeds=2", "rerun=true"];
        var environment = new Dictionary<string, string>
        {
            ["SEGALIGN_RESULTS"] = scratch.File("results"),
            ["SEGALIGN_SCRATCH"] = scratch.File("lab"),
        };

        string stockOutput = scratch.File(Name + ".stock.ipynb");
        var (exitCode, log) = Run(Path.Combine(NotebookFolder.RepositoryRoot, "environment", "jupyter-run"), [notebook, stockOutput, .. parameters], environment);
        Assert.True(exitCode == 0, $"environment/jupyter-run failed ({exitCode}); if Jupyter or the kernelspec is missing, run environment/jupyter.\n{log}");
        var stock = Notebook.Load(stockOutput);
        Assert.DoesNotContain(stock.Cells.SelectMany(c => c.Outputs), o => o.Kind == OutputKind.Error);
        var stockMimes = MimesPerCell(stock);
        foreach (var mime in new[] { MimeFormatter.PlotlyMime, "image/png", "text/markdown", "text/html" })
            Assert.True(stockMimes.Values.Any(set => set.Contains(mime)), $"the stock kernel showed no {mime}");

        // Its report draws the kernel's charts (sent as JSON strings) and shows none of the kernel's helper script.
        var report = NotebookReport.Build(stockOutput);
        Assert.True(report.ChartCount > 0, "the report of the Jupyter-executed notebook drew no chart");
        string html = report.Render();
        Assert.DoesNotContain("is not a Plotly figure", html);
        Assert.DoesNotContain("dotnet-interactive-this-cell", html);

        var saved = environment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (key, value) in environment) Environment.SetEnvironmentVariable(key, value);
            var outcome = NotebookFile.Run(new NotebookRunRequest
            {
                NotebookPath = notebook,
                OutputPath = scratch.File(Name + ".host.ipynb"),
                Parameters = parameters,
            });
            Assert.True(outcome.Succeeded, outcome.Describe());
            Assert.Equal(Describe(MimesPerCell(outcome.Execution.Notebook)), Describe(stockMimes));
        }
        finally
        {
            foreach (var (key, value) in saved) Environment.SetEnvironmentVariable(key, value);
        }
    }

    [Fact]
    public void A_misspelt_parameter_is_refused_by_name_with_the_declared_ones_before_any_kernel_starts()
    {
        using var scratch = new TempFolder();
        string notebook = Path.Combine(NotebookFolder.RepositoryRoot, "notebooks", Name + ".ipynb");
        var (exitCode, log) = Run(Path.Combine(NotebookFolder.RepositoryRoot, "environment", "jupyter-run"), [notebook, scratch.File("x.ipynb"), "presett=full"], new());
        Assert.True(exitCode == 2, $"exit {exitCode}: {log}");
        Assert.Contains("no parameter 'presett'", log);
        Assert.Contains("declares preset, seeds, rerun", log);
        Assert.False(File.Exists(scratch.File("x.ipynb")));
    }

    [Fact]
    public void The_kernelspec_asks_for_message_interrupts_so_an_interrupt_does_not_kill_the_kernel()
    {
        string data = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter");
        string spec = Path.Combine(data, "kernels", ".net-csharp", "kernel.json");
        Assert.True(File.Exists(spec), $"{spec} is missing; run environment/jupyter");
        Assert.Equal("message", System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(spec))!["interrupt_mode"]?.GetValue<string>());
    }

    /// <summary>The sorted MIME types of each code cell's rich outputs, by cell id. The first code cell is left out:
    /// there the stock kernel shows its own start-up script.</summary>
    static Dictionary<string, SortedSet<string>> MimesPerCell(Notebook notebook) =>
        notebook.Cells.Where(c => c.Kind == CellKind.Code).Skip(1)
            .ToDictionary(c => c.Id, c => new SortedSet<string>(c.Outputs.Where(o => o.Data is not null).SelectMany(o => o.Data!.Select(p => p.Key)), StringComparer.Ordinal));

    static string Describe(Dictionary<string, SortedSet<string>> mimes) =>
        string.Join("\n", mimes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {string.Join(", ", p.Value)}"));

    static (int ExitCode, string Log) Run(string program, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 10 minutes\n" + error.Result);
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
