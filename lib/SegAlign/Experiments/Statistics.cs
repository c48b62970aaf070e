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

    /// <summary>The critical value t with P(|T| ≥ t) = <paramref name="twoSidedAlpha"/> for ν degrees of freedom
    /// (t(0.05, 2) = 4.303), by bisection on <see cref="StudentTwoSidedP"/>, which falls monotonically in t.</summary>
    public static double StudentQuantile(double twoSidedAlpha, double nu)
    {
        if (!(twoSidedAlpha > 0 && twoSidedAlpha < 1) || !(nu > 0)) throw new ArgumentOutOfRangeException(nameof(twoSidedAlpha), "need 0 < α < 1 and ν > 0");
        double low = 0, high = 1;
        while (StudentTwoSidedP(high, nu) > twoSidedAlpha) high *= 2;
        for (int i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            double mid = 0.5 * (low + high);
            if (StudentTwoSidedP(mid, nu) > twoSidedAlpha) low = mid; else high = mid;
        }
        return 0.5 * (low + high);
    }

    /// <summary>
    /// How many paired seeds a 95 % interval of half-width <paramref name="halfWidth"/> needs when the paired
    /// differences spread by <paramref name="differenceStd"/> (smallest n with t(0.05, n−1)·sd/√n ≤ half-width);
    /// null when the spread is unknown, or when even <paramref name="limit"/> seeds would not do.
    /// </summary>
    public static int? SeedsForHalfWidth(double differenceStd, double halfWidth, int limit = 1000)
    {
        if (!double.IsFinite(differenceStd) || !(halfWidth > 0)) return null;
        for (int n = 2; n <= limit; n++)
            if (StudentQuantile(0.05, n - 1) * differenceStd / Math.Sqrt(n) <= halfWidth) return n;
        return null;
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

    /// <summary>P(|T| ≥ |t|) for Student's t with ν degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).</summary>
    public static double StudentTwoSidedP(double t, double nu) => RegularizedIncompleteBeta(nu / (nu + t * t), nu / 2, 0.5);

    /// <summary>I_x(a, b) by the continued fraction (Numerical Recipes' betacf), accurate to ~1e-12.</summary>
    public static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - front * ContinuedFraction(1 - x, b, a) / b;
    }

    static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 300; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d; h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15) break;
        }
        return h;
    }

    /// <summary>ln Γ(x) (Lanczos, g = 7, n = 9).</summary>
    public static double LogGamma(double x)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
                      12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double sum = g[0];
        for (int i = 1; i < g.Length; i++) sum += g[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
