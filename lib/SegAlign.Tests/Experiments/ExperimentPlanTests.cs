using System.Text.Json.Nodes;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Experiments;

public class ExperimentPlanTests
{
    [Theory]
    [InlineData("sfnet")]
    [InlineData("ifa")]
    public void At_the_full_preset_a_papers_losses_train_every_arm_of_its_comparison(string experiment)
    {
        // Protocol v2 (issue 11, item 3): a paper's training losses must not favour the proposed arm.
        var runs = ExperimentPlan.Resolve(ExperimentDefinition.Load(experiment), "full", seeds: [0]);
        Assert.All(runs, r => Assert.NotNull(r.Config.Train.Ohem));
        Assert.All(runs, r => Assert.True(r.Config.Model.LogitsAlignCorners));
        Assert.All(runs, r => Assert.Equal(128, r.Config.Model.ContextInputSize));
        if (experiment == "ifa") Assert.All(runs, r => Assert.True(r.Config.Model.AuxHead && r.Config.Model.AuxWeight == 0.4));
        if (experiment == "sfnet") Assert.All(runs, r => Assert.Contains("\"deepSupervision\": true", r.Config.Resolved().ToJsonString().Replace("\":true", "\": true")));
    }

    [Fact]
    public void Every_committed_experiment_resolves_at_every_CPU_preset()
    {
        foreach (var name in ExperimentDefinition.Available())
        {
            var experiment = ExperimentDefinition.Load(name);
            Assert.True(experiment.Seeds.Length >= 3, $"{name} needs at least 3 seeds");
            foreach (var preset in new[] { "smoke", "quick", "full", "v2", "v1" }.Where(experiment.IsDefinedAt))
            {
                var runs = ExperimentPlan.Resolve(experiment, preset);
                int seeds = Math.Min(experiment.Seeds.Length, Presets.SeedCount(preset) ?? int.MaxValue);
                // Protocol v3: variants that only diagnostics compare run the first diagnosticSeeds seeds.
                int SeedsOf(string variant) => experiment.IsClaimArm(variant) ? seeds : Math.Min(seeds, experiment.DiagnosticSeeds ?? seeds);
                Assert.Equal(experiment.VariantsAt(preset).Sum(v => SeedsOf(v.Name)), runs.Count);
                Assert.Equal(experiment.Seeds.Take(seeds), runs.Select(r => r.Seed).Distinct());
                Assert.All(runs, r => Assert.Equal(experiment.Variants.Single(v => v.Name == r.Variant).Set.TryGetValue("model.decoder", out var d)
                    ? d!.GetValue<string>() : "fpn", r.Config.Model.Decoder));
            }
        }
    }

    [Fact]
    public void Presets_run_all_seeds_unless_they_say_otherwise()
    {
        Assert.Null(Presets.SeedCount("full"));
        Assert.Equal(1, Presets.SeedCount("quick"));
        var sfnet = ExperimentDefinition.Load("sfnet");
        Assert.Equal([0, 1, 2], ExperimentPlan.Resolve(sfnet, "v2").Select(r => r.Seed).Distinct());
        // Protocol v3: five seeds for the arms of a paper claim, three for variants only diagnostics compare.
        var v3 = ExperimentPlan.Resolve(sfnet, "full").GroupBy(r => r.Variant).ToDictionary(g => g.Key, g => g.Select(r => r.Seed).ToArray());
        Assert.Equal([0, 1, 2, 3, 4], v3["fam"]);
        Assert.Equal([0, 1, 2, 3, 4], v3["bilinear"]);
        Assert.Equal([0, 1, 2], v3["fam-p4"]);
        Assert.Equal([0], ExperimentPlan.Resolve(sfnet, "quick").Select(r => r.Seed).Distinct());
        Assert.Equal([1, 2], ExperimentPlan.Resolve(sfnet, "quick", seeds: [1, 2]).Select(r => r.Seed).Distinct());
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("full")]
    public void The_shared_baseline_has_the_same_key_in_every_experiment_that_keeps_the_presets_training(string preset)
    {
        // Experiments whose preset adds their paper's losses to both arms (sfnet, ifa at full) have their own baseline.
        string? weights = ExperimentPlan.Resolve(ExperimentDefinition.Load("overview"), preset, seeds: [0], variants: ["fpn"]).Single().Config.Model.BackboneWeights;
        var keys = ExperimentDefinition.Available(preset).Select(ExperimentDefinition.Load).Where(e => !e.Presets.ContainsKey(preset))
            .Select(e => ExperimentPlan.Resolve(e, preset, seeds: [0]).First(r => r.Config.Model.Decoder == "fpn" && r.Config.Model.BackboneWeights == weights).Key)
            .Distinct().ToList();
        Assert.Single(keys);
    }

