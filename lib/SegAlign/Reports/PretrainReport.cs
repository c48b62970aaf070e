using System.Globalization;
using System.Text;
using SegAlign.Training;
using SegAlign.Visualisation;

namespace SegAlign.Reports;

/// <summary>
/// A pretraining's page (results/pretrain/&lt;name&gt;-&lt;hash&gt;/report.html) and its summary.md: held-out top-1
/// overall and per class, the loss and accuracy curves, and the recipe.
/// </summary>
public static class PretrainReport
{
    public static string Markdown(PretrainFolder folder)
    {
        var m = folder.ReadMetrics();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Pretrained backbone `{m.Name}` (recipe {m.Hash})\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Top-1 on {m.EvalImages} held-out Fashion-MNIST **train** images (never used in pretraining; the segmentation validation scenes use only t10k images): **{m.Top1:F2} %** after {m.Iterations} iterations ({m.TrainSeconds / 60:F1} min of training, final loss {m.FinalLoss:F3}).\n\n");
        text.Append("| class | top-1 % |\n|---|---|\n");
        foreach (var (name, accuracy) in m.PerClassTop1) text.Append(CultureInfo.InvariantCulture, $"| {name} | {(double.IsNaN(accuracy) ? "–" : accuracy.ToString("F1", CultureInfo.InvariantCulture))} |\n");
        text.Append(CultureInfo.InvariantCulture, $"\nCode: {m.Commit}{(m.Dirty ? " (with uncommitted changes)" : "")}; runtime: {m.Runtime}.\n");
        return text.ToString();
    }

    public static ReportPage Build(PretrainFolder folder)
    {
        var m = folder.ReadMetrics();
        var page = new ReportPage($"Pretraining {m.Name}");
        page.Add(ReportMarkdown.Render(Markdown(folder)));
        var train = Pretrainer.ReadTrainLog(folder);
        var eval = Pretrainer.ReadEvalLog(folder);
        page.Heading(2, "Curves", "curves");
        page.Chart(ReportCharts.Figure(PlotlyKit.Figure([PlotlyKit.Trace("scatter", ("name", "training loss"), ("mode", "lines"),
                ("x", train.Select(r => r.Iteration).ToArray()), ("y", PlotlyKit.Numbers(train.Select(r => r.Loss))))],
                "Training loss (mean over each 10 iterations)", "iteration", "cross-entropy")));
        page.Chart(ReportCharts.Figure(PlotlyKit.Figure([PlotlyKit.Trace("scatter", ("name", "held-out top-1"), ("mode", "lines+markers"),
                ("x", eval.Select(r => r.Iteration).ToArray()), ("y", PlotlyKit.Numbers(eval.Select(r => r.Top1))))],
                "Held-out top-1 accuracy", "iteration", "top-1 (%)")));
        page.Heading(2, "Recipe", "recipe");
        page.Add($"<pre>{Html.Escape(File.ReadAllText(folder.RecipeFile))}</pre>\n");
        return page;
    }

    /// <summary>Writes report.html and summary.md into the folder (atomically); returns the page's path.</summary>
    public static string Write(PretrainFolder folder)
    {
        string path = Path.Combine(folder.Path, "report.html");
        Build(folder).Save(path);
        AtomicFile.WriteAllText(Path.Combine(folder.Path, "summary.md"), Markdown(folder));
        return path;
    }
}
