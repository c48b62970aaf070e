using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using SegAlign.Evaluation;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>A finished run as one tidy row (what experiments, summaries and notebooks read); <paramref name="PerImage"/>
/// is null for runs made before per-image counts were recorded.</summary>
public sealed record RunRow(PlannedRun Run, RunMetrics Metrics, double? LatencyMs, PerImageCounts? PerImage = null,
    IReadOnlyList<AlignmentCounts>? PerImageAlignment = null);

/// <summary>
/// The tidy results table: one row per (experiment, variant, seed) — metrics, per-class IoU, edge metrics,
/// cost — as a Microsoft.Data.Analysis DataFrame, saved as CSV with invariant culture.
/// </summary>
public static class ResultsTable
{
    /// <summary>Column holding class <paramref name="className"/>'s IoU ("iou_t_shirt_top").</summary>
    public static string ClassColumn(string className) =>
        "iou_" + new string(className.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray()).Trim('_').Replace("__", "_");

    public static DataFrame Build(IReadOnlyList<RunRow> rows)
    {
        var classNames = rows.SelectMany(r => r.Metrics.Classes.Select(c => c.Name)).Distinct().ToList();
        var trimapWidths = rows.SelectMany(r => r.Metrics.TrimapMeanIoU.Keys).Distinct().OrderBy(k => int.Parse(k, CultureInfo.InvariantCulture)).ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("experiment", rows.Select(r => r.Run.Experiment)),
            new StringDataFrameColumn("variant", rows.Select(r => r.Run.Variant)),
            new Int32DataFrameColumn("seed", rows.Select(r => r.Run.Seed)),
            new StringDataFrameColumn("decoder", rows.Select(r => r.Metrics.Decoder)),
            new StringDataFrameColumn("backbone", rows.Select(r => r.Metrics.Backbone)),
            new StringDataFrameColumn("dataset", rows.Select(r => r.Metrics.Dataset)),
            new DoubleDataFrameColumn("miou", rows.Select(r => r.Metrics.MeanIoU)),
            new DoubleDataFrameColumn("macc", rows.Select(r => r.Metrics.MeanAccuracy)),
            new DoubleDataFrameColumn("aacc", rows.Select(r => r.Metrics.PixelAccuracy)),
            new DoubleDataFrameColumn("boundary_f", rows.Select(r => r.Metrics.BoundaryF)),
        };
        // Protocol v3's alignment metrics (empty for earlier runs) and the split the row was scored on.
        if (rows.Any(r => r.Metrics.Alignment is not null))
        {
            columns.Add(new StringDataFrameColumn("split", rows.Select(r => r.Metrics.Split ?? "validation")));
            foreach (var name in AlignmentResult.Names)
                columns.Add(new DoubleDataFrameColumn(SnakeCase(name), rows.Select(r => r.Metrics.Alignment?.Named().Where(n => n.Name == name).Select(n => (double?)n.Value).FirstOrDefault())));
        }
        foreach (var w in trimapWidths)
            columns.Add(new DoubleDataFrameColumn($"trimap_{w}px", rows.Select(r => r.Metrics.TrimapMeanIoU.TryGetValue(w, out var v) ? v : (double?)null)));
        foreach (var name in classNames)
            columns.Add(new DoubleDataFrameColumn(ClassColumn(name), rows.Select(r => r.Metrics.Classes.FirstOrDefault(c => c.Name == name)?.IoU)));
        columns.AddRange(
        [
            new DoubleDataFrameColumn("gmacs", rows.Select(r => r.Metrics.GMacs)),
            new Int64DataFrameColumn("params", rows.Select(r => r.Metrics.Parameters["total"])),
            new Int64DataFrameColumn("params_decoder", rows.Select(r => r.Metrics.Parameters["decoder"])),
            new DoubleDataFrameColumn("latency_ms", rows.Select(r => r.LatencyMs)),
            new DoubleDataFrameColumn("train_seconds", rows.Select(r => r.Metrics.TrainSeconds)),
            new DoubleDataFrameColumn("images_per_second", rows.Select(r => r.Metrics.ImagesPerSecond)),
            new DoubleDataFrameColumn("final_loss", rows.Select(r => r.Metrics.FinalLoss)),
            new Int32DataFrameColumn("iterations", rows.Select(r => r.Metrics.Iterations)),
            new StringDataFrameColumn("commit", rows.Select(r => r.Metrics.Commit)),
            new BooleanDataFrameColumn("dirty", rows.Select(r => r.Metrics.Dirty)),
            new StringDataFrameColumn("config_hash", rows.Select(r => r.Run.Hash)),
        ]);
        return new DataFrame(columns);
    }

    static string SnakeCase(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) || char.IsDigit(c) && i > 0 && !char.IsDigit(name[i - 1]) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    public static void Save(DataFrame frame, string path) =>
        AtomicFile.Write(path, stream => DataFrame.SaveCsv(frame, stream, ',', true, new UTF8Encoding(false), CultureInfo.InvariantCulture));

    public static DataFrame Load(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "does not exist", "run `segalign ablation run` (or collect) first");
        return DataFrame.LoadCsv(path, ',', true, cultureInfo: CultureInfo.InvariantCulture);
    }
}
