using System.Globalization;
using System.Text;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Training;
using SegAlign.Visualisation;

namespace SegAlign.Lab;

/// <summary>
/// The prose of the notebooks, written from the numbers: what the paper claims, what our runs measured and the verdict
/// <see cref="ExperimentSummary"/> computed. Nothing here states a result that the summary does not contain.
/// </summary>
public static class Findings
{
    /// <summary>The claims with our measurements and verdicts, every variant against the baseline, and the ranking.</summary>
    public static Markdown Of(ExperimentSummary summary, RunConfig config)
    {
        var s = new StringBuilder();
        var seeds = summary.Variants.Select(v => v.MeanIoU.N).DefaultIfEmpty(0).Max();
        s.AppendLine($"### What the paper claims, and what our runs say (preset `{summary.Preset}`)").AppendLine();
        foreach (var caveat in Caveats(summary, config, seeds)) s.AppendLine($"> {caveat}").AppendLine();
        if (summary.Variants.Count == 0)
            return new Markdown(s.AppendLine("No run has finished yet, so there is nothing to compare.").ToString());

        if (summary.Claims.Count > 0)
        {
            s.AppendLine("**The paper's claims**").AppendLine();
            foreach (var check in summary.Claims)
            {
                var claim = check.Claim;
                s.AppendLine($"- *{claim.Variant}* vs *{claim.Versus}* on {MetricName(claim.Metric, summary)} (the paper expects {Expectation(claim)}): " +
                             $"{claim.Variant} {Value(summary, claim.Variant, claim.Metric)}, {claim.Versus} {Value(summary, claim.Versus, claim.Metric)}; " +
                             $"{Difference(check)}{Ratio(summary, claim)} → **{check.Verdict}**.  ")
                 .AppendLine($"  Paper: {claim.Paper}");
            }
            s.AppendLine();
        }
        else s.AppendLine("This experiment states no claim of its own; it places every variant on one benchmark.").AppendLine();

        var baseline = summary.Variants.FirstOrDefault(v => v.VersusBaseline is null);
        var others = summary.Variants.Where(v => v.VersusBaseline is not null).ToList();
        if (baseline is not null && others.Count > 0)
        {
            s.AppendLine($"**Every variant against the baseline ({baseline.Variant}: mIoU {baseline.MeanIoU.Format()})**").AppendLine();
            foreach (var v in others)
                s.AppendLine($"- {v.Variant}: mIoU {v.MeanIoU.Format()}, Δ {v.VersusBaseline!.Format()} — {Reading(v.VersusBaseline)}.");
            s.AppendLine();
        }

        var ranked = summary.Variants.Where(v => double.IsFinite(v.MeanIoU.Mean)).OrderByDescending(v => v.MeanIoU.Mean).ToList();
        var points = summary.Variants.Select(v => CostPoint.Of(v, v.GMacs)).ToList();
        if (ranked.Count > 0)
            s.AppendLine($"Ranked by mean mIoU: {string.Join(" > ", ranked.Select(v => $"{v.Variant} ({F(v.MeanIoU.Mean)})"))}. " +
                         $"mIoU against GMACs: {Pareto.Describe(points, "GMACs")}");
        return new Markdown(s.ToString());
    }

    /// <summary>What the study is, how it is trained at this preset and how complete its results are.</summary>
    public static Markdown Describe(Study study, RunConfig config)
    {
        var d = study.Definition;
        var s = new StringBuilder();
        s.AppendLine($"### {d.Title}").AppendLine();
        if (d.Question.Length > 0) s.AppendLine($"*{d.Question}*").AppendLine();
        if (d.Paper.Length > 0) s.AppendLine($"- Paper: {d.Paper}");
        if (d.Code.Length > 0) s.AppendLine($"- Code: {d.Code}");
        s.AppendLine($"- Preset `{study.Preset}`: {Recipe(config)}; seeds {string.Join(", ", study.Seeds)}.");
        s.AppendLine($"- Variants: {string.Join("; ", d.VariantsAt(study.Preset).Select(v => $"**{v.Name}** — {v.Description}"))}.");
        int done = study.Plan.Count - study.Missing.Count;
        s.AppendLine($"- Runs finished: {done} of {study.Plan.Count}, in `{Study.Shown(study.Store.Root)}`.");
        return new Markdown(s.ToString());
    }

