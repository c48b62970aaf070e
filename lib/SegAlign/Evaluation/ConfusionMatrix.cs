using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Evaluation;

/// <summary>
/// Pixel confusion matrix accumulated over a whole split (rows = ground truth, columns = prediction),
/// ignoring label 255. Every segmentation metric in the suite is derived from it, as in mmseg and the papers.
/// </summary>
public sealed class ConfusionMatrix
{
    public ConfusionMatrix(int numClasses)
    {
        NumClasses = numClasses;
        Counts = new long[numClasses * numClasses];
    }

    public int NumClasses { get; }

    /// <summary>Row-major K×K counts: Counts[gt·K + pred].</summary>
    public long[] Counts { get; }

    public long this[int groundTruth, int prediction] => Counts[groundTruth * NumClasses + prediction];

    /// <summary>Adds predictions [N,H,W] against labels [N,H,W] (any integer type); 255 is skipped.</summary>
    public void Add(Tensor prediction, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var gt = labels.to(ScalarType.Int64).flatten();
        var pred = prediction.to(ScalarType.Int64).flatten();
        using var ignore = Scalars.Of(255L);
        using var classes = Scalars.Of((long)NumClasses);
        var valid = gt.ne(ignore);
        var outOfRange = gt.ge(classes).logical_and(valid);
        if (outOfRange.any().item<bool>())
            throw new InputException("labels", $"contain values ≥ {NumClasses} that are not 255", "check the dataset's label mapping");
        var index = gt.masked_select(valid).mul(classes).add(pred.masked_select(valid), Scalars.One);
        var counts = index.bincount(null, NumClasses * NumClasses).cpu();
        var values = counts.data<long>().ToArray();
        for (int i = 0; i < values.Length; i++) Counts[i] += values[i];
    }

    /// <summary>Adds one label map and its prediction from host arrays (255 skipped).</summary>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            byte gt = labels[i];
            if (gt == 255) continue;
            if (gt >= NumClasses) throw new InputException("labels", $"value {gt} is ≥ {NumClasses} and not 255", "check the dataset's label mapping");
            Counts[gt * NumClasses + prediction[i]]++;
        }
    }

    public void Add(ConfusionMatrix other)
    {
        if (other.NumClasses != NumClasses) throw new ArgumentException("class counts differ", nameof(other));
        for (int i = 0; i < Counts.Length; i++) Counts[i] += other.Counts[i];
    }

    public static ConfusionMatrix FromCounts(int numClasses, long[] counts)
    {
        var matrix = new ConfusionMatrix(numClasses);
        if (counts.Length != numClasses * numClasses) throw new ArgumentException($"expected {numClasses * numClasses} counts", nameof(counts));
        counts.CopyTo(matrix.Counts, 0);
        return matrix;
    }
}
