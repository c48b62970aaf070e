using SegAlign.Experiments;
using SegAlign.Tests.Data;
using SegAlign.Tests.Visualisation;

namespace SegAlign.Tests.Experiments;

/// <summary>Protocol v3's pre-registration: a paper's Holm family is its claims, fixed before the runs.</summary>
public class ClaimFamilyTests
{
    static ExperimentDefinition TwoClaims() => ChartTests.Definition() with
    {
        Claims =
        [
            new ClaimDefinition { Variant = "better", Versus = "base", Paper = "better beats base" },
            new ClaimDefinition { Variant = "costly", Versus = "base", Paper = "costly beats base" },
        ],
    };

    [Fact]
    public void Adding_a_diagnostic_changes_no_claims_adjusted_p_or_verdict()
    {
        var before = ExperimentSummary.From(TwoClaims(), "smoke", ChartTests.Rows(), 6);
        var withDiagnostics = TwoClaims() with
        {
            Diagnostics =
            [
                new DiagnosticDefinition { Variant = "costly", Versus = "better", Why = "an afterthought" },
                new DiagnosticDefinition { Variant = "better", Versus = "base", Metric = "boundaryF", Why = "another" },
            ],
        };
        var after = ExperimentSummary.From(withDiagnostics, "smoke", ChartTests.Rows(), 6);
        Assert.Equal(2, after.Diagnostics.Count);
        Assert.Equal(before.Claims.Select(c => c.Ours.HolmP), after.Claims.Select(c => c.Ours.HolmP));
        Assert.Equal(before.Claims.Select(c => c.Verdict), after.Claims.Select(c => c.Verdict));
        Assert.All(before.Claims, c => Assert.NotNull(c.Ours.HolmP));
        // A diagnostic is reported, never judged.
        Assert.DoesNotContain("agrees", after.ToMarkdown().Split("### Diagnostics")[1]);
    }

    [Fact]
    public void Editing_a_claim_after_its_runs_started_is_flagged_in_the_summarys_first_line()
    {
        using var folder = new TempFolder();
        var store = new ResultsStore(folder.Path);
        var definition = TwoClaims();
        var registered = ClaimRegistry.Register(store, definition, "abc1234", DateTimeOffset.UnixEpoch);
        Assert.Equal(ClaimRegistry.Hash(definition), registered.ClaimsHash);
        Assert.Null(ClaimRegistry.Changed(store, definition));
        // Registering again keeps the first registration; adding a diagnostic is no change of the family.
        Assert.Equal(registered, ClaimRegistry.Register(store, definition with { Claims = [definition.Claims[0]] }, "later", DateTimeOffset.UtcNow));
        Assert.Null(ClaimRegistry.Changed(store, definition with { Diagnostics = [new DiagnosticDefinition { Variant = "costly", Versus = "base", Why = "w" }] }));

        var edited = definition with { Claims = [definition.Claims[0], definition.Claims[1] with { Metric = "boundaryF" }] };
        string? changed = ClaimRegistry.Changed(store, edited);
        Assert.NotNull(changed);
        Assert.Contains(registered.ClaimsHash, changed);
        Assert.Contains("1970-01-01", changed);
        var summary = ExperimentSummary.From(edited, "smoke", ChartTests.Rows(), 6, changed);
        Assert.StartsWith("**The claims of experiments/demo.json changed after its runs started", summary.ToMarkdown());
    }

    [Fact]
    public void A_claim_text_with_pipes_stays_in_its_column()
    {
        var definition = ChartTests.Definition() with { Claims = [new ClaimDefinition { Variant = "better", Versus = "base", Paper = "a | b <c> *d*\nline" }] };
        var markdown = ExperimentSummary.From(definition, "smoke", ChartTests.Rows(), 6).ToMarkdown();
        var row = markdown.Split('\n').Single(l => l.StartsWith("| a ", StringComparison.Ordinal));
        Assert.Equal(7, row.Replace("\\|", "").Count(c => c == '|')); // six columns
    }

    [Fact]
    public void A_reconstruction_is_judged_as_reproduced_or_not_never_as_the_paper_being_wrong()
    {
        var verdict = new Verdict(VerdictKind.Disagrees, "", Reconstruction: true);
        Assert.Equal("not reproduced by our reconstruction", verdict.Word);
        Assert.True((ChartTests.Definition() with { Code = "none published — reconstructed" }).Reconstruction);
    }

    [Fact]
    public void A_difference_that_rounds_to_zero_prints_without_a_stray_sign()
    {
        var nearZero = Comparison.Of([10.001, 11.0], [10.003, 11.0]);
        Assert.DoesNotContain("-+", nearZero.Format());
        Assert.StartsWith("0.00 [", nearZero.Format());
        Assert.DoesNotContain("-+", Comparison.Of([5.0], [5.001]).Format());
    }

    [Fact]
    public void A_claim_whose_measured_premise_fails_is_outside_the_setting_and_leaves_the_family()
    {
        // "fine-tuned" beats "frozen" decidedly at every seed: the premise (fine-tuning disturbs the prior) is unmet.
        static RunRow R(string variant, int seed, double miou) => ChartTests.Row(variant, seed, miou, [miou, miou, null]);
        var rows = new List<RunRow>();
        foreach (int seed in new[] { 0, 1, 2 })
        {
            rows.Add(R("fine-tuned", seed, 50 + seed * 0.1));
            rows.Add(R("frozen", seed, 40 + seed * 0.12));
            rows.Add(R("guided", seed, 45 + seed * 0.2));
        }
        var premise = new MeasuredPremise { Variant = "fine-tuned", Versus = "frozen", Reason = "fine-tuning clearly wins" };
        var definition = ChartTests.Definition() with
        {
            Baseline = "fine-tuned",
            Variants = [new VariantDefinition { Name = "fine-tuned" }, new VariantDefinition { Name = "frozen" }, new VariantDefinition { Name = "guided" }],
            Claims =
            [
                new ClaimDefinition { Variant = "guided", Versus = "fine-tuned", Paper = "guided wins", Setting = new ClaimSetting { Premise = premise, Reason = "needs the premise" } },
                new ClaimDefinition { Variant = "guided", Versus = "frozen", Paper = "guided beats frozen" },
            ],
        };
        var summary = ExperimentSummary.From(definition, "smoke", rows, 9);
        Assert.Equal(VerdictKind.OutsideSetting, summary.Claims[0].Outcome.Kind);
        Assert.Contains("fine-tuning clearly wins", summary.Claims[0].Outcome.Reason);
        Assert.Null(summary.Claims[1].Ours.HolmP); // a family of one: no correction
        Assert.Equal(VerdictKind.Agrees, summary.Claims[1].Outcome.Kind);

        // Where fine-tuning does not win decidedly, the premise holds and the claim is judged.
        var close = rows.Select(r => r.Run.Variant == "frozen" ? R("frozen", r.Run.Seed, r.Metrics.MeanIoU + 10 + (r.Run.Seed == 1 ? 0.5 : -0.3)) : r).ToList();
        Assert.NotEqual(VerdictKind.OutsideSetting, ExperimentSummary.From(definition, "smoke", close, 9).Claims[0].Outcome.Kind);
    }
}
