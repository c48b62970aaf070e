using System.Globalization;
using SegAlign.Evaluation;

namespace SegAlign.Experiments;

/// <summary>
/// Paired comparisons over the seeds both variants finished, from one experiment's run rows: the Student-t comparison of
/// whole-split values, and the two-level interval over seeds and test images where every run has per-image counts
/// (mIoU from per_image_counts.csv, the alignment metrics from per_image_alignment.csv).
/// </summary>
public sealed class PairedEvidence(IReadOnlyList<RunRow> rows)
{
    readonly Dictionary<(string, string, string), TwoLevelInterval?> cache = new();

    Dictionary<int, RunRow> BySeed(string variant) => rows.Where(r => r.Run.Variant == variant).ToDictionary(r => r.Run.Seed);

    public Comparison? Compare(string variant, string versus, Func<RunRow, double> metric, bool deterministic = false)
    {
        var a = BySeed(variant);
        var b = BySeed(versus);
        var seeds = a.Keys.Intersect(b.Keys).OrderBy(s => s).ToList();
        if (seeds.Count == 0) return null;
        return Comparison.Of(seeds.Select(s => metric(a[s])).ToList(), seeds.Select(s => metric(b[s])).ToList(), deterministic);
    }

    /// <summary>The two-level interval, or null when a run lacks per-image counts for the metric or the runs were scored on different images.</summary>
    public TwoLevelInterval? TwoLevel(string variant, string versus, string metric)
    {
        if (cache.TryGetValue((variant, versus, metric), out var known)) return known;
        var a = BySeed(variant);
        var b = BySeed(versus);
        var seeds = a.Keys.Intersect(b.Keys).OrderBy(s => s).ToList();
        TwoLevelInterval? result = null;
        var pairs = seeds.Select(s => (Scorer(a[s], metric), Scorer(b[s], metric))).ToList();
        var counts = seeds.SelectMany(s => new[] { a[s], b[s] }).Select(r => r.Metrics.EvalImages).Distinct().ToList();
        if (seeds.Count >= 2 && counts.Count == 1 && pairs.All(p => p.Item1 is not null && p.Item2 is not null))
            result = TwoLevelBootstrap.Of(pairs.Select(p => new SeedPair(p.Item1!, p.Item2!)).ToList(), counts[0]);
        cache[(variant, versus, metric)] = result;
        return result;
    }

    /// <summary>Scores a multiset of the run's images in the metric, or null when the run has no per-image record of it.</summary>
    static Func<int[], double>? Scorer(RunRow row, string metric)
    {
        if (metric == "miou") return row.PerImage is { } counts && counts.Images == row.Metrics.EvalImages ? indices => counts.MeanIoU(indices) : null;
        if (row.PerImageAlignment is not { } images || images.Count != row.Metrics.EvalImages) return null;
        Func<AlignmentCounts, (double Numerator, double Denominator)>? part = metric switch
        {
            "edgeF1" => a => (a.EdgeF1, a.EdgeImages),
            "edgeF2" => a => (a.EdgeF2, a.EdgeImages),
            "foregroundIoU" => a => (a.ForegroundIntersection, a.ForegroundUnion),
            "misnamedShare" => a => (a.MisnamedPixels, a.GarmentPixels),
            "namedItemShare" => a => (a.NamedItems, a.Items),
            "namedItemIoU" => a => (a.NamedItemIoUSum, a.NamedItems),
            "namedItemBoundaryF" => a => (a.NamedItemBoundaryFSum, a.NamedItems),
            _ => null,
        };
        if (part is null) return null;
        var numerator = images.Select(i => part(i).Numerator).ToArray();
        var denominator = images.Select(i => part(i).Denominator).ToArray();
        return indices =>
        {
            double n = 0, d = 0;
            foreach (int i in indices) { n += numerator[i]; d += denominator[i]; }
            return d == 0 ? double.NaN : 100 * n / d;
        };
    }
}

/// <summary>How intervals read in tables.</summary>
public static class ComparisonText
{
    public static string Interval(TwoLevelInterval t, double? holm = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Delta:+0.00;-0.00;0.00} [{t.Low:+0.00;-0.00;0.00}, {t.High:+0.00;-0.00;0.00}] (p {Verdicts.P(t.P)}{(holm is double h ? $", Holm {Verdicts.P(h)}" : "")})");
}
