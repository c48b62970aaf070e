using System.Globalization;
using SegAlign.Experiments;

namespace SegAlign.Visualisation;

/// <summary>
/// A variant as a point: its cost, its metric's mean ± std over <see cref="Seeds"/> seeds and, when known, the metric
/// per seed — what lets two variants be compared paired, seed by seed, as the verdicts are.
/// </summary>
public sealed record CostPoint(string Label, double Cost, double Mean, double Std, int Seeds, IReadOnlyDictionary<int, double>? PerSeed = null)
{
    /// <summary>A variant's mIoU against its GMACs (or another cost).</summary>
    public static CostPoint Of(VariantSummary v, double cost) => new(v.Variant, cost, v.MeanIoU.Mean, v.MeanIoU.Std, v.MeanIoU.N, v.MeanIoUBySeed);

    internal bool Valid => double.IsFinite(Cost) && double.IsFinite(Mean);
}

/// <summary>One variant beaten by another that costs no more: the paired difference that decides it.</summary>
public sealed record Domination(string Dominated, string By, Comparison Difference);

/// <summary>
/// Which variants no other beats on both accuracy and cost — "beats" decided as the verdicts decide: a variant is
/// dominated only when another costs no more and their paired mIoU difference over shared seeds has a 95 % interval
/// above zero. A gap on the means alone (with one seed, or inside the noise) dominates nothing.
/// </summary>
public static class Pareto
{
    /// <summary>Indices of the points on the front, cheapest first. Points with a missing (NaN) cost or mean take no part.</summary>
    public static IReadOnlyList<int> Front(IReadOnlyList<CostPoint> points)
    {
        var beaten = Dominated(points).Select(d => d.Dominated).ToHashSet();
        return Enumerable.Range(0, points.Count).Where(i => points[i].Valid && !beaten.Contains(points[i].Label))
            .OrderBy(i => points[i].Cost).ThenByDescending(i => points[i].Mean).ToList();
    }

    /// <summary>Every dominated point with the variant that beats it by the widest decided margin.</summary>
    public static IReadOnlyList<Domination> Dominated(IReadOnlyList<CostPoint> points)
    {
        var result = new List<Domination>();
        foreach (var p in points.Where(p => p.Valid))
        {
            var beats = points.Where(q => q.Valid && !ReferenceEquals(q, p) && q.Cost <= p.Cost)
                .Select(q => (q, Difference: Paired(q, p)))
                .Where(x => x.Difference is { HasInterval: true, CiLow: > 0 })
                .OrderByDescending(x => x.Difference!.CiLow).ToList();
            if (beats.Count > 0) result.Add(new Domination(p.Label, beats[0].q.Label, beats[0].Difference!));
        }
        return result;
    }

    /// <summary>The paired difference a − b over the seeds both finished; null below two shared seeds.</summary>
    public static Comparison? Paired(CostPoint a, CostPoint b)
    {
        if (a.PerSeed is null || b.PerSeed is null) return null;
        var shared = a.PerSeed.Keys.Where(b.PerSeed.ContainsKey).Order().ToList();
        return shared.Count < 2 ? null : Comparison.Of(shared.Select(s => a.PerSeed[s]).ToList(), shared.Select(s => b.PerSeed[s]).ToList());
    }

    /// <summary>True when there is nothing to trade off: fewer than two distinct costs (within 0.5 %).</summary>
    public static bool AllCostsEqual(IReadOnlyList<CostPoint> points)
    {
        var costs = points.Where(p => p.Valid).Select(p => p.Cost).ToList();
        return costs.Count < 2 || costs.Max() - costs.Min() <= 0.005 * Math.Abs(costs.Max());
    }

    /// <summary>The chart's caption, from the data: which variants are on the front, which are beaten and by how much.</summary>
    public static string Describe(IReadOnlyList<CostPoint> points, string costName)
    {
        var c = CultureInfo.InvariantCulture;
        var valid = points.Where(p => p.Valid).ToList();
        if (valid.Count == 0) return "No finished runs yet.";
        if (valid.Count == 1) return $"Only {valid[0].Label} has finished runs: there is no cost to compare yet.";
        if (AllCostsEqual(valid))
            return string.Create(c, $"All {valid.Count} variants cost the same ({valid[0].Cost:0.###} {costName}): there is nothing to trade off, and their accuracy differences are in the verdicts above.");
        var dominated = Dominated(valid);
        string front = string.Join(", ", Front(valid).Select(i => valid[i].Label));
        string text = $"Filled: the front ({front}) — no variant that costs no more is decidedly more accurate. ";
        text += dominated.Count == 0
            ? "Open: none — no gap in mIoU is decided (95 % paired interval over seeds above zero), so no variant is dominated."
            : "Open: dominated — " + string.Join("; ", dominated.Select(d => $"{d.Dominated} by {d.By} ({d.Difference.Format()} mIoU)")) + ".";
        return text;
    }
}
