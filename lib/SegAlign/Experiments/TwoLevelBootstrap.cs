using MathNet.Numerics.Distributions;

namespace SegAlign.Experiments;

/// <summary>One seed's pair of runs, each able to score any multiset of the shared test images (pixel counts summed).</summary>
public sealed record SeedPair(Func<int[], double> Variant, Func<int[], double> Versus);

/// <summary>
/// Δ with an interval that covers both sources of chance: which seeds were trained and which test images were drawn.
/// <para>Scheme (paired, two levels): each of <see cref="TwoLevelBootstrap.DefaultResamples"/> resamples draws n seeds with
/// replacement from the n paired seeds, then m images with replacement from the m shared test images — one image draw per
/// resample, used for every seed and both arms, since every run is scored on the same images — and records the mean over
/// the drawn seeds of metric(variant) − metric(versus) on the drawn images. The interval is Δ ± t(df)·SE: SE² is the
/// variance of the resamples plus the 1/n share of the seed variance that resampling n seeds from n misses (so with no
/// image noise it is the Student-t interval over seeds exactly), and df is Satterthwaite's for a sum of the seed part
/// (n − 1 degrees of freedom) and the image part (treated as known: m ≫ n). p is the matching two-sided t test.</para>
/// </summary>
public sealed record TwoLevelInterval(double Delta, double Low, double High, double StandardError, double DegreesOfFreedom, double P,
    double SeedVariance, double ImageVariance, int Seeds, int Images)
{
    /// <summary>The (1 − 2α) interval two one-sided tests use.</summary>
    public (double Low, double High) Interval(double confidence) =>
        (Delta - Quantile(confidence) * StandardError, Delta + Quantile(confidence) * StandardError);

    double Quantile(double confidence) => StudentT.InvCDF(0, 1, DegreesOfFreedom, 0.5 + confidence / 2);

    /// <summary>Two one-sided tests of |true Δ| &lt; <paramref name="margin"/>: the larger of the two one-sided p-values.</summary>
    public double EquivalenceP(double margin)
    {
        if (!(StandardError > 0)) return Math.Abs(Delta) < margin ? 0 : 1;
        double lower = 1 - StudentT.CDF(0, 1, DegreesOfFreedom, (Delta + margin) / StandardError); // H0: Δ ≤ −margin
        double upper = StudentT.CDF(0, 1, DegreesOfFreedom, (Delta - margin) / StandardError);     // H0: Δ ≥ +margin
        return Math.Max(lower, upper);
    }
}

public static class TwoLevelBootstrap
{
    public const int DefaultResamples = 2000;

    /// <summary>The two-level interval of mean over seeds of variant − versus (see <see cref="TwoLevelInterval"/>); null with
    /// fewer than two seeds or no images.</summary>
    public static TwoLevelInterval? Of(IReadOnlyList<SeedPair> seeds, int images, double confidence = 0.95, int resamples = DefaultResamples, int seed = 0)
    {
        int n = seeds.Count;
        if (n < 2 || images < 1) return null;
        var all = Enumerable.Range(0, images).ToArray();
        var perSeed = seeds.Select(s => s.Variant(all) - s.Versus(all)).ToArray();
        double delta = perSeed.Average();
        double seedVariance = perSeed.Sum(d => (d - delta) * (d - delta)) / (n - 1) / n; // Var of the seed mean, images fixed

        var random = new Random(seed);
        var indices = new int[images];
        var drawn = new int[n];
        double sum = 0, sumSquares = 0;
        for (int r = 0; r < resamples; r++)
        {
            for (int s = 0; s < n; s++) drawn[s] = random.Next(n);
            for (int i = 0; i < images; i++) indices[i] = random.Next(images);
            double replicate = 0;
            foreach (int s in drawn) replicate += seeds[s].Variant(indices) - seeds[s].Versus(indices);
            replicate /= n;
            sum += replicate; sumSquares += replicate * replicate;
        }
        double mean = sum / resamples;
        double bootstrapVariance = Math.Max(0, sumSquares / resamples - mean * mean) * resamples / (resamples - 1.0);
        double variance = bootstrapVariance + seedVariance / n;
        double imageVariance = Math.Max(0, variance - seedVariance);
        double se = Math.Sqrt(variance);
        // Satterthwaite: only the seed part is estimated from few values.
        double df = seedVariance > 0 ? Math.Min(1e6, variance * variance / (seedVariance * seedVariance / (n - 1))) : 1e6;
        double q = StudentT.InvCDF(0, 1, df, 0.5 + confidence / 2);
        double p = se > 0 ? 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(delta) / se)) : delta == 0 ? 1 : 0;
        return new TwoLevelInterval(delta, delta - q * se, delta + q * se, se, df, p, seedVariance, imageVariance, n, images);
    }
}

/// <summary>
/// What the seeds can decide, from the data: the smallest true Δ a paired two-sided test at level α finds with the given
/// power at this number of seeds, and the seeds the observed Δ would need. Method: the normal-theory approximation with
/// Student quantiles, MDE = (t(1 − α/2, df) + t(power, df))·SE; for n seeds SE² = σ²_seed/n + σ²_image, with σ²_seed and
/// σ²_image from the two-level interval. α is Holm's strictest level in a family of k tests (α/k), so the statement holds
/// for every claim of the family. Checked against a simulation (StatisticsTests).
/// </summary>
public static class Power
{
    public static double MinimalDetectableEffect(double seedSpread, double imageVariance, int seeds, double alpha, double power = 0.8)
    {
        double se = Math.Sqrt(seedSpread * seedSpread / seeds + imageVariance);
        double df = seeds - 1;
        return (StudentT.InvCDF(0, 1, df, 1 - alpha / 2) + StudentT.InvCDF(0, 1, df, power)) * se;
    }

    /// <summary>The seeds a true effect of |<paramref name="effect"/>| needs (null beyond <paramref name="limit"/>, or when the image noise alone forbids it).</summary>
    public static int? SeedsNeeded(double effect, double seedSpread, double imageVariance, double alpha, double power = 0.8, int limit = 200)
    {
        if (!(Math.Abs(effect) > 0) || !double.IsFinite(seedSpread)) return null;
        for (int n = 2; n <= limit; n++)
            if (MinimalDetectableEffect(seedSpread, imageVariance, n, alpha, power) <= Math.Abs(effect)) return n;
        return null;
    }
}
