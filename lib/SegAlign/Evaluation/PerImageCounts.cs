using System.Globalization;
using System.Text;

namespace SegAlign.Evaluation;

/// <summary>
/// Each validation image's per-class intersection and union pixel counts. Both are additive over images, so the
/// mIoU of any multiset of images — a bootstrap resample — is computed from sums without the predictions, exactly
/// as <see cref="SegmentationMetrics"/> computes it over the whole split (classes with an empty union are left out).
/// </summary>
public sealed class PerImageCounts
{
    readonly List<long[]> intersections = [], unions = [];

    public PerImageCounts(int numClasses) => NumClasses = numClasses;

    public int NumClasses { get; }
    public int Images => intersections.Count;

    /// <summary>Adds one image (255 = ignored pixel).</summary>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> labels)
    {
        var intersection = new long[NumClasses];
        var union = new long[NumClasses];
        for (int i = 0; i < labels.Length; i++)
        {
            byte gt = labels[i];
            if (gt == 255) continue;
            byte predicted = prediction[i];
            if (gt >= NumClasses || predicted >= NumClasses)
                throw new InputException("labels", $"value {Math.Max(gt, predicted)} is ≥ {NumClasses} and not 255", "check the dataset's label mapping");
            if (gt == predicted) { intersection[gt]++; union[gt]++; }
            else { union[gt]++; union[predicted]++; }
        }
        intersections.Add(intersection);
        unions.Add(union);
    }

    /// <summary>mIoU (%) of the images at <paramref name="indices"/> (repeats count as often as they appear).</summary>
    public double MeanIoU(ReadOnlySpan<int> indices)
    {
        Span<long> tp = stackalloc long[NumClasses], union = stackalloc long[NumClasses];
        foreach (int i in indices)
            for (int c = 0; c < NumClasses; c++) { tp[c] += intersections[i][c]; union[c] += unions[i][c]; }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < NumClasses; c++)
            if (union[c] > 0) { sum += 100.0 * tp[c] / union[c]; present++; }
        return present == 0 ? double.NaN : sum / present;
    }

    /// <summary>CSV: one row per image, columns i0..i(K−1) then u0..u(K−1).</summary>
    public string ToCsv()
    {
        var s = new StringBuilder("image");
        for (int c = 0; c < NumClasses; c++) s.Append(",i").Append(c);
        for (int c = 0; c < NumClasses; c++) s.Append(",u").Append(c);
        s.Append('\n');
        for (int i = 0; i < Images; i++)
            s.Append(i).Append(',').AppendJoin(',', intersections[i]).Append(',').AppendJoin(',', unions[i]).Append('\n');
        return s.ToString();
    }

    public static PerImageCounts Parse(string csv, string where)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) throw new InputException(where, "is empty", "delete it and rerun the run's evaluation");
        int columns = lines[0].Split(',').Length;
        if (columns < 3 || (columns - 1) % 2 != 0) throw new InputException(where, $"has {columns} columns, expected image plus two per class", "delete it and rerun the run's evaluation");
        var counts = new PerImageCounts((columns - 1) / 2);
        for (int row = 1; row < lines.Length; row++)
        {
            var fields = lines[row].Split(',');
            if (fields.Length != columns) throw new InputException($"{where} line {row + 1}", $"has {fields.Length} fields, expected {columns}", "delete it and rerun the run's evaluation");
            var values = new long[columns - 1];
            for (int f = 1; f < columns; f++)
                if (!long.TryParse(fields[f], NumberStyles.None, CultureInfo.InvariantCulture, out values[f - 1]))
                    throw new InputException($"{where} line {row + 1}", $"'{fields[f]}' is not a pixel count", "delete it and rerun the run's evaluation");
            var intersection = values[..counts.NumClasses];
            var union = values[counts.NumClasses..];
            if (intersection.Zip(union).Any(p => p.First > p.Second))
                throw new InputException($"{where} line {row + 1}", "has an intersection larger than its union", "delete it and rerun the run's evaluation");
            counts.intersections.Add(intersection);
            counts.unions.Add(union);
        }
        return counts;
    }
}
