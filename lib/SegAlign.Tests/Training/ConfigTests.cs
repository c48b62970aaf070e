using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Training;

public class ConfigTests
{
    [Theory]
    [InlineData("train.iterations", 0)]
    [InlineData("train.batchSize", 0)]
    [InlineData("train.learningRate", -1)]
    [InlineData("model.width", -0.5)]
    [InlineData("data.fashionScenes.size", -3)]
    public void An_invalid_value_names_its_field(string path, double value)
    {
        var e = Assert.Throws<InputException>(() =>
            ConfigOverrides.Apply(TestConfigs.Tiny(), ConfigOverrides.Parse([$"{path}={value}"])).Validate());
        Assert.Contains(path.Split('.')[^1], e.Message);
        Assert.Contains("Fix:", e.Message);
    }

    [Fact]
    public void Unknown_decoder_backbone_and_dataset_list_the_known_names()
    {
        Assert.Contains("fpn", Assert.Throws<InputException>(() => (TestConfigs.Tiny() with { Model = TestConfigs.Tiny().Model with { Decoder = "nope" } }).Validate()).Message);
        Assert.Contains("resnet50", Assert.Throws<InputException>(() => (TestConfigs.Tiny() with { Model = TestConfigs.Tiny().Model with { Backbone = "vgg" } }).Validate()).Message);
        Assert.Contains("fashion-scenes", Assert.Throws<InputException>(() => (TestConfigs.Tiny() with { Data = TestConfigs.Tiny().Data with { Dataset = "mnist" } }).Validate()).Message);
    }

    [Fact]
    public void An_unknown_decoder_option_or_config_field_is_an_error()
    {
        var withOption = TestConfigs.Tiny() with { Model = TestConfigs.Tiny().Model with { DecoderOptions = new JsonObject { ["noSuchOption"] = 1 } } };
        Assert.Contains("noSuchOption", Assert.Throws<InputException>(withOption.Validate).Message);
        Assert.Throws<InputException>(() => RunConfig.FromJson("""{"train": {"iterationz": 5}}""", "test.json"));
    }

    [Fact]
    public void Contradicting_overrides_are_refused()
    {
        var e = Assert.Throws<InputException>(() => ConfigOverrides.Parse(["train.iterations=5", "train.iterations=6"]));
        Assert.Contains("set twice", e.Message);
        Assert.Single(ConfigOverrides.Parse(["train.iterations=5", "train.iterations=5"]));
    }

    [Fact]
    public void The_hash_ignores_execution_settings_but_not_results_settings()
    {
        var config = TestConfigs.Tiny();
        Assert.Equal(config.Hash(), (config with { Train = config.Train with { LogEvery = 7, CheckpointEvery = 3 } }).Hash());
        Assert.Equal(config.Hash(), (config with { Data = config.Data with { Root = "/elsewhere" } }).Hash());
        Assert.NotEqual(config.Hash(), (config with { Train = config.Train with { LearningRate = 0.02 } }).Hash());
        // Spelling out a default does not change the hash.
        var explicitDefaults = config with { Model = config.Model with { DecoderOptions = new JsonObject { ["poolBins"] = new JsonArray(1, 2, 3, 6) } } };
        Assert.Equal(config.Hash(), explicitDefaults.Hash());
    }

    [Fact]
    public void Every_preset_parses_and_validates_except_for_missing_datasets()
    {
        foreach (var preset in Presets.Names)
        {
            var config = Presets.Baseline(preset);
            if (config.Data.Dataset == "fashion-scenes") config.Validate();
            else Assert.Contains("data.root", Assert.Throws<InputException>(config.Validate).Message);
        }
    }
}
