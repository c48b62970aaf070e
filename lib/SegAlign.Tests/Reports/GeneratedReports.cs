using SegAlign.Experiments;
using SegAlign.Notebooks;
using SegAlign.Reports;
using SegAlign.Tests.Data;
using SegAlign.Tests.Notebooks;

namespace SegAlign.Tests.Reports;

/// <summary>
/// The reports every test here looks at, generated once: an executed tiny notebook (Markdown, printed text, a chart, a flow figure,
/// a DataFrame, an image), a notebook whose run failed, and the sfnet ablation at the smoke preset (two variants ×
/// two seeds, two iterations each) trained into a temporary results store. The browser starts on first use.
/// </summary>
public sealed class GeneratedReports : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> Overrides = ConfigOverrides.Parse(["train.iterations=2"]);

    readonly NotebookFolder notebooks = new();
    readonly TempFolder results = new();
    Task<HeadlessChromium>? browser;

    public string NotebookReportPath { get; private set; } = "";
    public string FailedNotebookReportPath { get; private set; } = "";
    public string ExperimentReportPath { get; private set; } = "";
    public ResultsStore Store { get; private set; } = null!;
    public string NotebookFolderPath => notebooks.Path;

    public Task<HeadlessChromium> Browser() => browser ??= HeadlessChromium.StartAsync();

    /// <summary>The report of <paramref name="kind"/>: notebook, failed-notebook or experiment.</summary>
    public string Report(string kind) => kind switch
    {
        "notebook" => NotebookReportPath,
        "failed-notebook" => FailedNotebookReportPath,
        "experiment" => ExperimentReportPath,
        _ => throw new ArgumentException(kind),
    };

    public Task InitializeAsync()
    {
        string executed = RunTinyNotebook();
        NotebookReportPath = NotebookReport.Write(executed);

        var failed = NotebookFolder.Run(notebooks.Write("fails.ipynb",
            Cell.Markdown("# A run that fails"),
            Cell.Code("Console.WriteLine(\"before\");\nthrow new InvalidOperationException(\"the data folder is empty\");"),
            Cell.Code("Console.WriteLine(\"never\");")));
        Assert.False(failed.Succeeded);
        FailedNotebookReportPath = NotebookReport.Write(failed.FailedCopyPath!);

        Store = new ResultsStore(results.Path);
        var planned = ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", Overrides, seeds: [0, 1], variants: ["bilinear", "fam"]);
        var sweep = ExperimentRunner.Run(planned, Store, new InProcessExecutor(), jobs: 1, threadsPerJob: 1);
        Assert.Empty(sweep.Failures);
        // As `segalign ablation run` does afterwards: summaries and runs.csv.
        ExperimentResults.Collect("smoke", Store, ["sfnet"], Overrides);
        ExperimentReportPath = ExperimentReport.Write("sfnet", "smoke", Store, overrides: Overrides);
        return Task.CompletedTask;
    }

    string RunTinyNotebook()
    {
        string path = notebooks.Write("tiny.ipynb",
            Cell.Markdown("# Tiny analysis\n\nSome *emphasis*, **strong** text, `inline code` and a [link](https://example.org/docs).\n\n" +
                          "| variant | mIoU |\n|---|--:|\n| bilinear | 41.2 |\n| fam | 43.0 |\n\n- first\n- second\n  - nested\n\n" +
                          "<script>document.title = 'pwned'</script> is shown as text.\n\n![a remote picture](https://example.org/picture.png)"),
            Cell.Code(notebooks.References(typeof(InputException), typeof(Plotly.NET.GenericChart), typeof(Plotly.NET.CSharp.Chart), typeof(Microsoft.Data.Analysis.DataFrame)) +
                      "\nusing Microsoft.Data.Analysis;\nusing SegAlign.Visualisation;\n" +
                      "Console.WriteLine(\"hello from the notebook\");\nConsole.Error.WriteLine(\"a warning on stderr\");"),
            Cell.Code("display(Plotly.NET.CSharp.Chart.Point<double, double, string>(new double[] { 1, 2, 3 }, new double[] { 4, 5, 6 }, Name: \"points\"));"),
            Cell.Code("new DataFrame(new PrimitiveDataFrameColumn<int>(\"n\", new[] { 1, 2 }), new StringDataFrameColumn(\"<script>\", new[] { \"<b onclick=x>\", \"b\" }))"),
            Cell.Code("var rgb = new byte[4 * 4 * 3];\nfor (int i = 0; i < rgb.Length; i += 3) rgb[i] = 200;\ndisplay(PngImage.FromRgb(rgb, 4, 4, \"a red square\"));"),
            // A figure drawn by SkiaSharp inside the notebook runner, as the project notebooks draw theirs.
            Cell.Code("display(FlowPlots.ColourFields([new FlowMap(\"fam.p3\", 2, 2, new float[] { 1, 0, -1, 0 }, new float[] { 0, 1, 0, -1 }, 8, 8)]));"));
        var outcome = NotebookFolder.Run(path);
        Assert.True(outcome.Succeeded, outcome.Describe());
        return outcome.OutputPath;
    }

    public async Task DisposeAsync()
    {
        if (browser is { IsCompletedSuccessfully: true }) await (await browser).DisposeAsync();
        notebooks.Dispose();
        results.Dispose();
    }
}

/// <summary>One set of generated reports (and one browser) for every test class that looks at them.</summary>
[CollectionDefinition(Name)]
public sealed class GeneratedReportsCollection : ICollectionFixture<GeneratedReports>
{
    public const string Name = "generated reports";
}
