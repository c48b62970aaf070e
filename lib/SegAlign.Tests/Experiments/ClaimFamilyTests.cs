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
}
