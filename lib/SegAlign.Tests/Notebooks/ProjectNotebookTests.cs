using System.Text.Json.Nodes;
using SegAlign.Display;
using SegAlign.Notebooks;
using SegAlign.Tests.Data;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// The notebooks in notebooks/ are their own source (edited as .ipynb in VS Code or JupyterLab). A lint keeps them
/// alike — one opening cell that references the built library, the tagged parameters cell papermill sets, calls into
/// SegAlign.Lab and SegAlign.Visualisation only, no model or training code — and every one of them runs headlessly at
/// the smoke preset with rerun = true (the CI check). All notebooks share one temporary results folder, so a run
/// needed by several (the shared baseline, the overview's decoders) is trained once.
/// </summary>
public sealed class ProjectNotebookTests
{
    static string NotebooksFolder => Path.Combine(NotebookFolder.RepositoryRoot, "notebooks");

    static string PathOf(string name) => Path.Combine(NotebooksFolder, name + ".ipynb");

    /// <summary>Notebook names (without .ipynb), in reading order.</summary>
    static IReadOnlyList<string> Names => [.. Directory.GetFiles(NotebooksFolder, "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];

    /// <summary>The first code cell of every notebook: the one line that brings SegAlign and its dependencies.</summary>
    public const string Opening = "#r \"../lib/SegAlign/bin/Release/net10.0/SegAlign.dll\"\nusing SegAlign.Lab;\nusing SegAlign.Visualisation;";

    // Code that builds or trains models belongs in the library (SegAlign.Lab wraps it), not in a notebook.
    static readonly string[] ModelCode =
    [
        "torch.", "nn.", "optim", "new Trainer", "Trainer.", "Segmentor", "DecoderRegistry", "backward(", "RunConfig", "Checkpoint", "Evaluator",
    ];

    [Fact]
    public void The_seven_notebooks_are_there()
    {
        Assert.Equal(["00-overview", "01-sfnet", "02-alignseg", "03-ifa", "04-hfgd", "05-rsp", "06-per-class"], Names);
    }

    [Fact]
    public void Every_notebook_opens_alike_and_calls_only_the_lab()
    {
        foreach (var name in Names)
        {
            var notebook = Notebook.Load(PathOf(name));
            Assert.Equal(".net-csharp", notebook.Metadata["kernelspec"]!["name"]!.GetValue<string>());
            var ids = notebook.Cells.Select(c => c.Id).ToList();
            Assert.True(ids.All(id => id.Length > 0) && ids.Distinct().Count() == ids.Count, $"{name}: every cell needs its own id (nbformat 4.5)");

            var code = notebook.Cells.Where(c => c.Kind == CellKind.Code && !c.HasTag(NotebookParameters.InjectedTag)).ToList();
            Assert.True(code[0].Source == Opening, $"{name}: the first code cell must be exactly:\n{Opening}");
            Assert.True(code[1].HasTag(NotebookParameters.ParametersTag), $"{name}: the second code cell must be the parameters cell (tag \"parameters\")");
            Assert.Equal(["preset (string)", "seeds (int)", "rerun (bool)"], NotebookParameters.Declared(code[1].Source).Select(p => p.ToString()));
            foreach (var cell in code.Skip(2))
            {
                Assert.DoesNotContain("#r", cell.Source);
                Assert.DoesNotContain("#i", cell.Source);
                Assert.DoesNotMatch(@"\busing\s", cell.Source);
                // Only the opening's namespaces: a fully qualified SegAlign name would reach past the Lab.
                Assert.DoesNotMatch(@"SegAlign\.(?!Lab\b|Visualisation\b)", cell.Source);
                foreach (var token in ModelCode)
                    Assert.False(cell.Source.Contains(token, StringComparison.Ordinal), $"{name}: cell {cell.Id} has model or training code ({token}); move it into SegAlign.Lab");
            }
            // Results are computed, never typed: prose cells hold no percentages or decimals.
            foreach (var markdown in notebook.Cells.Where(c => c.Kind == CellKind.Markdown))
                Assert.DoesNotMatch(@"\d+\.\d+\s*(%|mIoU|GMACs)", markdown.Source);
        }
    }

    [Fact]
    public void The_committed_executed_notebooks_are_nbformat_4_5_with_cell_ids()
    {
        // v1's notebooks as they ran on protocol v1; full's once protocol v2's sweep is committed.
        var folders = new[] { "v1", "v2" }.Select(p => Path.Combine(NotebookFolder.RepositoryRoot, "results", p, "notebooks")).Where(Directory.Exists).ToList();
        Assert.Contains(folders, f => f.EndsWith(Path.Combine("v1", "notebooks"), StringComparison.Ordinal));
        foreach (var executed in folders.Select(f => Directory.GetFiles(f, "*.ipynb")))
            Assert.Equal(Names, executed.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (var path in folders.SelectMany(f => Directory.GetFiles(f, "*.ipynb")))
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.Equal(4, json["nbformat"]!.GetValue<int>());
            Assert.True(json["nbformat_minor"]!.GetValue<int>() >= 5, $"{path}: nbformat 4.{json["nbformat_minor"]} has no cell ids");
            var ids = json["cells"]!.AsArray().Select(c => c!["id"]?.GetValue<string>()).ToList();
            Assert.True(ids.All(id => !string.IsNullOrEmpty(id)) && ids.Distinct().Count() == ids.Count, $"{path}: every cell needs its own id");
        }
    }

    [Fact]
    public void Every_notebook_runs_at_the_smoke_preset()
    {
        using var scratch = new TempFolder();
        var saved = (Environment.GetEnvironmentVariable("SEGALIGN_RESULTS"), Environment.GetEnvironmentVariable("SEGALIGN_SCRATCH"));
        Environment.SetEnvironmentVariable("SEGALIGN_RESULTS", scratch.File("results"));
        Environment.SetEnvironmentVariable("SEGALIGN_SCRATCH", scratch.File("lab"));
        try
        {
            foreach (var name in Names)
            {
                var outcome = NotebookFile.Run(new NotebookRunRequest
                {
                    NotebookPath = PathOf(name),
                    OutputPath = scratch.File(name + ".executed.ipynb"),
                    Parameters = ["preset=smoke", "seeds=2", "rerun=true"],
                    });
                Assert.True(outcome.Succeeded, outcome.Describe());
                CheckOutputs(name, outcome.Execution.Notebook);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("SEGALIGN_RESULTS", saved.Item1);
            Environment.SetEnvironmentVariable("SEGALIGN_SCRATCH", saved.Item2);
        }
    }

    static void CheckOutputs(string name, Notebook executed)
    {
        var outputs = executed.Cells.SelectMany(c => c.Outputs).Where(o => o.Data is not null).ToList();
        bool Has(string mime) => outputs.Any(o => o.Data!.ContainsKey(mime));
        Assert.True(Has("text/markdown"), $"{name}: no computed prose (study.Describe / study.Findings)");
        Assert.True(Has(MimeFormatter.PlotlyMime), $"{name}: no chart");
        foreach (var chart in outputs.Where(o => o.Data!.ContainsKey(MimeFormatter.PlotlyMime)))
        {
            var figure = chart.Data![MimeFormatter.PlotlyMime]!;
            Assert.False(string.IsNullOrEmpty(figure["layout"]?["title"]?["text"]?.GetValue<string>()), $"{name}: a chart without a title");
            Assert.True(figure.ToJsonString().Length < 100_000, $"{name}: a chart's JSON is {figure.ToJsonString().Length} characters");
        }
        if (name != "06-per-class") Assert.True(Has("text/html"), $"{name}: the ablation table is not shown");
        if (name != "00-overview") Assert.True(Has("image/png"), $"{name}: no rendered figure");
        foreach (var image in outputs.Where(o => o.Data!.ContainsKey("image/png")))
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(image.TextOf("image/png")!)[..4]);
        Assert.Equal("completed", executed.Metadata["segalign"]!["status"]!.GetValue<string>());
        Assert.IsType<JsonObject>(executed.Metadata["segalign"]!["parameters"]);
    }
}
