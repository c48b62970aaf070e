using System.Globalization;

namespace SegAlign.Experiments;

/// <summary>
/// Turns a paired comparison into a verdict no stronger than its evidence. A claim tested outside its method's
/// setting is not judged; a cost (deterministic) is compared exactly; everything else needs its 95 % interval to
/// exclude zero (for "similar": to lie inside the tolerance) and p &lt; 0.05 after Holm's correction within the
/// paper's claims — otherwise it is inconclusive, with the number of seeds an interval of ±1 would need.
/// </summary>
public static class Verdicts
{
    public const string Rule =
        "Verdicts: *agrees* / *disagrees* — the 95 % interval of the paired difference excludes 0 on the paper's / the other side and p < 0.05 " +
        "after Holm's correction within this paper's claims; *inconclusive* — it does not (with the seeds a ±1 interval would need); " +
        "*outside the method's setting* — the mechanism cannot act in this setting (reason given), so the runs are no evidence either way. " +
        "Costs are the same for every seed and are compared exactly, without a test. The paired bootstrap over validation images " +
        "(the same resampled images for both variants) shows how much Δ depends on which images were drawn; verdicts rest on the interval over seeds.";

    public static Verdict Decide(ClaimDefinition claim, Comparison ours, string? outsideSetting, int familySize)
    {
        if (outsideSetting is not null) return new Verdict(VerdictKind.OutsideSetting, outsideSetting);
        return ours.Deterministic ? Exact(claim, ours) : Tested(claim, ours, familySize);
    }

    static Verdict Exact(ClaimDefinition claim, Comparison ours)
    {
        bool holds = claim.Direction switch
        {
            "similar" => Math.Abs(ours.Delta) <= claim.Tolerance,
            "higher" => ours.Delta > 0,
            _ => ours.Delta < 0,
        };
        string reason = claim.Direction == "similar" ? $"|Δ| {(holds ? "≤" : ">")} {N(claim.Tolerance)}, exact" : "exact";
        return new Verdict(holds ? VerdictKind.Agrees : VerdictKind.Disagrees, reason);
    }

    static Verdict Tested(ClaimDefinition claim, Comparison ours, int familySize)
    {
        if (!ours.HasInterval)
            return new Verdict(VerdictKind.Inconclusive, ours.Pairs < 2 ? "fewer than two paired seeds: no interval" : "no spread estimate");
        string needed = Statistics.SeedsForHalfWidth(ours.DifferenceStd, 1.0) is int n
            ? $"≈ {n} seeds for a ±1 interval" : "the seeds vary too much for a ±1 interval";
        if (claim.Direction == "similar")
        {
            if (ours.CiLow >= -claim.Tolerance && ours.CiHigh <= claim.Tolerance)
                return new Verdict(VerdictKind.Agrees, $"95 % CI inside ±{N(claim.Tolerance)}");
            if (ours.CiLow > claim.Tolerance || ours.CiHigh < -claim.Tolerance)
                return new Verdict(VerdictKind.Disagrees, $"95 % CI outside ±{N(claim.Tolerance)}");
            return new Verdict(VerdictKind.Inconclusive, $"95 % CI reaches beyond ±{N(claim.Tolerance)}; {needed}");
        }
        bool excludesZero = ours.CiLow > 0 || ours.CiHigh < 0;
        if (!excludesZero) return new Verdict(VerdictKind.Inconclusive, $"95 % CI includes 0; {needed}");
        if (ours.DecisionP >= 0.05)
            return new Verdict(VerdictKind.Inconclusive, $"p = {N(ours.P, "0.000")} is {N(ours.DecisionP, "0.000")} after Holm's correction over {familySize} claims; {needed}");
        bool paperSide = claim.Direction == "higher" ? ours.Delta > 0 : ours.Delta < 0;
        return new Verdict(paperSide ? VerdictKind.Agrees : VerdictKind.Disagrees, "");
    }

    static string N(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
