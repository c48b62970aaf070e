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
        if (!HasInterval) return string.Create(c, $"{Delta:+0.00;-0.00;0.00} (n={Pairs})");
        string holm = HolmP is double h ? $", Holm {Verdicts.P(h)}" : "";
        string p = P < 0.001 ? "p < 0.001" : string.Create(c, $"p={P:0.000}");
        return string.Create(c, $"{Delta:+0.00;-0.00;0.00} [{CiLow:+0.00;-0.00;0.00}, {CiHigh:+0.00;-0.00;0.00}] ({p}{holm}, n={Pairs})");
    }
}

public sealed record VariantSummary(string Variant, string Description, Stat MeanIoU, Stat BoundaryF, Stat Trimap, Comparison? VersusBaseline,
    double GMacs, long Parameters, double? LatencyMs)
{
    static readonly Stat None = new(double.NaN, double.NaN, 0);
    /// <summary>Class-agnostic boundary F at 2 px, foreground IoU and misnamed share (protocol v3 runs; NaN before).</summary>
    public Stat EdgeF2 { get; init; } = None;
    public Stat ForegroundIoU { get; init; } = None;
    public Stat Misnamed { get; init; } = None;
    /// <summary>mIoU of each finished seed, for paired decisions between any two variants (the Pareto front).</summary>
    public IReadOnlyDictionary<int, double> MeanIoUBySeed { get; init; } = new Dictionary<int, double>();
}

public enum VerdictKind { Agrees, Disagrees, Inconclusive, OutsideSetting, Equivalent }

/// <summary>What our numbers say about one claim, with the reason in words. <paramref name="Reconstruction"/>: the decoder
/// is our reconstruction of a paper without code, so the words say whether our reconstruction reproduces the claim.</summary>
public sealed record Verdict(VerdictKind Kind, string Reason, bool Reconstruction = false)
{
    public string Word => Kind switch
    {
        VerdictKind.Agrees => Reconstruction ? "reproduced by our reconstruction" : "agrees",
        VerdictKind.Disagrees => Reconstruction ? "not reproduced by our reconstruction" : "disagrees",
        VerdictKind.Inconclusive => "inconclusive",
        VerdictKind.Equivalent => "equivalent (|Δ| < 1)",
        _ => "outside the method's setting",
    };

    public override string ToString() => Reason.Length == 0 ? Word : $"{Word} ({Reason})";
}

/// <summary>Whether our numbers move the way the paper says (see <see cref="Verdicts"/> for the rule).
/// <paramref name="Ratio"/> is variant ÷ versus for cost metrics (e.g. 0.25 = "75 % fewer multiply-adds");
/// <paramref name="TwoLevel"/> the interval over seeds and test images where per-image counts exist.</summary>
public sealed record ClaimCheck(ClaimDefinition Claim, Comparison Ours, Verdict Outcome, double? Ratio = null, TwoLevelInterval? TwoLevel = null,
    double? EquivalenceHolmP = null, string? Power = null, double? TwoLevelHolmP = null)
{
    /// <summary>The two-level interval with its p and, in a family, its Holm-adjusted p (the p the verdict uses).</summary>
    public string FormatTwoLevel() => TwoLevel is { } t ? ComparisonText.Interval(t, TwoLevelHolmP)
        : ClaimDefinition.IsDeterministic(Claim.Metric) ? "–" : "– (no per-image counts)";

    public string Verdict => Outcome.ToString();
    public string FormatOurs() => Ratio is double r ? $"{Ours.Format()}, ratio {r.ToString("0.00", CultureInfo.InvariantCulture)}×" : Ours.Format();

    /// <summary>The paper's own Δ, where it was found.</summary>
    public string FormatPaper() => Claim.PaperResult is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"{p.Delta:+0.##;-0.##} {p.Unit} ({p.Dataset}; {p.Source})")
        : "not found";
}

/// <summary>A comparison we added (never in the family, never a verdict), with its intervals.</summary>
public sealed record DiagnosticCheck(DiagnosticDefinition Diagnostic, Comparison Ours, TwoLevelInterval? TwoLevel);