    [Fact]
    public void Variants_differ_from_the_baseline_only_where_they_say()
    {
        var sfnet = ExperimentDefinition.Load("sfnet");
        var runs = ExperimentPlan.Resolve(sfnet, "smoke", seeds: [0]);
        var baseline = runs.Single(r => r.Variant == "bilinear").Config;
        var famP4 = runs.Single(r => r.Variant == "fam-p4").Config;
        Assert.Equal(baseline.Train, famP4.Train);
        Assert.Equal(baseline.Data, famP4.Data);
        Assert.Equal(baseline.Model with { Decoder = "sfnet", DecoderOptions = famP4.Model.DecoderOptions }, famP4.Model);
    }

    [Fact]
    public void Bad_names_and_contradicting_overrides_fail_before_anything_runs()
    {
        Assert.Contains("sfnet", Assert.Throws<InputException>(() => ExperimentDefinition.Load("nosuch")).Message);
        var sfnet = ExperimentDefinition.Load("sfnet");
        Assert.Contains("fam-p4", Assert.Throws<InputException>(() => ExperimentPlan.Resolve(sfnet, "smoke", variants: ["famm"])).Message);
        Assert.Contains("smoke", Assert.Throws<InputException>(() => ExperimentPlan.Resolve(sfnet, "tiny")).Message);
        var contradiction = Assert.Throws<InputException>(() => ExperimentPlan.Resolve(sfnet, "smoke", ConfigOverrides.Parse(["model.decoder=\"fpn\""])));
        Assert.Contains("contradicts variant", contradiction.Message);
        // An override nobody sets is fine and reaches every variant.
        var runs = ExperimentPlan.Resolve(sfnet, "smoke", ConfigOverrides.Parse(["train.iterations=2"]));
        Assert.All(runs, r => Assert.Equal(2, r.Config.Train.Iterations));
    }

    [Fact]
    public void A_variant_naming_an_unregistered_decoder_is_reported_with_the_experiment()
    {
        var experiment = ExperimentDefinition.Load("sfnet") with
        {
            Variants = [new VariantDefinition { Name = "bilinear" }, new VariantDefinition { Name = "ghost", Set = new() { ["model.decoder"] = JsonValue.Create("ghostnet") } }],
        };
        var e = Assert.Throws<InputException>(() => ExperimentPlan.Resolve(experiment, "smoke"));
        Assert.Contains("ghost", e.Message);
        Assert.Contains("unknown decoder", e.Message);
    }

    [Fact]
    public void An_experiment_defined_only_at_some_presets_is_left_out_of_all_elsewhere_and_refused_by_name()
    {
        var prior = ExperimentDefinition.Load("backbone-prior");
        Assert.Contains("backbone-prior", ExperimentDefinition.Available("full"));
        Assert.DoesNotContain("backbone-prior", ExperimentDefinition.Available("quick"));
        var e = Assert.Throws<InputException>(() => ExperimentPlan.Resolve(prior, "smoke"));
        Assert.Contains("defined only at full", e.Message);
        Assert.Contains("at preset full", e.Message);
        // The pretrained variants pin their recipe's hash, so a changed recipe re-keys them.
        var runs = ExperimentPlan.Resolve(prior, "full", seeds: [0]);
        Assert.Equal(3, runs.Select(r => r.Hash).Distinct().Count());
    }

    static readonly string[] HfgdProtocolV1 = ["fpn", "upsampler", "guided-no-sg", "guided-sg", "sg-kernels-only", "sg-backbone-only", "guided-sg-os2"];
    static readonly string[] HfgdV2Only = ["guided-sg-linear", "guided-sg-cosine", "high-only"];

