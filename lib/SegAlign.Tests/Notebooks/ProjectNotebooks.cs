using SegAlign.Notebooks;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// The source of the notebooks in notebooks/: one place that gives them the same opening (package references at the
/// project's versions, the parameters cell, opening the study) and keeps their cells calls into SegAlign.Lab and
/// SegAlign.Visualisation only. The committed .ipynb files are what users open; <see cref="ProjectNotebookTests"/>
/// checks they match this, and rewrites them when SEGALIGN_WRITE_NOTEBOOKS=1.
/// Prose cells explain methods and what a figure shows; every result-dependent sentence is an output computed
/// from the numbers (study.Findings()), never written here.
/// </summary>
public static partial class ProjectNotebooks
{
    /// <summary>Notebook file names (without .ipynb) and their builders, in reading order.</summary>
    public static IReadOnlyList<(string Name, Func<IReadOnlyDictionary<string, string>, Notebook> Build)> All { get; } =
    [
        ("00-overview", Overview),
        ("01-sfnet", Sfnet),
        ("02-alignseg", AlignSeg),
        ("03-ifa", Ifa),
        ("04-hfgd", Hfgd),
        ("05-rsp", Rsp),
        ("06-per-class", PerClass),
    ];

    /// <summary>Builds every notebook with the package versions of <paramref name="repositoryRoot"/>'s Directory.Packages.props.</summary>
    public static IReadOnlyList<(string Name, Notebook Notebook)> Build(string repositoryRoot)
    {
        var versions = PackageCatalog.ReadPackagesProps(Path.Combine(repositoryRoot, "Directory.Packages.props"));
        return All.Select(n => (n.Name, Identify(n.Name, n.Build(versions)))).ToList();
    }

    // Stable cell ids ("01-sfnet-4"), so regenerating a notebook changes only what changed.
    static Notebook Identify(string name, Notebook notebook)
    {
        for (int i = 0; i < notebook.Cells.Count; i++) notebook.Cells[i].Id = $"{name}-{i}";
        return notebook;
    }

    static readonly string[] Packages = ["Plotly.NET", "Plotly.NET.CSharp", "Microsoft.Data.Analysis", "TorchSharp", "libtorch-cpu-linux-x64"];

    /// <summary>The opening every notebook shares: title and introduction, package references, parameters.</summary>
    static List<Cell> Opening(IReadOnlyDictionary<string, string> versions, string title, string introduction)
    {
        var references = string.Join("\n", Packages.Select(p => $"#r \"nuget: {p}, {versions[p]}\""));
        return
        [
            Cell.Markdown($"# {title}\n\n{introduction}\n\n" +
                          "**Running it.** Build once (`dotnet build SegAlign.slnx -c Release`), then run the cells in VS Code (Polyglot Notebooks, .NET C# kernel) " +
                          "or headless: `environment/segalign notebook run notebooks/<name>.ipynb -p preset=smoke -p rerun=true`. " +
                          "The notebook reads `results/<preset>/`; `rerun = true` trains whatever is missing first (runs are keyed by config hash and seed, so finished runs are reused). " +
                          "Models whose checkpoint is not in the results (checkpoints are not committed) are retrained deterministically and checked against the recorded final loss."),
            Cell.Code(references + "\n#r \"../lib/SegAlign/bin/Release/net10.0/SegAlign.dll\"\nusing SegAlign.Lab;\nusing SegAlign.Visualisation;"),
            Cell.Code("var preset = \"full\";\nvar seeds = 3;\nvar rerun = false;", NotebookParameters.ParametersTag),
        ];
    }

    static Cell Md(string text) => Cell.Markdown(text);

    static Cell Code(string text) => Cell.Code(text);

    /// <summary>Open the study, then its description, table and findings: the first half of every paper notebook.</summary>
    static IEnumerable<Cell> StudyCells(string experiment, string ensureArguments = "rerun") =>
    [
        Code($"var study = Study.Open(\"{experiment}\", preset, seeds).Ensure({ensureArguments});\nstudy.Describe()"),
        Md("## The ablation table\n\nOne row per variant: mIoU, boundary F and trimap mIoU as mean ± sample std over the seeds; " +
           "Δ and p compare each variant with the baseline by a paired t-test over seeds (same seed = same initialisation and data order); cost per image."),
        Code("study.Table"),
        Md("## The paper's claims against our numbers\n\nWritten from the table above by `study.Findings()`: a verdict is \"agrees\" or \"disagrees\" only when the 95 % interval excludes 0 and p < 0.05 after Holm's correction over the paper's claims; otherwise \"inconclusive\", or \"outside the method's setting\" when the mechanism cannot act here."),
        Code("study.Findings()"),
    ];

