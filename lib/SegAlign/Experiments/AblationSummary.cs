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

/// <summary>A paired comparison over the seeds both variants completed.</summary>
public sealed record Comparison(double Delta, double T, double P, int Pairs)
{
    public string Format() => double.IsNaN(P)
        ? $"{Delta:+0.00;-0.00} (n={Pairs})"
        : $"{Delta:+0.00;-0.00} (p={P:0.000}, n={Pairs})";
}

public sealed record VariantSummary(string Variant, string Description, Stat MeanIoU, Stat BoundaryF, Stat Trimap, Comparison? VersusBaseline,
    double GMacs, long Parameters, double? LatencyMs);

/// <summary>Whether our numbers move the way the paper says. "agrees" needs the right sign and p &lt; 0.05.
/// <paramref name="Ratio"/> is variant ÷ versus for cost metrics (e.g. 0.25 = "75 % fewer multiply-adds").</summary>
public sealed record ClaimCheck(ClaimDefinition Claim, Comparison Ours, string Verdict, double? Ratio = null)
{
    public string FormatOurs() => Ratio is double r ? $"{Ours.Format()}, ratio {r:0.00}×" : Ours.Format();
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
        Dictionary<int, double> BySeed(string variant, Func<RunRow, double> metric) =>
            mine.Where(r => r.Run.Variant == variant).ToDictionary(r => r.Run.Seed, metric);
        Comparison? Compare(string variant, string versus, Func<RunRow, double> metric)
        {
            var a = BySeed(variant, metric);
            var b = BySeed(versus, metric);
            var seeds = a.Keys.Intersect(b.Keys).OrderBy(s => s).ToList();
            if (seeds.Count == 0) return null;
            var (delta, t, p, n) = Statistics.PairedTTest(seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList());
            return new Comparison(delta, t, p, n);
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

        var claims = new List<ClaimCheck>();
        foreach (var claim in experiment.Claims)
        {
            Func<RunRow, double> metric = claim.Metric switch
            {
                "miou" => r => r.Metrics.MeanIoU,
                "boundaryF" => r => r.Metrics.BoundaryF,
                "gmacs" => r => r.Metrics.GMacs,
                var m when m.StartsWith("trimap", StringComparison.Ordinal) => r => r.Metrics.TrimapMeanIoU.GetValueOrDefault(m["trimap".Length..].TrimEnd('p', 'x'), double.NaN),
                _ => throw new InputException($"experiments/{experiment.Name}.json claims", $"unknown metric '{claim.Metric}'", "use miou, boundaryF, trimapN or gmacs"),
            };
            var ours = Compare(claim.Variant, claim.Versus, metric);
            if (ours is null) continue;
            double? ratio = null;
            if (claim.Metric == "gmacs")
            {
                double versus = mine.Where(r => r.Run.Variant == claim.Versus).Select(metric).DefaultIfEmpty(double.NaN).Average();
                ratio = mine.Where(r => r.Run.Variant == claim.Variant).Select(metric).Average() / versus;
            }
            claims.Add(new ClaimCheck(claim, ours, Verdict(claim, ours), ratio));
        }
        return new ExperimentSummary(experiment, preset, variants, claims, plannedRuns - mine.Count, $"trimap {trimapKey}px",
            mine.Select(r => r.Run.Seed).Distinct().OrderBy(s => s).ToList());
    }

    static string Verdict(ClaimDefinition claim, Comparison ours)
    {
        bool significant = ours.P < 0.05;
        return claim.Direction switch
        {
            "similar" => Math.Abs(ours.Delta) <= claim.Tolerance ? "agrees (within tolerance)" : significant ? "disagrees" : "inconclusive",
            _ => (claim.Direction == "higher" ? ours.Delta > 0 : ours.Delta < 0) switch
            {
                true when significant || ours.Pairs > 0 && double.IsNaN(ours.P) && claim.Metric == "gmacs" => "agrees",
                true => "same direction, not significant",
                false when significant => "disagrees",
                _ => "opposite direction, not significant",
            },
        };
    }

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
        s.AppendLine().AppendLine($"Mean ± sample std over seeds {string.Join(", ", Seeds)}; Δ is the mean paired difference, p a two-sided paired t-test with n−1 degrees of freedom.");
        if (Claims.Count > 0)
        {
            s.AppendLine().AppendLine("| paper's claim | comparison | ours | verdict |").AppendLine("|---|---|---|---|");
            foreach (var c in Claims)
                s.AppendLine($"| {c.Claim.Paper} | {c.Claim.Variant} vs {c.Claim.Versus} ({c.Claim.Metric}, expected {c.Claim.Direction}) | {c.FormatOurs()} | {c.Verdict} |");
        }
        return s.ToString();
    }

    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("variant", Variants.Select(v => v.Variant)),
        new Int32DataFrameColumn("seeds", Variants.Select(v => v.MeanIoU.N)),
        new DoubleDataFrameColumn("miou_mean", Variants.Select(v => v.MeanIoU.Mean)),
        new DoubleDataFrameColumn("miou_std", Variants.Select(v => v.MeanIoU.Std)),
        new DoubleDataFrameColumn("delta_miou", Variants.Select(v => v.VersusBaseline?.Delta)),
        new DoubleDataFrameColumn("p_value", Variants.Select(v => v.VersusBaseline?.P)),
        new DoubleDataFrameColumn("boundary_f_mean", Variants.Select(v => v.BoundaryF.Mean)),
        new DoubleDataFrameColumn("boundary_f_std", Variants.Select(v => v.BoundaryF.Std)),
        new DoubleDataFrameColumn("trimap_mean", Variants.Select(v => v.Trimap.Mean)),
        new DoubleDataFrameColumn("trimap_std", Variants.Select(v => v.Trimap.Std)),
        new DoubleDataFrameColumn("gmacs", Variants.Select(v => v.GMacs)),
        new Int64DataFrameColumn("params", Variants.Select(v => v.Parameters)),
        new DoubleDataFrameColumn("latency_ms", Variants.Select(v => v.LatencyMs)));
}
