using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Training;

/// <summary>train.precision: how it is written, validated and hashed, and that a bf16 run trains.</summary>
public class PrecisionTests
{
    static RunConfig WithPrecision(RunConfig config, TrainPrecision? precision) => config with { Train = config.Train with { Precision = precision } };

    [Fact]
    public void An_unset_precision_leaves_the_config_and_its_hash_as_before_and_bf16_changes_the_hash()
    {
        var config = TestConfigs.Tiny();
        Assert.False(((System.Text.Json.Nodes.JsonObject)config.Resolved()["train"]!).ContainsKey("precision"));
        Assert.DoesNotContain("precision", Json.Serialize(config));
        Assert.NotEqual(config.Hash(), WithPrecision(config, TrainPrecision.Bf16).Hash());
        Assert.Equal(WithPrecision(config, TrainPrecision.Bf16).Hash(), WithPrecision(config, TrainPrecision.Bf16).Hash());
        // An explicit fp32 is the default written out: one training, one key.
        var explicitFp32 = ConfigOverrides.Apply(config, ConfigOverrides.Parse(["train.precision=fp32"]));
        Assert.Null(explicitFp32.Train.Precision);
        Assert.Equal(config.Hash(), explicitFp32.Hash());
    }

    [Fact]
    public void Set_writes_bf16_by_name_and_it_round_trips_through_the_config_file()
    {
        var config = ConfigOverrides.Apply(TestConfigs.Tiny(), ConfigOverrides.Parse(["train.precision=bf16"]));
        Assert.Equal(TrainPrecision.Bf16, config.Train.Precision);
        Assert.Contains("\"precision\": \"bf16\"", Json.Serialize(config));
        var reread = RunConfig.FromJson(Json.Serialize(config), "test.json");
        Assert.Equal(TrainPrecision.Bf16, reread.Train.Precision);
        Assert.Equal(config.Hash(), reread.Hash());
    }

    [Fact]
    public void An_unknown_precision_names_the_field_the_allowed_values_and_the_fix()
    {
        var e = Assert.Throws<InputException>(() => ConfigOverrides.Apply(TestConfigs.Tiny(), ConfigOverrides.Parse(["train.precision=fp16"])));
        foreach (var part in new[] { "train.precision", "\"fp32\"", "\"bf16\"", "fp16", "Fix:" }) Assert.Contains(part, e.Message);

        // The enum reader also accepts a number; validation refuses one that names no format.
        var numbered = WithPrecision(TestConfigs.Tiny(), (TrainPrecision)7);
        var invalid = Assert.Throws<InputException>(numbered.Validate);
        foreach (var part in new[] { "train.precision", "fp32, bf16", "got 7", "Fix:" }) Assert.Contains(part, invalid.Message);
    }

    [Fact]
    public void A_tiny_bf16_run_completes_with_a_finite_loss()
    {
        var config = WithPrecision(TestConfigs.Tiny(iterations: 2), TrainPrecision.Bf16);
        var outcome = Trainer.Run(config, seed: 3, TestConfigs.NewRunFolder());
        Assert.True(outcome.Completed);
        Assert.All(outcome.Folder.ReadLog(), row => Assert.True(double.IsFinite(row.Loss), $"loss {row.Loss} at iteration {row.Iteration}"));
        Assert.Equal(config.Hash(), outcome.Metrics!.ConfigHash);
        Assert.InRange(outcome.Metrics.MeanIoU, 0, 100);
    }

    [Fact]
    public void The_emulation_warning_appears_only_for_bf16_on_a_cpu_without_native_bfloat16()
    {
        var cpu = TorchSharp.torch.CPU;
        Assert.Null(MixedPrecision.EmulationWarning(TestConfigs.Tiny().Train, cpu));
        string? warning = MixedPrecision.EmulationWarning(WithPrecision(TestConfigs.Tiny(), TrainPrecision.Bf16).Train, cpu);
        if (SegAlign.Platform.TorchRuntime.HasNativeBFloat16()) Assert.Null(warning);
        else Assert.StartsWith("warning: train.precision = bf16", warning);
    }
}