    static Notebook Overview(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "Overview: every decoder on one benchmark",
            "Every decoder of the suite — the bilinear FPN baseline, SFNet's FAM, AlignSeg's AlignFA + AlignCM, IFA, HFGD, the RSP head and DeepLabV3 — " +
            "trained on the same backbone, data and schedule (`experiments/overview.json`), so the only difference between two points below is the decoder. " +
            "What does each buy in accuracy and boundary quality, and at what cost in multiply-adds and latency?");
        cells.AddRange(
        [
            Code("var study = Study.Open(\"overview\", preset, seeds).Ensure(rerun, latency: true);\nstudy.Describe()"),
            Md("## The table\n\nMean ± sample std over seeds; Δ and p against the FPN baseline (paired t-test over seeds). " +
               "GMACs count one forward pass at the evaluation size (every op, see the README); latency is the median of 30 forward passes of batch 1 on this machine."),
            Code("study.Table"),
            Md("## Accuracy against cost\n\nEach point is a decoder at its mean mIoU with ± std error bars. The red points form the Pareto front: " +
               "no other decoder is both cheaper and more accurate. Latency is measured here (first run of this notebook), so it depends on the machine."),
            Code("display(Charts.MiouVsGmacs(study.Summary));\ndisplay(Charts.MiouVsLatency(study.Summary));"),
            Md("## Edges as well as regions\n\nmIoU rewards getting regions right; boundary F and the trimap mIoU (pixels within a few pixels of a boundary) look at the edges, " +
               "which is what the alignment decoders set out to fix."),
            Code("Charts.VariantMetrics(study.Summary)"),
            Md("## What the numbers say"),
            Code("study.Findings()"),
            Md("## Training curves\n\nTraining loss (mean over each log interval) of every run; click a decoder in the legend to hide its seeds. " +
               "Losses of decoders with auxiliary heads (HFGD's high-level branch, AlignSeg's deep supervision) include those terms, so compare shapes, not levels."),
            Code("Charts.TrainingCurves(study.Curves())"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }

    static Notebook Sfnet(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "SFNet: the Flow Alignment Module",
            "SFNet (Li et al., ECCV 2020) replaces the bilinear upsampling of the FPN's top-down path by FAM: from the coarse map and the finer lateral it predicts a " +
            "two-channel *semantic flow* and warps the coarse map along it (grid_sample) instead of resizing it. The ablation trains the bilinear FPN, FAM at every " +
            "top-down step, and FAM at a single step (P4 or P2) to ask where alignment matters.");
        cells.AddRange(StudyCells("sfnet"));
        cells.AddRange(
        [
            Code("display(Charts.VariantMetrics(study.Summary));\ndisplay(Charts.TrainingCurves(study.Curves()));"),
            Md("## What FAM learns: the flow fields\n\nOne validation scene through the trained FAM model, with every flow field it used (P4, P3, P2 — coarse to fine). " +
               "Colour images: direction is the hue of the Middlebury colour wheel (right red, down yellow, left cyan, up violet), length is the brightness; " +
               "each field is drawn on its own grid, and the titles give its longest displacement in pixels of that grid and of the input."),
            Code("var model = study.Model(\"fam\");\nvar scene = study.Sample(0);\nvar flows = Inspect.Flows(model, scene);\ndisplay(scene.Picture());\ndisplay(FlowPlots.ColourFields(flows));\ndisplay(ColourWheel.Legend());"),
            Md("On one brightness scale for all levels, the levels' magnitudes compare directly:"),
            Code("FlowPlots.ColourFields(flows, FlowPlots.SharedScale(flows), \"FAM flow fields on one scale\")"),
            Md("## Arrows over the image\n\nThe same fields as arrows on a subsampled grid: each arrow starts at a cell of the level's grid and points to where that cell reads " +
               "the coarser map. Arrows are enlarged by the factor in each title so the longest spans most of the grid spacing; the true length is the \"max\" in pixels."),
            Code("FlowPlots.ArrowsPerLevel(scene, flows)"),
            Md("## FAM at a single step\n\nThe single-level variants learn their own flow at the one step where FAM replaces bilinear upsampling."),
            Code("foreach (var variant in new[] { \"fam-p4\", \"fam-p2\" })\n    display(FlowPlots.ColourFields(Inspect.Flows(study.Model(variant), scene), title: $\"{variant}: its one flow field\"));"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }
}
