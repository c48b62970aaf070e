using MathNet.Numerics.Distributions;

namespace SegAlign.Experiments;

/// <summary>Mean ± sample standard deviation, paired comparisons over seeds with confidence intervals, and Holm's correction.</summary>
public static class Statistics
{
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    /// <summary>Sample standard deviation (n − 1); NaN for fewer than two values.</summary>
    public static double StdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>
    /// Two-sided paired t-test of a − b over matched seeds (same seed = same initialisation and data stream),
    /// with n − 1 degrees of freedom. Returns the mean difference, its t statistic and p-value (NaN when n &lt; 2
    /// or the differences are all equal).
    /// </summary>
    public static (double MeanDifference, double T, double P, int N) PairedTTest(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("paired samples need equal lengths");
        var d = a.Zip(b, (x, y) => x - y).ToList();
        int n = d.Count;
        double mean = Mean(d);
        if (n < 2) return (mean, double.NaN, double.NaN, n);
        double sd = StdDev(d);
        if (sd == 0) return (mean, mean == 0 ? 0 : double.PositiveInfinity * Math.Sign(mean), mean == 0 ? 1 : 0, n);
        double t = mean / (sd / Math.Sqrt(n));
        return (mean, t, StudentTwoSidedP(t, n - 1), n);
    }

    /// <summary>
    /// The two-sided (1 − α) Student-t confidence interval of the mean of paired differences; (NaN, NaN) with
    /// fewer than two pairs. With all differences equal it collapses to the point (the data show no spread).
    /// </summary>
    public static (double Low, double High) PairedConfidenceInterval(IReadOnlyList<double> differences, double alpha = 0.05)
    {
        int n = differences.Count;
        if (n < 2) return (double.NaN, double.NaN);
        double mean = Mean(differences), halfWidth = StudentQuantile(alpha, n - 1) * StdDev(differences) / Math.Sqrt(n);
        return (mean - halfWidth, mean + halfWidth);
    }

    /// <summary>The critical value t with P(|T| ≥ t) = <paramref name="twoSidedAlpha"/> for ν degrees of freedom (t(0.05, 2) = 4.303; MathNet.Numerics).</summary>
    public static double StudentQuantile(double twoSidedAlpha, double nu)
    {
        if (!(twoSidedAlpha > 0 && twoSidedAlpha < 1) || !(nu > 0)) throw new ArgumentOutOfRangeException(nameof(twoSidedAlpha), "need 0 < α < 1 and ν > 0");
        return StudentT.InvCDF(0, 1, nu, 1 - twoSidedAlpha / 2);
    }

    /// <summary>
    /// Holm's step-down adjustment of a family of p-values (controls the family-wise error rate): the i-th
    /// smallest of m is multiplied by m − i + 1, made monotone and capped at 1. NaN entries (no test) are left
    /// out of the family and stay NaN.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var adjusted = pValues.Select(_ => double.NaN).ToArray();
        var order = Enumerable.Range(0, pValues.Count).Where(i => !double.IsNaN(pValues[i])).OrderBy(i => pValues[i]).ToList();
        double running = 0;
        for (int rank = 0; rank < order.Count; rank++)
        {
            running = Math.Max(running, Math.Min(1, (order.Count - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    /// <summary>P(|T| ≥ |t|) for Student's t with ν degrees of freedom (MathNet.Numerics).</summary>
    public static double StudentTwoSidedP(double t, double nu) => double.IsInfinity(t) ? 0 : 2 * (1 - StudentT.CDF(0, 1, nu, Math.Abs(t)));
}
