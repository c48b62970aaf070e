using SegAlign.Platform;
using SegAlign.Experiments;
using SegAlign.Notebooks;
using SegAlign.Reports;
using SegAlign.Tests.Notebooks;

namespace SegAlign.Tests.Reports;

/// <summary>Bad input is refused with a fix, and no page is written (an earlier good page stays as it was).</summary>
public sealed class ReportInputTests : IDisposable
{
    readonly NotebookFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void An_unknown_experiment_is_refused_with_the_known_ones()
    {
        var store = new ResultsStore(folder.File("results", "smoke"));
        var error = Assert.Throws<InputException>(() => ExperimentReport.Write("sfnett", "smoke", store));
        Assert.Contains("unknown experiment 'sfnett'", error.Message);
        Assert.Contains("sfnet", error.Message[error.Message.IndexOf("Fix:", StringComparison.Ordinal)..]);
        Assert.False(File.Exists(ExperimentReport.DefaultOutputPath(store, "sfnett")));
    }

    [Fact]
    public void Missing_results_say_how_to_produce_them()
    {
        var missing = new ResultsStore(folder.File("nowhere", "smoke"));
        var error = Assert.Throws<InputException>(() => ExperimentReport.Write("sfnet", "smoke", missing));
        Assert.Contains("Fix: run `segalign ablation run sfnet --preset smoke` first", error.Message);

        Directory.CreateDirectory(folder.File("empty", "smoke", "runs"));
        var empty = new ResultsStore(folder.File("empty", "smoke"));
        error = Assert.Throws<InputException>(() => ExperimentReport.Write("sfnet", "smoke", empty));
        Assert.Contains("holds no finished run of sfnet at preset smoke", error.Message);
        Assert.False(File.Exists(ExperimentReport.DefaultOutputPath(empty, "sfnet")));
    }

    [Fact]
    public void A_malformed_notebook_is_refused_and_an_earlier_report_left_alone()
    {
        string path = folder.File("broken.ipynb");
        File.WriteAllText(path, "{ \"cells\": [ ");
        string output = NotebookReport.DefaultOutputPath(path);
        File.WriteAllText(output, "a good report from before");

        var error = Assert.Throws<InputException>(() => NotebookReport.Write(path));

        Assert.Contains("is not valid JSON", error.Message);
        Assert.Equal("a good report from before", File.ReadAllText(output));
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_notebook_that_was_never_executed_is_refused_and_pointed_at_its_executed_copy()
    {
        string path = folder.Write("analysis.ipynb", Cell.Markdown("# Analysis"), Cell.Code("Console.WriteLine(1);"));
        var error = Assert.Throws<InputException>(() => NotebookReport.Write(path));
        Assert.Contains("has not been executed", error.Message);
        Assert.Contains("`segalign notebook run", error.Message);
        Assert.False(File.Exists(NotebookReport.DefaultOutputPath(path)));

        var executed = Notebook.Load(path);
        executed.Cells[1].ExecutionCount = 1;
        executed.Save(NotebookFile.DefaultOutputPath(path));
        error = Assert.Throws<InputException>(() => NotebookReport.Write(path));
        Assert.Contains($"report the executed copy instead: segalign report {NotebookFile.DefaultOutputPath(path)}", error.Message);
    }

    [Fact]
    public void A_folder_reports_each_executed_notebook_once_preferring_the_executed_copy()
    {
        string source = folder.Write("analysis.ipynb", Cell.Markdown("# Analysis"), Cell.Code("1 + 1"));
        var executed = Notebook.Load(source);
        executed.Cells[1].ExecutionCount = 1;
        executed.Save(NotebookFile.DefaultOutputPath(source));
        folder.Write("draft.ipynb", Cell.Code("2 + 2")); // never executed: skipped
        folder.Write("notes.ipynb", Cell.Markdown("# Notes only")); // nothing to execute: reported
        string output = folder.File("reports", "x");

        var written = NotebookReport.WriteFolder(folder.Path, Path.GetDirectoryName(output));

        Assert.Equal(["analysis.html", "notes.html"], written.Select(w => Path.GetFileName(w.Report)).Order());
        Assert.Equal(NotebookFile.DefaultOutputPath(source), written.Single(w => w.Report.EndsWith("analysis.html", StringComparison.Ordinal)).Notebook);
        Assert.Contains("In [1]", File.ReadAllText(Path.Combine(Path.GetDirectoryName(output)!, "analysis.html")));
    }

    [Fact]
    public void A_folder_with_no_executed_notebook_is_refused()
    {
        folder.Write("draft.ipynb", Cell.Code("2 + 2"));
        var error = Assert.Throws<InputException>(() => NotebookReport.WriteFolder(folder.Path));
        Assert.Contains("holds no executed notebook", error.Message);
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.html"));
    }

    [Fact]
    public void Paths_inside_the_repository_are_shown_relative_to_it_so_committed_reports_name_no_machine()
    {
        Assert.Equal("results/full/notebooks/01-sfnet.ipynb",
            SafePaths.Shown(Path.Combine(Presets.RepositoryRoot, "results", "full", "notebooks", "01-sfnet.ipynb")));
        string elsewhere = folder.File("analysis.ipynb");
        Assert.DoesNotContain(Path.GetTempPath(), SafePaths.Shown(elsewhere));
        Assert.EndsWith("analysis.ipynb", SafePaths.Shown(elsewhere));
    }

    [Fact]
    public void Corrupt_image_output_is_reported_in_place_not_shown_broken()
    {
        var cell = Cell.Code("display(image)");
        cell.ExecutionCount = 1;
        cell.Outputs.Add(Output.Display(new System.Text.Json.Nodes.JsonObject { ["image/png"] = "bm90IGEgcG5n", ["text/plain"] = "a plot" }));
        string html = NotebookReport.Build(folder.Write("images.ipynb", cell)).Render();
        Assert.DoesNotContain("<img", html);
        Assert.Contains("<div class=\"error\">the image/png output is not a valid image/png image and cannot be shown.", html);
    }
}
