using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Experiments;
using SegAlign.Training;
using SegAlign.Tests.Visualisation;

namespace SegAlign.Tests.Experiments;

/// <summary>A verdict is never stronger than its evidence: intervals, Holm's correction, exact costs, settings.</summary>
public class VerdictTests
{
    static ClaimDefinition Claim(string direction = "higher", string metric = "miou", double tolerance = 0.5, ClaimSetting? setting = null) =>
        new() { Variant = "a", Versus = "b", Metric = metric, Direction = direction, Tolerance = tolerance, Paper = "a beats b", Setting = setting };

    static Verdict Decide(ClaimDefinition claim, double[] a, double[] b, double? holm = null, string? outside = null)
    {
        var ours = Comparison.Of(a, b, ClaimDefinition.IsDeterministic(claim.Metric));
        if (holm is double h) ours = ours with { HolmP = h };
        return Verdicts.Decide(claim, ours, outside, familySize: 3);
    }

    [Fact]
    public void A_difference_whose_interval_excludes_zero_agrees_or_disagrees_by_its_side()
    {
        Assert.Equal(VerdictKind.Agrees, Decide(Claim(), [11, 12, 13], [9, 9.9, 11.1]).Kind);
        Assert.Equal(VerdictKind.Disagrees, Decide(Claim("lower"), [11, 12, 13], [9, 9.9, 11.1]).Kind);
    }

    [Fact]
    public void An_interval_that_includes_zero_is_inconclusive_and_says_what_the_seeds_could_detect()
    {
        var verdict = Decide(Claim(), [11, 12, 13], [10, 13, 12]);
        Assert.Equal(VerdictKind.Inconclusive, verdict.Kind);
        Assert.Contains("CI over seeds includes 0", verdict.Reason);
        Assert.Contains("detectable at 80 % power with 3 seeds", verdict.Reason);
    }

    [Fact]
    public void A_difference_significant_only_before_Holm_is_inconclusive()
    {
        var verdict = Decide(Claim("lower"), [10, 11, 12], [11.5, 13, 14.2], holm: 0.096);
        Assert.Equal(VerdictKind.Inconclusive, verdict.Kind);
        Assert.Contains("after Holm's correction over 3 claims", verdict.Reason);
    }

    [Fact]
    public void Costs_are_compared_exactly_without_a_test()
    {
        var cheaper = Comparison.Of([0.25, 0.25, 0.25], [1, 1, 1], deterministic: true);
        Assert.True(double.IsNaN(cheaper.P));
        Assert.False(cheaper.HasInterval);
        Assert.Contains("deterministic", cheaper.Format());
        Assert.DoesNotContain("p=", cheaper.Format());
        Assert.Equal(VerdictKind.Agrees, Decide(Claim("lower", "gmacs"), [0.25, 0.25], [1, 1]).Kind);
        Assert.Equal(VerdictKind.Disagrees, Decide(Claim("similar", "gmacs", 0.01), [1.1, 1.1], [1, 1]).Kind);
    }

    [Fact]
    public void Similar_needs_the_whole_interval_inside_the_tolerance()
    {
        Assert.Equal(VerdictKind.Agrees, Decide(Claim("similar"), [10.1, 10, 10.2], [10, 10, 10]).Kind);
        Assert.Equal(VerdictKind.Inconclusive, Decide(Claim("similar"), [11, 9, 10.5], [10, 10, 10]).Kind);
        Assert.Equal(VerdictKind.Disagrees, Decide(Claim("similar"), [13, 13.2, 13.1], [10, 10, 10]).Kind);
    }

    [Fact]
    public void A_claim_outside_its_setting_is_not_judged_whatever_the_numbers()
    {
        var verdict = Decide(Claim(), [1, 1.1, 1.2], [20, 21, 22], outside: "needs a pretrained backbone");
        Assert.Equal(VerdictKind.OutsideSetting, verdict.Kind);
        Assert.Equal("outside the method's setting (needs a pretrained backbone)", verdict.ToString());
    }

    [Fact]
    public void A_setting_names_what_the_runs_lacked()
    {
        var setting = new ClaimSetting { MinInputSize = 128, PretrainedBackbone = true, Reason = "the mechanism needs room" };
        var small = new RunConfig { Data = new DataConfig { FashionScenes = new FashionScenesOptions { Size = 64 } } };
        Assert.Equal("the mechanism needs room; here: 64 px input, needs ≥ 128, backbone trained from scratch", setting.Violation([small, small]));
        var inside = small with
        {
            Data = small.Data with { FashionScenes = small.Data.FashionScenes with { Size = 128 } },
            Model = small.Model with { BackboneWeights = "pretrained.bin" },
        };
        Assert.Null(setting.Violation([inside]));
    }

    [Fact]
    public void A_setting_that_needs_context_sized_to_the_map_rejects_the_papers_sizes()
    {
        // RSP's window and DeepLabV3's rates at the papers' values are degenerate on a 4×4 P5, whatever the input size.
        var setting = new ClaimSetting { MinInputSize = 128, ScaledContext = true, Reason = "windows smaller than the map" };
        var published = new RunConfig { Data = new DataConfig { FashionScenes = new FashionScenesOptions { Size = 128 } } };
        Assert.Equal("windows smaller than the map; here: context modules at the paper's sizes (model.contextInputSize unset)", setting.Violation([published]));
        Assert.Null(setting.Violation([published with { Model = published.Model with { ContextInputSize = 128 } }]));
    }

    [Fact]
    public void The_summary_corrects_within_the_claims_and_leaves_untested_claims_out_of_the_family()
    {
        var definition = ChartTests.Definition() with
        {
            Claims =
            [
                new ClaimDefinition { Variant = "better", Versus = "base", Paper = "better beats base" },
                new ClaimDefinition { Variant = "costly", Versus = "base", Paper = "costly beats base" },
                new ClaimDefinition { Variant = "costly", Versus = "base", Metric = "gmacs", Direction = "higher", Paper = "costly costs more" },
                new ClaimDefinition { Variant = "better", Versus = "costly", Paper = "needs room", Setting = new ClaimSetting { MinInputSize = 512, Reason = "room" } },
            ],
        };
        var summary = ExperimentSummary.From(definition, "smoke", ChartTests.Rows(), 6);
        var tested = summary.Claims.Take(2).Select(c => c.Ours).ToList();
        var expected = Statistics.Holm(tested.Select(c => c.P).ToList());
        Assert.Equal(expected, tested.Select(c => c.HolmP!.Value));
        Assert.Null(summary.Claims[2].Ours.HolmP);
        Assert.Equal(VerdictKind.Agrees, summary.Claims[2].Outcome.Kind);
        Assert.Equal(VerdictKind.OutsideSetting, summary.Claims[3].Outcome.Kind);
        Assert.Contains("| better vs costly (miou, expected higher) |", summary.ToMarkdown());
        Assert.Contains("delta_ci_low", summary.ToDataFrame().Columns.Select(c => c.Name));
    }
}
