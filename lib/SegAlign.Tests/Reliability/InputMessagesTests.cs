using SegAlign.Data;
using SegAlign.Training;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>Bad options and config values are refused before any work, with one line that names the option or field and the fix.</summary>
public class InputMessagesTests
{
    [Theory]
    [InlineData("train --preset smoke --set train.learningRate=Infinity", "train.learningRate", "finite")]
    [InlineData("train --preset smoke --set train.learningRate=-Infinity", "train.learningRate", "finite")]
    [InlineData("train --preset smoke --threads -1", "--threads", "≥ 0")]
    [InlineData("eval /nonexistent --boundary-tolerance -1", "--boundary-tolerance", "positive")]
    [InlineData("eval /nonexistent --boundary-tolerance NaN", "--boundary-tolerance", "positive")]
    [InlineData("eval /nonexistent --trimap 0", "--trimap", "≥ 1")]
    [InlineData("eval /nonexistent --threads -2", "--threads")]
    [InlineData("bench --size -3", "--size", "≥ 16")]
    [InlineData("bench --threads -1", "--threads")]
    public void An_out_of_range_option_or_value_is_refused_naming_it(string commandLine, params string[] expected)
    {
        AssertBadInput(Run(commandLine.Split(' ')), expected);
    }

    [Fact]
    public void A_config_file_together_with_a_preset_is_refused()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("segalign-config-").FullName, "run.json");
        File.WriteAllText(file, Json.Serialize(TestConfigs.Tiny()));
        AssertBadInput(Run("train", "--config", file, "--preset", "smoke", "--print-config"), "--preset", "--config");
        Assert.Equal(0, Run("train", "--config", file, "--print-config").Code);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_the_key_and_the_type_in_words_and_blames_the_override()
    {
        string line = AssertBadInput(Run("train", "--preset", "smoke", "--set", "train.batchSize=abc", "--print-config"), "--set: train.batchSize", "whole number", "\"abc\"");
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("BytePosition", line);
        Assert.DoesNotContain("preset smoke", line);
    }

    [Fact]
    public void An_unknown_key_suggests_the_nearest_known_one()
    {
        string line = AssertBadInput(Run("train", "--preset", "smoke", "--set", "train.batchSiz=4", "--print-config"), "train.batchSiz", "did you mean train.batchSize");
        Assert.DoesNotContain("SegAlign.Training", line);
        line = AssertBadInput(Run("train", "--preset", "smoke", "--set", "model.decoderOptions.levelz=[1]", "--decoder", "sfnet", "--print-config"), "levelz", "did you mean");
        Assert.DoesNotContain("SegAlign.", line);
    }

    [Theory]
    [InlineData("ablation run sfnet --preset smoke --set train.batchSize=abc", "--set: train.batchSize")]
    [InlineData("ablation run sfnet --preset smoke --set train.batchSize=0", "--set: train.batchSize")]
    [InlineData("ablation run sfnet --preset smoke --set model.decoderOptions.nope=1", "nope")]
    public void Errors_from_a_variant_or_an_override_say_Fix_once(string commandLine, string expected)
    {
        AssertBadInput(Run(commandLine.Split(' ')), expected);
    }

    [Fact]
    public void A_runs_own_config_json_is_accepted_by_train_so_the_eval_advice_works()
    {
        var folder = new RunFolder(TestConfigs.NewRunFolder());
        var config = TestConfigs.Tiny();
        Directory.CreateDirectory(folder.Path);
        folder.WriteConfig(config, 3, config.Hash(), "test");
        var error = Assert.Throws<InputException>(() => TrainedModel.Load(folder, 10));
        Assert.Contains($"--config {folder.ConfigFile} --seed 3", error.Message);
        var (code, output, stderr) = Run("train", "--config", folder.ConfigFile, "--print-config");
        Assert.True(code == 0, stderr);
        Assert.Contains($"hash: {config.Hash()}", output);
    }

    [Fact]
    public void A_fashion_mnist_folder_named_by_the_environment_must_hold_the_files()
    {
        string previous = Environment.GetEnvironmentVariable("SEGALIGN_FASHION_MNIST") ?? "";
        string empty = Directory.CreateTempSubdirectory("segalign-fmnist-").FullName;
        Environment.SetEnvironmentVariable("SEGALIGN_FASHION_MNIST", empty);
        try
        {
            var error = Assert.Throws<InputException>(() => FashionMnist.Locate());
            Assert.Contains("SEGALIGN_FASHION_MNIST", error.Message);
            Assert.Contains("train-images-idx3-ubyte", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SEGALIGN_FASHION_MNIST", previous.Length > 0 ? previous : null);
        }
    }
}