/// <summary>Naming against localisation for one compared pair: the change in the share of garment pixels given another
/// garment's label and in foreground/background IoU (protocol v3 runs only).</summary>
public sealed record NamingSplit(string Variant, string Versus, Comparison? Misnamed, Comparison? Foreground);

/// <summary>
/// The paper-style table of one experiment: each variant's mean ± std over seeds, its difference to the baseline with a
/// two-sided paired t-test over seeds (same seed = same initialisation and data stream, so pairs share their randomness),
/// edge and alignment metrics and cost; then the paper's pre-registered claims beside ours, the diagnostics we added, and
/// the naming-vs-localisation split of every claimed comparison.
/// </summary>
public sealed record ExperimentSummary(ExperimentDefinition Experiment, string Preset, IReadOnlyList<VariantSummary> Variants,
    IReadOnlyList<ClaimCheck> Claims, int MissingRuns, string TrimapColumn, IReadOnlyList<int> Seeds)
{
    public IReadOnlyList<DiagnosticCheck> Diagnostics { get; init; } = [];
    public IReadOnlyList<NamingSplit> Naming { get; init; } = [];
    /// <summary>Set when the experiment's claims differ from those registered before its runs (<see cref="ClaimRegistry"/>).</summary>
    public string? ClaimsChanged { get; init; }
    /// <summary>The split the runs were scored on and its size, e.g. "test split, 1000 scenes".</summary>
    public string Split { get; init; } = "";

    public static ExperimentSummary From(ExperimentDefinition experiment, string preset, IReadOnlyList<RunRow> rows, int plannedRuns, string? claimsChanged = null)
    {
        var mine = rows.Where(r => r.Run.Experiment == experiment.Name).ToList();
        string trimapKey = mine.SelectMany(r => r.Metrics.TrimapMeanIoU.Keys).OrderBy(k => int.Parse(k, CultureInfo.InvariantCulture)).FirstOrDefault() ?? "1";
        var evidence = new PairedEvidence(mine);

        var variants = new List<VariantSummary>();
        foreach (var v in experiment.Variants)
        {
            var runs = mine.Where(r => r.Run.Variant == v.Name).OrderBy(r => r.Run.Seed).ToList();
            if (runs.Count == 0) continue;
            variants.Add(new VariantSummary(v.Name, v.Description,
                Stat.Of(runs.Select(r => r.Metrics.MeanIoU).ToList()),
                Stat.Of(runs.Select(r => r.Metrics.BoundaryF).ToList()),
                Stat.Of(runs.Select(r => r.Metrics.TrimapMeanIoU.GetValueOrDefault(trimapKey, double.NaN)).ToList()),
                v.Name == experiment.Baseline ? null : evidence.Compare(v.Name, experiment.Baseline, MetricOf(experiment, "miou")),
                runs[0].Metrics.GMacs, runs[0].Metrics.Parameters["total"], runs[0].LatencyMs)
            {
                MeanIoUBySeed = runs.ToDictionary(r => r.Run.Seed, r => r.Metrics.MeanIoU),
                EdgeF2 = Stat.Of(runs.Select(r => AlignmentValue(r.Metrics, "edgeF2")).ToList()),
                ForegroundIoU = Stat.Of(runs.Select(r => AlignmentValue(r.Metrics, "foregroundIoU")).ToList()),
                Misnamed = Stat.Of(runs.Select(r => AlignmentValue(r.Metrics, "misnamedShare")).ToList()),
            });
        }

        var tested = new List<(ClaimDefinition Claim, Comparison Ours, string? Outside, double? Ratio, TwoLevelInterval? TwoLevel)>();
        foreach (var claim in experiment.Claims)
        {
            var ours = evidence.Compare(claim.Variant, claim.Versus, MetricOf(experiment, claim.Metric), ClaimDefinition.IsDeterministic(claim.Metric));
            if (ours is null) continue;
            double? ratio = null;
            if (ClaimDefinition.IsDeterministic(claim.Metric))
            {
                var metric = MetricOf(experiment, claim.Metric);
                double versus = mine.Where(r => r.Run.Variant == claim.Versus).Select(metric).DefaultIfEmpty(double.NaN).Average();
                ratio = mine.Where(r => r.Run.Variant == claim.Variant).Select(metric).Average() / versus;
            }
            var configs = mine.Where(r => r.Run.Variant == claim.Variant || r.Run.Variant == claim.Versus).Select(r => r.Run.Config);
            string? outside = claim.Setting?.Violation(configs) ?? PremiseUnmet(claim, evidence, experiment);
            tested.Add((claim, ours, outside, ratio, ClaimDefinition.IsDeterministic(claim.Metric) ? null : evidence.TwoLevel(claim.Variant, claim.Versus, claim.Metric)));
        }
        // Holm within this paper's pre-registered claims: only the comparisons that are tested (inside the setting, not a cost).
        bool InFamily(int i) => tested[i].Outside is null && !tested[i].Ours.Deterministic;
        var decisionP = tested.Select((t, i) => InFamily(i) ? t.TwoLevel?.P ?? t.Ours.P : double.NaN).ToList();
        var equivalenceP = tested.Select((t, i) => InFamily(i) && t.TwoLevel is { } two ? two.EquivalenceP(Verdicts.EquivalenceMargin) : double.NaN).ToList();
        var adjusted = Statistics.Holm(decisionP);
        var adjustedEquivalence = Statistics.Holm(equivalenceP);
        int familySize = decisionP.Count(p => !double.IsNaN(p));
        var claims = tested.Select((t, i) =>
        {
            // Holm adjusts the p the verdict uses: the two-level one where it exists (shown beside that interval), else the seed t-test's.
            bool adjustedHere = familySize > 1 && !double.IsNaN(adjusted[i]);
            var ours = adjustedHere && t.TwoLevel is null ? t.Ours with { HolmP = adjusted[i] } : t.Ours;
            double? twoLevelHolm = adjustedHere && t.TwoLevel is not null ? adjusted[i] : null;
            double? equivalence = double.IsNaN(adjustedEquivalence[i]) ? null : adjustedEquivalence[i];
            string? power = PowerNote(t.Ours, t.TwoLevel, Math.Max(1, familySize));
            Evidence? proof = t.TwoLevel is { } two
                ? new Evidence(two.Low, two.High, "95 % interval over seeds and images", familySize > 1 ? adjusted[i] : two.P, equivalence, power)
                : ours.HasInterval ? new Evidence(ours.CiLow, ours.CiHigh, "95 % CI over seeds", ours.DecisionP, null, power) : null;
            var verdict = Verdicts.Decide(t.Claim, ours, t.Outside, familySize, t.Ratio, proof, experiment.Reconstruction);
            return new ClaimCheck(t.Claim, ours, verdict, t.Ratio, t.TwoLevel, equivalence, power, twoLevelHolm);
        }).ToList();

        var diagnostics = experiment.Diagnostics
            .Select(d => evidence.Compare(d.Variant, d.Versus, MetricOf(experiment, d.Metric)) is { } c
                ? new DiagnosticCheck(d, c, evidence.TwoLevel(d.Variant, d.Versus, d.Metric)) : null)
            .OfType<DiagnosticCheck>().ToList();
        var naming = experiment.Claims.Where(c => !ClaimDefinition.IsDeterministic(c.Metric)).Select(c => (c.Variant, c.Versus)).Distinct()
            .Select(p => new NamingSplit(p.Variant, p.Versus,
                evidence.Compare(p.Variant, p.Versus, MetricOf(experiment, "misnamedShare")),
                evidence.Compare(p.Variant, p.Versus, MetricOf(experiment, "foregroundIoU"))))
            .Where(n => n.Misnamed is { Delta: var d } && double.IsFinite(d)).ToList();
        var splits = mine.Select(r => $"{r.Metrics.Split ?? "validation"} split, {r.Metrics.EvalImages} scenes").Distinct().ToList();
        return new ExperimentSummary(experiment, preset, variants, claims, plannedRuns - mine.Count, $"trimap {trimapKey}px",
            mine.Select(r => r.Run.Seed).Distinct().OrderBy(s => s).ToList())
        {
            Diagnostics = diagnostics, Naming = naming, ClaimsChanged = claimsChanged, Split = string.Join("; ", splits),
        };
    }

    /// <summary>A claim whose measured premise fails (e.g. fine-tuning clearly beats a frozen backbone) is outside the setting.</summary>
    static string? PremiseUnmet(ClaimDefinition claim, PairedEvidence evidence, ExperimentDefinition experiment)
    {
        if (claim.Setting?.Premise is not { } premise) return null;
        if (evidence.Compare(premise.Variant, premise.Versus, MetricOf(experiment, "miou")) is not { } c) return null; // not measured at this preset
        var interval = evidence.TwoLevel(premise.Variant, premise.Versus, "miou");
        double low = interval?.Low ?? c.CiLow;
        return low > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{premise.Reason}: {premise.Variant} − {premise.Versus} = {c.Delta:+0.00;-0.00;0.00} mIoU, 95 % interval from {low:+0.00;-0.00;0.00}")
            : null;
    }

    /// <summary>The smallest effect this many seeds detect at 80 % power at Holm's strictest level, and the seeds the observed Δ needs.</summary>
    static string? PowerNote(Comparison ours, TwoLevelInterval? two, int familySize)
    {
        if (ours.Deterministic || ours.Pairs < 2) return null;
        double alpha = 0.05 / familySize;
        double spread = two is { } t ? Math.Sqrt(t.SeedVariance * t.Seeds) : ours.DifferenceStd;
        double imageVariance = two?.ImageVariance ?? 0;
        if (!double.IsFinite(spread)) return null;
        double mde = Power.MinimalDetectableEffect(spread, imageVariance, ours.Pairs, alpha);
        string needed = Power.SeedsNeeded(ours.Delta, spread, imageVariance, alpha) is int n ? $"the observed Δ needs ≈ {n} seeds" : "the observed Δ is beyond reach of any seed count here";
        return string.Create(CultureInfo.InvariantCulture, $"detectable at 80 % power with {ours.Pairs} seeds: |Δ| ≥ {mde:0.00}; {needed}");
    }

    internal static Func<RunRow, double> MetricOf(ExperimentDefinition experiment, string name) => name switch
    {
        "miou" => r => r.Metrics.MeanIoU,
        "boundaryF" => r => r.Metrics.BoundaryF,
        "gmacs" => r => r.Metrics.GMacs,
        var m when Evaluation.AlignmentResult.Names.Contains(m) => r => AlignmentValue(r.Metrics, m),
        var m when m.StartsWith("trimap", StringComparison.Ordinal) => r => r.Metrics.TrimapMeanIoU.GetValueOrDefault(m["trimap".Length..].TrimEnd('p', 'x'), double.NaN),
        _ => throw new InputException($"experiments/{experiment.Name}.json claims", $"unknown metric '{name}'", "use miou, boundaryF, trimapN, gmacs or an alignment metric (edgeF2, foregroundIoU, …)"),
    };

    /// <summary>An alignment metric of a run, NaN for runs made before protocol v3 measured it.</summary>
    internal static double AlignmentValue(Training.RunMetrics metrics, string name) =>
        metrics.Alignment?.Named().Where(n => n.Name == name).Select(n => n.Value).DefaultIfEmpty(double.NaN).First() ?? double.NaN;

    public string ToMarkdown() => SummaryMarkdown.Of(this);

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
        new DoubleDataFrameColumn("edge_f2_mean", Variants.Select(v => NullIfNaN(v.EdgeF2.Mean))),
        new DoubleDataFrameColumn("foreground_iou_mean", Variants.Select(v => NullIfNaN(v.ForegroundIoU.Mean))),
        new DoubleDataFrameColumn("misnamed_share_mean", Variants.Select(v => NullIfNaN(v.Misnamed.Mean))),
        new DoubleDataFrameColumn("gmacs", Variants.Select(v => v.GMacs)),
        new Int64DataFrameColumn("params", Variants.Select(v => v.Parameters)),
        new DoubleDataFrameColumn("latency_ms", Variants.Select(v => v.LatencyMs)));

    static double? NullIfNaN(double? value) => value is double v && double.IsNaN(v) ? null : value;
}
