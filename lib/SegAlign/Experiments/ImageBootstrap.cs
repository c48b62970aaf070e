using SegAlign.Evaluation;

namespace SegAlign.Experiments;

/// <summary>
/// The paired bootstrap over validation images, beside the t-test over seeds: how much a difference in mIoU depends
/// on which images happen to be in the validation set. Each resample draws the same images (with replacement) for
/// both variants and every seed; the statistic is the seed-averaged paired difference of mIoU recomputed from the
/// resampled images' pixel counts. Percentile interval; the generator is seeded, so the interval is reproducible.
/// </summary>
public static class ImageBootstrap
{
    public const int DefaultResamples = 2000;

    /// <summary>The 95 % percentile interval of mean over seeds of mIoU(a) − mIoU(b), or null when the pairs do not
    /// share one validation set (different image counts or classes).</summary>
    public static (double Low, double High)? PairedDelta(IReadOnlyList<(PerImageCounts A, PerImageCounts B)> seeds, int resamples = DefaultResamples, int seed = 0)
    {
        if (seeds.Count == 0) return null;
        int images = seeds[0].A.Images, classes = seeds[0].A.NumClasses;
        if (images == 0 || seeds.Any(p => p.A.Images != images || p.B.Images != images || p.A.NumClasses != classes || p.B.NumClasses != classes))
            return null;
        var random = new Random(seed);
        var indices = new int[images];
        var deltas = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < images; i++) indices[i] = random.Next(images);
            double sum = 0;
            foreach (var (a, b) in seeds) sum += a.MeanIoU(indices) - b.MeanIoU(indices);
            deltas[r] = sum / seeds.Count;
        }
        Array.Sort(deltas);
        return (Percentile(deltas, 0.025), Percentile(deltas, 0.975));
    }

    // Linear interpolation between order statistics (type 7, numpy's default).
    static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
