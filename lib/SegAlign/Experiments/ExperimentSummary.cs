using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace SegAlign.Experiments;

public sealed record Stat(double Mean, double Std, int N)
{
    public static Stat Of(IReadOnlyList<double> values) => new(Statistics.Mean(values), Statistics.StdDev(values), values.Count);
    public string Format(string number = "F2") => double.IsNaN(Mean) ? "–" : double.IsNaN(Std) ? Mean.ToString(number, CultureInfo.InvariantCulture)
        : $"{Mean.ToString(number, CultureInfo.InvariantCulture)} ± {Std.ToString(number, CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A paired comparison over the seeds both variants completed: the mean difference, its 95 % Student-t interval
/// and two-sided p. A deterministic quantity (GMACs, parameters: the same for every seed) gets no interval and no
/// p — a test over identical numbers says nothing. <paramref name="HolmP"/> is p after Holm's correction within
/// the experiment's claims (null outside a claim).
/// </summary>
public sealed record Comparison(double Delta, double CiLow, double CiHigh, double T, double P, int Pairs, double DifferenceStd,
    bool Deterministic = false, double? HolmP = null)
{
    public static Comparison Of(IReadOnlyList<double> a, IReadOnlyList<double> b, bool deterministic = false)
    {
        var (delta, t, p, n) = Statistics.PairedTTest(a, b);
        if (deterministic) return new Comparison(delta, double.NaN, double.NaN, double.NaN, double.NaN, n, double.NaN, Deterministic: true);
        var differences = a.Zip(b, (x, y) => x - y).ToList();
        var (low, high) = Statistics.PairedConfidenceInterval(differences);
        return new Comparison(delta, low, high, t, p, n, Statistics.StdDev(differences));
    }

    public bool HasInterval => double.IsFinite(CiLow) && double.IsFinite(CiHigh);

    /// <summary>The p that decides a claim: Holm-adjusted when the comparison is one of several claims.</summary>
    public double DecisionP => HolmP ?? P;

    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        if (Deterministic) return string.Create(c, $"{Delta:+0.000;-0.000;0} (deterministic)");
        if (!HasInterval) return string.Create(c, $"{Delta:+0.00;-0.00} (n={Pairs})");
        string holm = HolmP is double h ? string.Create(c, $", Holm {h:0.000}") : "";
        return string.Create(c, $"{Delta:+0.00;-0.00} [{CiLow:+0.00;-0.00}, {CiHigh:+0.00;-0.00}] (p={P:0.000}{holm}, n={Pairs})");
    }
}

public sealed record VariantSummary(string Variant, string Description, Stat MeanIoU, Stat BoundaryF, Stat Trimap, Comparison? VersusBaseline,
    double GMacs, long Parameters, double? LatencyMs);

public enum VerdictKind { Agrees, Disagrees, Inconclusive, OutsideSetting }

/// <summary>What our numbers say about one claim, with the reason in words.</summary>
public sealed record Verdict(VerdictKind Kind, string Reason)
{
    public string Word => Kind switch
    {
        VerdictKind.Agrees => "agrees",
        VerdictKind.Disagrees => "disagrees",
        VerdictKind.Inconclusive => "inconclusive",
        _ => "outside the method's setting",
    };

    public override string ToString() => Reason.Length == 0 ? Word : $"{Word} ({Reason})";
}

/// <summary>Whether our numbers move the way the paper says (see <see cref="Verdicts"/> for the rule).
/// <paramref name="Ratio"/> is variant ÷ versus for cost metrics (e.g. 0.25 = "75 % fewer multiply-adds").</summary>
public sealed record ClaimCheck(ClaimDefinition Claim, Comparison Ours, Verdict Outcome, double? Ratio = null, (double Low, double High)? ImageInterval = null)
{
    /// <summary>The paired bootstrap interval over validation images, or why there is none.</summary>
    public string FormatImageInterval() => ImageInterval is var (low, high)
        ? string.Create(CultureInfo.InvariantCulture, $"[{low:+0.00;-0.00}, {high:+0.00;-0.00}]")
        : Claim.Metric == "miou" ? "– (runs predate per-image counts)" : "–";

    public string Verdict => Outcome.ToString();
    public string FormatOurs() => Ratio is double r ? $"{Ours.Format()}, ratio {r.ToString("0.00", CultureInfo.InvariantCulture)}×" : Ours.Format();
}

