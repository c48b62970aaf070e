using System.Text.Json.Nodes;
using SegAlign.Notebooks;
using SegAlign.Tests.Data;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// The notebooks in notebooks/: they are the generated ones (<see cref="ProjectNotebooks"/>), and every one of them runs
/// headlessly at the smoke preset with rerun = true (the CI check). All notebooks share one temporary results folder,
/// so a run needed by several (the shared baseline, the overview's decoders) is trained once.
/// </summary>
public sealed class ProjectNotebookTests
{
    static string NotebooksFolder => Path.Combine(NotebookFolder.RepositoryRoot, "notebooks");

    static string PathOf(string name) => Path.Combine(NotebooksFolder, name + ".ipynb");

    [Fact]
    public void The_committed_notebooks_are_the_generated_ones()
    {
        var generated = ProjectNotebooks.Build(NotebookFolder.RepositoryRoot);
        if (Environment.GetEnvironmentVariable("SEGALIGN_WRITE_NOTEBOOKS") == "1")
            foreach (var (name, notebook) in generated) notebook.Save(PathOf(name));

        foreach (var (name, notebook) in generated)
        {
            Assert.True(File.Exists(PathOf(name)), $"{PathOf(name)} is missing; write it with SEGALIGN_WRITE_NOTEBOOKS=1 dotnet test --filter ProjectNotebookTests");
            var committed = Notebook.Load(PathOf(name));
            var expected = notebook.Cells.Select(c => (c.Kind, c.Source, string.Join(",", c.Tags))).ToList();
            var actual = committed.Cells.Where(c => !c.HasTag(NotebookParameters.InjectedTag)).Select(c => (c.Kind, c.Source, string.Join(",", c.Tags))).ToList();
            Assert.True(expected.SequenceEqual(actual),
                $"{name}.ipynb differs from lib/SegAlign.Tests/Notebooks/ProjectNotebooks*.cs; edit the generator and rewrite the notebooks with SEGALIGN_WRITE_NOTEBOOKS=1 dotnet test --filter ProjectNotebookTests");
            Assert.Equal(".net-csharp", committed.Metadata["kernelspec"]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Every_notebook_opens_with_the_project_packages_and_the_parameters_papermill_sets()
    {
        var versions = PackageCatalog.ReadPackagesProps(Path.Combine(NotebookFolder.RepositoryRoot, "Directory.Packages.props"));
        foreach (var (name, notebook) in ProjectNotebooks.Build(NotebookFolder.RepositoryRoot))
        {
            var code = notebook.Cells.Where(c => c.Kind == CellKind.Code).ToList();
            foreach (var package in new[] { "Plotly.NET", "Plotly.NET.CSharp", "Microsoft.Data.Analysis", "TorchSharp" })
                Assert.Contains($"#r \"nuget: {package}, {versions[package]}\"", code[0].Source);
            Assert.Contains("#r \"../lib/SegAlign/bin/Release/net10.0/SegAlign.dll\"", code[0].Source);
            Assert.True(code[1].HasTag(NotebookParameters.ParametersTag), $"{name}: the second code cell must be the parameters cell");
            Assert.Equal(["preset (string)", "seeds (int)", "rerun (bool)"], NotebookParameters.Declared(code[1].Source).Select(p => p.ToString()));
            // Results are computed, never typed: prose cells hold no percentages or decimals.
            foreach (var markdown in notebook.Cells.Where(c => c.Kind == CellKind.Markdown))
                Assert.DoesNotMatch(@"\d+\.\d+\s*(%|mIoU|GMACs)", markdown.Source);
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
            foreach (var (name, _) in ProjectNotebooks.All)
            {
                var outcome = NotebookFile.Run(new NotebookRunRequest
                {
                    NotebookPath = PathOf(name),
                    OutputPath = scratch.File(name + ".executed.ipynb"),
                    Parameters = ["preset=smoke", "seeds=2", "rerun=true"],
                    RepositoryRoot = NotebookFolder.RepositoryRoot,
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
