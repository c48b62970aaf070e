namespace SegAlign.Training;

/// <summary>
/// What a metrics.json must satisfy before it enters a table: its mIoU is the mean of the per-class IoUs it ships
/// with, its loss and GMACs are finite and non-negative, and its throughput is positive. An edited or damaged file
/// is refused in one line naming the file and the field, instead of showing up as a plausible-looking row.
/// </summary>
public static class MetricsConsistency
{
    /// <summary>Relative tolerance between the stored mIoU and the mean of the stored per-class IoUs (both written from one evaluation).</summary>
    public const double MeanIoUTolerance = 1e-6;

    public static void Check(RunMetrics metrics, string file)
    {
        const string fix = "the file was edited or damaged: delete the run folder and run again";
        var ious = metrics.Classes.Where(c => c.IoU is not null).Select(c => c.IoU!.Value).ToList();
        if (ious.Count > 0)
        {
            double mean = ious.Average();
            if (Math.Abs(mean - metrics.MeanIoU) > MeanIoUTolerance * Math.Max(Math.Abs(mean), 1e-9))
                throw new InputException(file, $"records meanIoU = {metrics.MeanIoU}, but its per-class IoUs average {mean}", fix);
        }
        foreach (var (name, value) in new[] { ("finalLoss", metrics.FinalLoss), ("gMacs", metrics.GMacs) })
            if (!double.IsFinite(value) || value < 0)
                throw new InputException(file, $"records {name} = {value}; it must be a finite number ≥ 0", fix);
        if (!double.IsFinite(metrics.ImagesPerSecond) || metrics.ImagesPerSecond <= 0)
            throw new InputException(file, $"records imagesPerSecond = {metrics.ImagesPerSecond}; it must be a finite number > 0", fix);
    }
}
