using System.Globalization;
using SegAlign.Training;
using Spectre.Console;

namespace SegAlign.Cli;

/// <summary>Prints a run's metrics: the headline numbers, then per-class IoU (absent classes say so).</summary>
public static class ResultPrinter
{
    public static void Print(RunMetrics m, string folder)
    {
        static string F(double? v) => v is double d && double.IsFinite(d) ? d.ToString("F2", CultureInfo.InvariantCulture) : "absent";
        var console = Terminal.Current();
        var trimap = string.Join("  ", m.TrimapMeanIoU.Select(t => $"trimap{t.Key}px {F(t.Value)}"));
        console.MarkupLine($"[bold]mIoU {F(m.MeanIoU)}[/]  mAcc {F(m.MeanAccuracy)}  aAcc {F(m.PixelAccuracy)}  boundary-F {F(m.BoundaryF)}  {Markup.Escape(trimap)}");
        console.MarkupLine($"{m.GMacs:F3} GMACs/image  {m.Parameters["total"] / 1e6:F2} M params  trained {m.Iterations} it in {m.TrainSeconds:F0} s ({m.ImagesPerSecond:F0} img/s)");
        var table = new Table().AddColumn("class").AddColumn(new TableColumn("IoU").RightAligned()).AddColumn(new TableColumn("Acc").RightAligned())
            .AddColumn(new TableColumn("boundary F").RightAligned());
        foreach (var c in m.Classes) table.AddRow(Markup.Escape(c.Name), F(c.IoU), F(c.Accuracy), F(c.BoundaryF));
        console.Write(table);
        if (m.AbsentClasses.Count > 0) console.MarkupLine($"absent from ground truth and prediction (excluded from mIoU): {Markup.Escape(string.Join(", ", m.AbsentClasses))}");
        console.MarkupLine($"run folder: {Markup.Escape(folder)}");
    }
}
