namespace SegAlign.Evaluation;

/// <summary>Metrics of one class. IoU is null when the class is absent from both ground truth and prediction.</summary>
public sealed record ClassMetrics(string Name, double? IoU, double? Accuracy, long GroundTruthPixels, long PredictedPixels)
{
    public bool Absent => IoU is null;
}

/// <summary>
/// Standard segmentation metrics from a confusion matrix (percentages, as papers print them):
/// IoU_k = TP/(TP+FP+FN); mIoU averages the classes present in ground truth or prediction — a class absent
/// from both is excluded and reported as absent (mmseg instead yields NaN and skips it with nanmean, the same
/// numbers); Acc_k = TP/(TP+FN) over classes present in ground truth, mAcc their mean; aAcc = ΣTP/ΣGT.
/// </summary>
public sealed record SegmentationMetrics(double MeanIoU, double MeanAccuracy, double PixelAccuracy, IReadOnlyList<ClassMetrics> Classes)
{
    public IEnumerable<string> AbsentClasses => Classes.Where(c => c.Absent).Select(c => c.Name);

    public static SegmentationMetrics From(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        int k = matrix.NumClasses;
        if (classNames.Count != k) throw new ArgumentException($"{classNames.Count} names for {k} classes", nameof(classNames));
        var classes = new List<ClassMetrics>(k);
        long totalTp = 0, totalGt = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = matrix[c, c], gt = 0, predicted = 0;
            for (int j = 0; j < k; j++) { gt += matrix[c, j]; predicted += matrix[j, c]; }
            long union = gt + predicted - tp;
            double? iou = union == 0 ? null : 100.0 * tp / union;
            double? accuracy = gt == 0 ? null : 100.0 * tp / gt;
            classes.Add(new ClassMetrics(classNames[c], iou, accuracy, gt, predicted));
            totalTp += tp; totalGt += gt;
        }
        double Mean(IEnumerable<double?> values)
        {
            var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
            return present.Count == 0 ? double.NaN : present.Average();
        }
        return new SegmentationMetrics(
            Mean(classes.Select(c => c.IoU)),
            Mean(classes.Select(c => c.Accuracy)),
            totalGt == 0 ? double.NaN : 100.0 * totalTp / totalGt,
            classes);
    }
}