    [Fact]
    public void Variants_restricted_to_protocol_v2_are_not_planned_at_v1_so_its_committed_results_stay_complete()
    {
        var hfgd = ExperimentDefinition.Load("hfgd");
        Assert.Equal(HfgdProtocolV1, ExperimentPlan.Resolve(hfgd, "v1", seeds: [0]).Select(r => r.Variant));
        Assert.Equal(HfgdProtocolV1.Concat(HfgdV2Only), ExperimentPlan.Resolve(hfgd, "v2", seeds: [0]).Select(r => r.Variant));
        Assert.Equal(HfgdProtocolV1.Concat(["guided-sg-linear", "guided-sg-cosine", "fpn-frozen", "high-only"]), ExperimentPlan.Resolve(hfgd, "full", seeds: [0]).Select(r => r.Variant));
        Assert.Equal(HfgdProtocolV1, hfgd.VariantsAt("quick").Select(v => v.Name));

        // Each v2 variant is a distinct config with the option it names.
        var pilot = ExperimentPlan.Resolve(hfgd, "v2", seeds: [0]).ToDictionary(r => r.Variant);
        Assert.Equal(pilot.Count, pilot.Values.Select(r => r.Hash).Distinct().Count());
        Assert.Equal("linear", (string?)pilot["guided-sg-linear"].Config.Model.DecoderOptions!["kernelProjection"]);
        Assert.Equal("cosine", (string?)pilot["guided-sg-cosine"].Config.Model.DecoderOptions!["kernelProjection"]);
        Assert.True((bool)pilot["high-only"].Config.Model.DecoderOptions!["highLevelOnly"]!);
        // At full (protocol v2) every HFGD variant starts from the pretrained backbone: the paper's setting.
        Assert.All(pilot.Values, r => Assert.StartsWith("pretrain:fashion-objects", r.Config.Model.BackboneWeights));

        // Asked for by name at a preset it is not planned at: refused, naming where it is.
        var e = Assert.Throws<InputException>(() => ExperimentPlan.Resolve(hfgd, "v1", variants: ["high-only"]));
        Assert.Contains("high-only", e.Message);
        Assert.Contains("planned only at full", e.Message);
        Assert.Contains("at preset full", e.Message);
    }

    [Fact]
    public void A_variant_restriction_needs_a_reason_known_presets_and_may_not_hide_the_baseline()
    {
        using var repository = new SegAlign.Tests.Reliability.TempRepository();
        const string restricted = "\"runsAt\": { \"presets\": [\"full\", \"v2\"], \"reason\": \"a protocol v2 control (issue 11), kept off v1 so that protocol v1's committed results stay complete\" } }\n  ],";
        string original = File.ReadAllText(Path.Combine(repository.Experiments, "hfgd.json"));
        string Failure(string from, string to)
        {
            Assert.Contains(from, original);
            repository.WriteExperiment("hfgd.json", original.Replace(from, to, StringComparison.Ordinal));
            return Assert.Throws<InputException>(() => ExperimentDefinition.Load("hfgd")).Message;
        }
        var e = Failure(restricted, restricted.Replace("[\"full\", \"v2\"]", "[]", StringComparison.Ordinal));
        Assert.Contains("variant high-only: runsAt", e);
        Assert.Contains("needs at least one preset and a reason", e);
        e = Failure(restricted, restricted.Replace("[\"full\", \"v2\"]", "[\"fulll\"]", StringComparison.Ordinal));
        Assert.Contains("unknown preset 'fulll'", e);
        Assert.Contains("v1", e);

        e = Failure("\"baseline\": \"fpn\"", "\"baseline\": \"high-only\"");
        Assert.Contains("restricts the baseline 'high-only'", e);

        repository.WriteExperiment("backbone-prior.json", repository.Edited("backbone-prior", "\"set\": { \"model.backboneWeights\": \"pretrain:fashion-objects-half\" }",
            "\"set\": { \"model.backboneWeights\": \"pretrain:fashion-objects-half\" }, \"runsAt\": { \"presets\": [\"quick\"], \"reason\": \"r\" }"));
        e = Assert.Throws<InputException>(() => ExperimentDefinition.Load("backbone-prior")).Message;
        Assert.Contains("where the experiment itself is not defined", e);
    }

    [Fact]
    public void The_preset_catalog_is_baseline_json_and_every_preset_says_what_it_is()
    {
        Assert.Equal(["smoke", "quick", "full", "v2", "v1", "paper"], Presets.Names);
        Assert.All(Presets.Names, p => Assert.NotEmpty(Presets.Describe(p)));
        Assert.Contains("full (the CPU reproduction, protocol v3", Presets.Catalog());
        var e = Assert.Throws<InputException>(() => Presets.Check("fulll"));
        Assert.Contains("use one of: smoke, quick, full, v2, v1, paper", e.Message);
    }
}