/// <summary>
/// The paper-style table of one experiment: each variant's mean ± std over seeds, its difference to the baseline
/// with a two-sided paired t-test over seeds (same seed = same initialisation and data stream, so pairs share
/// their randomness), edge metrics and cost, then the paper's claims beside ours.
/// </summary>
public sealed record ExperimentSummary(ExperimentDefinition Experiment, string Preset, IReadOnlyList<VariantSummary> Variants,
    IReadOnlyList<ClaimCheck> Claims, int MissingRuns, string TrimapColumn, IReadOnlyList<int> Seeds)
{
    public static ExperimentSummary From(ExperimentDefinition experiment, string preset, IReadOnlyList<RunRow> rows, int plannedRuns)
    {
        var mine = rows.Where(r => r.Run.Experiment == experiment.Name).ToList();
        string trimapKey = mine.SelectMany(r => r.Metrics.TrimapMeanIoU.Keys).OrderBy(k => int.Parse(k, CultureInfo.InvariantCulture)).FirstOrDefault() ?? "1";
        Dictionary<int, T> BySeed<T>(string variant, Func<RunRow, T> metric) =>
            mine.Where(r => r.Run.Variant == variant).ToDictionary(r => r.Run.Seed, metric);
        Comparison? Compare(string variant, string versus, Func<RunRow, double> metric, bool deterministic = false)
        {
            var a = BySeed(variant, metric);
            var b = BySeed(versus, metric);
            var seeds = a.Keys.Intersect(b.Keys).OrderBy(s => s).ToList();
            if (seeds.Count == 0) return null;
            return Comparison.Of(seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList(), deterministic);
        }

        // Over the seeds both variants finished; none when any of those runs predates per-image counts.
        (double, double)? ImageInterval(string variant, string versus)
        {
            var a = BySeed(variant, r => r.PerImage);
            var b = BySeed(versus, r => r.PerImage);
            var seeds = a.Keys.Intersect(b.Keys).OrderBy(s => s).ToList();
            if (seeds.Count == 0 || seeds.Any(s => a[s] is null || b[s] is null)) return null;
            return ImageBootstrap.PairedDelta(seeds.Select(s => (a[s]!, b[s]!)).ToList());
        }

        var variants = new List<VariantSummary>();
        foreach (var v in experiment.Variants)
        {
            var runs = mine.Where(r => r.Run.Variant == v.Name).OrderBy(r => r.Run.Seed).ToList();
            if (runs.Count == 0) continue;
            variants.Add(new VariantSummary(v.Name, v.Description,
                Stat.Of(runs.Select(r => r.Metrics.MeanIoU).ToList()),
                Stat.Of(runs.Select(r => r.Metrics.BoundaryF).ToList()),
                Stat.Of(runs.Select(r => r.Metrics.TrimapMeanIoU.GetValueOrDefault(trimapKey, double.NaN)).ToList()),
                v.Name == experiment.Baseline ? null : Compare(v.Name, experiment.Baseline, r => r.Metrics.MeanIoU),
                runs[0].Metrics.GMacs, runs[0].Metrics.Parameters["total"], runs[0].LatencyMs));
        }

        var tested = new List<(ClaimDefinition Claim, Comparison Ours, string? Outside, double? Ratio, (double, double)? Images)>();
        foreach (var claim in experiment.Claims)
        {
            var metric = ClaimMetric(experiment, claim.Metric);
            var ours = Compare(claim.Variant, claim.Versus, metric, ClaimDefinition.IsDeterministic(claim.Metric));
            if (ours is null) continue;
            double? ratio = null;
            if (claim.Metric == "gmacs")
            {
                double versus = mine.Where(r => r.Run.Variant == claim.Versus).Select(metric).DefaultIfEmpty(double.NaN).Average();
                ratio = mine.Where(r => r.Run.Variant == claim.Variant).Select(metric).Average() / versus;
            }
            var configs = mine.Where(r => r.Run.Variant == claim.Variant || r.Run.Variant == claim.Versus).Select(r => r.Run.Config);
            tested.Add((claim, ours, claim.Setting?.Violation(configs), ratio, claim.Metric == "miou" ? ImageInterval(claim.Variant, claim.Versus) : null));
        }
        // Holm within this paper's claims: only the comparisons that are tested (a p exists, inside the setting).
        var family = tested.Select(t => t.Outside is null && !t.Ours.Deterministic ? t.Ours.P : double.NaN).ToList();
        var adjusted = Statistics.Holm(family);
        int familySize = family.Count(p => !double.IsNaN(p));
        var claims = tested.Select((t, i) =>
        {
            var ours = familySize > 1 && !double.IsNaN(adjusted[i]) ? t.Ours with { HolmP = adjusted[i] } : t.Ours;
            return new ClaimCheck(t.Claim, ours, Verdicts.Decide(t.Claim, ours, t.Outside, familySize), t.Ratio, t.Images);
        }).ToList();
        return new ExperimentSummary(experiment, preset, variants, claims, plannedRuns - mine.Count, $"trimap {trimapKey}px",
            mine.Select(r => r.Run.Seed).Distinct().OrderBy(s => s).ToList());
    }

    static Func<RunRow, double> ClaimMetric(ExperimentDefinition experiment, string name) => name switch
    {
        "miou" => r => r.Metrics.MeanIoU,
        "boundaryF" => r => r.Metrics.BoundaryF,
        "gmacs" => r => r.Metrics.GMacs,
        var m when m.StartsWith("trimap", StringComparison.Ordinal) => r => r.Metrics.TrimapMeanIoU.GetValueOrDefault(m["trimap".Length..].TrimEnd('p', 'x'), double.NaN),
        _ => throw new InputException($"experiments/{experiment.Name}.json claims", $"unknown metric '{name}'", "use miou, boundaryF, trimapN or gmacs"),
    };

    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.AppendLine($"## {Experiment.Title} — preset `{Preset}`").AppendLine();
        if (Experiment.Question.Length > 0) s.AppendLine($"*{Experiment.Question}*").AppendLine();
        if (MissingRuns > 0) s.AppendLine($"**{MissingRuns} planned run(s) missing — the table is incomplete.**").AppendLine();
        s.AppendLine($"| variant | mIoU | Δ mIoU vs {Experiment.Baseline} (paired t) | boundary F | {TrimapColumn} mIoU | GMACs | params (M) | latency (ms) |");
        s.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var v in Variants)
            s.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {v.Variant} | {v.MeanIoU.Format()} | {v.VersusBaseline?.Format() ?? "baseline"} | {v.BoundaryF.Format()} | {v.Trimap.Format()} | {v.GMacs:F3} | {v.Parameters / 1e6:F2} | {(v.LatencyMs is double l ? l.ToString("F1", CultureInfo.InvariantCulture) : "–")} |"));
        s.AppendLine().AppendLine($"Mean ± sample std over seeds {string.Join(", ", Seeds)}; Δ is the mean paired difference with its 95 % confidence " +
                                  "interval [low, high] and p of a two-sided paired t-test (n−1 degrees of freedom), uncorrected in this table.");
        if (Claims.Count > 0)
        {
            s.AppendLine().AppendLine(Verdicts.Rule).AppendLine();
            s.AppendLine("| paper's claim | comparison | ours: Δ [95 % CI over seeds] | 95 % CI over validation images (paired bootstrap) | verdict |").AppendLine("|---|---|---|---|---|");
            foreach (var c in Claims)
                s.AppendLine($"| {c.Claim.Paper} | {c.Claim.Variant} vs {c.Claim.Versus} ({c.Claim.Metric}, expected {c.Claim.Direction}) | {c.FormatOurs()} | {c.FormatImageInterval()} | {c.Verdict} |");
        }
        return s.ToString();
    }

    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("variant", Variants.Select(v => v.Variant)),
        new Int32DataFrameColumn("seeds", Variants.Select(v => v.MeanIoU.N)),
        new DoubleDataFrameColumn("miou_mean", Variants.Select(v => v.MeanIoU.Mean)),
        new DoubleDataFrameColumn("miou_std", Variants.Select(v => v.MeanIoU.Std)),
        new DoubleDataFrameColumn("delta_miou", Variants.Select(v => v.VersusBaseline?.Delta)),
        new DoubleDataFrameColumn("delta_ci_low", Variants.Select(v => NullIfNaN(v.VersusBaseline?.CiLow))),
        new DoubleDataFrameColumn("delta_ci_high", Variants.Select(v => NullIfNaN(v.VersusBaseline?.CiHigh))),
        new DoubleDataFrameColumn("p_value", Variants.Select(v => NullIfNaN(v.VersusBaseline?.P))),
        new DoubleDataFrameColumn("boundary_f_mean", Variants.Select(v => v.BoundaryF.Mean)),
        new DoubleDataFrameColumn("boundary_f_std", Variants.Select(v => v.BoundaryF.Std)),
        new DoubleDataFrameColumn("trimap_mean", Variants.Select(v => v.Trimap.Mean)),
        new DoubleDataFrameColumn("trimap_std", Variants.Select(v => v.Trimap.Std)),
        new DoubleDataFrameColumn("gmacs", Variants.Select(v => v.GMacs)),
        new Int64DataFrameColumn("params", Variants.Select(v => v.Parameters)),
        new DoubleDataFrameColumn("latency_ms", Variants.Select(v => v.LatencyMs)));

    static double? NullIfNaN(double? value) => value is double v && double.IsNaN(v) ? null : value;
}
