using System.Globalization;

namespace SegAlign.Experiments;

/// <summary>The evidence a verdict rests on: the interval that decides, its p after Holm, the equivalence test after Holm,
/// and what the seeds could detect. Built by <see cref="ExperimentSummary"/>.</summary>
public sealed record Evidence(double Low, double High, string IntervalName, double DecisionP, double? EquivalenceP, string? Power);

/// <summary>
/// Turns a paired comparison into a verdict no stronger than its evidence. A claim tested outside its method's setting is
/// not judged; a cost (deterministic) is compared exactly; otherwise the decisive interval (the two-level interval over
/// seeds and test images when per-image counts exist, else the Student-t interval over seeds) must exclude zero with p &lt;
/// 0.05 after Holm's correction within the paper's pre-registered claims for *agrees* / *disagrees*; two one-sided tests
/// against ±1 point, Holm-adjusted the same way, give *equivalent*; anything else is *inconclusive*, with what the
/// seeds could have detected.
/// </summary>
public static class Verdicts
{
    /// <summary>Margin of the equivalence test: ±1 point of the claim's metric (mIoU, or boundary F for boundary claims).</summary>
    public const double EquivalenceMargin = 1.0;

    public const string Rule =
        "Verdicts: *agrees* / *disagrees* — the 95 % interval of the paired difference excludes 0 on the paper's / the other side and p < 0.05 " +
        "after Holm's correction within this paper's pre-registered claims; *equivalent (|Δ| < 1)* — two one-sided tests against ±1 point, " +
        "Holm-adjusted, reject both sides (the 90 % interval lies inside ±1); *inconclusive* — neither (with the smallest effect these seeds detect at " +
        "80 % power); *outside the method's setting* — the mechanism cannot act here (reason given), so the runs are no evidence either way. " +
        "For decoders reconstructed from a paper without code the words are *reproduced* / *not reproduced by our reconstruction*. " +
        "Intervals cover seeds and test images (two-level paired bootstrap; see the note below the claims); costs are the same for every seed and are compared exactly.";

    /// <summary>Protocol v2's rule (seed interval only, no equivalence), kept for callers without per-image evidence.</summary>
    public static Verdict Decide(ClaimDefinition claim, Comparison ours, string? outsideSetting, int familySize, double? ratio = null) =>
        Decide(claim, ours, outsideSetting, familySize, ratio,
            ours.HasInterval ? new Evidence(ours.CiLow, ours.CiHigh, "95 % CI over seeds", ours.DecisionP, null, SeedsNote(ours)) : null, reconstruction: false);

    public static Verdict Decide(ClaimDefinition claim, Comparison ours, string? outsideSetting, int familySize, double? ratio, Evidence? evidence, bool reconstruction)
    {
        if (outsideSetting is not null) return new Verdict(VerdictKind.OutsideSetting, outsideSetting);
        var verdict = ours.Deterministic ? Exact(claim, ours, ratio) : Tested(claim, ours, familySize, evidence);
        return verdict with { Reconstruction = reconstruction };
    }

    static string? SeedsNote(Comparison ours) => double.IsFinite(ours.DifferenceStd) && ours.Pairs >= 2
        ? string.Create(CultureInfo.InvariantCulture, $"detectable at 80 % power with {ours.Pairs} seeds: |Δ| ≥ {Power.MinimalDetectableEffect(ours.DifferenceStd, 0, ours.Pairs, 0.05):0.00}")
        : null;

    static Verdict Exact(ClaimDefinition claim, Comparison ours, double? ratio)
    {
        // A relative tolerance compares the ratio with 1 (within 2 % = ratio in [0.98, 1.02]); an absolute one Δ with 0.
        double deviation = claim.Relative && ratio is double r ? Math.Abs(r - 1) : Math.Abs(ours.Delta);
        bool holds = claim.Direction switch
        {
            "similar" => deviation <= claim.Tolerance,
            "higher" => ours.Delta > 0,
            _ => ours.Delta < 0,
        };
        string tolerance = claim.Relative ? $"{N(claim.Tolerance * 100)} %" : N(claim.Tolerance);
        string measured = claim.Relative ? $"{N(deviation * 100, "0.0")} %" : "|Δ|";
        string reason = claim.Direction == "similar" ? $"{measured} {(holds ? "≤" : ">")} {tolerance}, exact" : "exact";
        return new Verdict(holds ? VerdictKind.Agrees : VerdictKind.Disagrees, reason);
    }

    static Verdict Tested(ClaimDefinition claim, Comparison ours, int familySize, Evidence? evidence)
    {
        if (evidence is null)
            return new Verdict(VerdictKind.Inconclusive, ours.Pairs < 2 ? "fewer than two paired seeds: no interval" : "no spread estimate");
        string power = evidence.Power is null ? "" : $"; {evidence.Power}";
        if (claim.Direction == "similar")
        {
            if (evidence.EquivalenceP is double e ? e < 0.05 : evidence.Low >= -claim.Tolerance && evidence.High <= claim.Tolerance)
                return new Verdict(VerdictKind.Agrees, $"equivalent within ±{N(claim.Tolerance)}");
            if (evidence.Low > claim.Tolerance || evidence.High < -claim.Tolerance)
                return new Verdict(VerdictKind.Disagrees, $"{evidence.IntervalName} outside ±{N(claim.Tolerance)}");
            return new Verdict(VerdictKind.Inconclusive, $"{evidence.IntervalName} reaches beyond ±{N(claim.Tolerance)}{power}");
        }
        bool excludesZero = evidence.Low > 0 || evidence.High < 0;
        if (excludesZero && evidence.DecisionP < 0.05)
        {
            bool paperSide = claim.Direction == "higher" ? ours.Delta > 0 : ours.Delta < 0;
            return new Verdict(paperSide ? VerdictKind.Agrees : VerdictKind.Disagrees, "");
        }
        if (evidence.EquivalenceP is double tost && tost < 0.05)
            return new Verdict(VerdictKind.Equivalent, $"TOST p {P(tost)} after Holm over {familySize} claims");
        string why = !excludesZero ? $"{evidence.IntervalName} includes 0"
            : $"p is {P(evidence.DecisionP)} after Holm's correction over {familySize} claims";
        return new Verdict(VerdictKind.Inconclusive, why + power);
    }

    /// <summary>p as papers print it: three decimals, and "&lt; 0.001" below that.</summary>
    public static string P(double p) => p < 0.001 ? "< 0.001" : N(p, "0.000");

    static string N(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