    static IEnumerable<string> Caveats(ExperimentSummary summary, RunConfig config, int seeds)
    {
        if (summary.Preset == "smoke")
            yield return $"**Smoke preset**: {Recipe(config)}. These numbers only show that the whole pipeline runs; they say nothing about the claims.";
        if (seeds < 2)
            yield return "With one seed per variant there is no paired test (p is undefined), so no difference can be called significant; use 3 seeds.";
        if (summary.MissingRuns > 0)
            yield return $"{summary.MissingRuns} planned run(s) are missing: the comparisons use the seeds both sides finished.";
    }

    static string Recipe(RunConfig config)
    {
        var data = config.Data.Dataset == "fashion-scenes"
            ? $"FashionScenes {config.Data.FashionScenes.Size}×{config.Data.FashionScenes.Size}, {config.Data.FashionScenes.ValidationScenes} validation scenes"
            : $"{config.Data.Dataset}, {config.Data.CropSize}² crops";
        return string.Create(CultureInfo.InvariantCulture,
            $"{data}; {config.Model.Backbone} (width ×{config.Model.Width}); {config.Train.Iterations} iterations of batch {config.Train.BatchSize}");
    }

    static string MetricName(string metric, ExperimentSummary summary) => metric switch
    {
        "miou" => "mIoU",
        "boundaryF" => "boundary F",
        "gmacs" => "GMACs",
        var m when m.StartsWith("trimap", StringComparison.Ordinal) => $"{summary.TrimapColumn} mIoU",
        var m => m,
    };

    static string Expectation(ClaimDefinition claim) => claim.Direction switch
    {
        "similar" => $"similar, within ±{claim.Tolerance.ToString(CultureInfo.InvariantCulture)}",
        var direction => direction,
    };

    static string Value(ExperimentSummary summary, string variant, string metric)
    {
        var v = summary.Variants.FirstOrDefault(x => x.Variant == variant);
        if (v is null) return "(not run)";
        return metric switch
        {
            "miou" => v.MeanIoU.Format(),
            "boundaryF" => v.BoundaryF.Format(),
            "gmacs" => v.GMacs.ToString("F4", CultureInfo.InvariantCulture),
            var m when m.StartsWith("trimap", StringComparison.Ordinal) => v.Trimap.Format(),
            _ => "?",
        };
    }

    // A cost is the same for every seed, so a test over seeds says nothing: give the difference alone.
    static string Difference(ClaimCheck check) => check.Claim.Metric == "gmacs"
        ? string.Create(CultureInfo.InvariantCulture, $"Δ {check.Ours.Delta * 1000:+0.###;-0.###;0} MMACs")
        : $"Δ {check.Ours.Format()}";

    // For cost claims, the relative difference reads better than Δ GMACs.
    static string Ratio(ExperimentSummary summary, ClaimDefinition claim)
    {
        if (claim.Metric != "gmacs") return "";
        var a = summary.Variants.FirstOrDefault(v => v.Variant == claim.Variant);
        var b = summary.Variants.FirstOrDefault(v => v.Variant == claim.Versus);
        if (a is null || b is null || !(b.GMacs > 0)) return "";
        double change = 100 * (a.GMacs / b.GMacs - 1);
        return string.Create(CultureInfo.InvariantCulture, $", i.e. {Math.Abs(change):F1}% {(change < 0 ? "fewer" : "more")} multiply-adds than {claim.Versus}");
    }

    static string Reading(Comparison comparison) =>
        !comparison.HasInterval ? "no interval with fewer than two paired seeds"
        : comparison.CiLow > 0 ? "higher: the 95 % interval excludes 0 (uncorrected)"
        : comparison.CiHigh < 0 ? "lower: the 95 % interval excludes 0 (uncorrected)"
        : "no decidable difference: the 95 % interval includes 0";

    static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
