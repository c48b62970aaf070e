using SegAlign.Experiments;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 rows 11, 12, 13 and 16: names, claims and sizes are checked up front, and a run that fails before its
/// first checkpoint leaves no folder behind.
/// </summary>
public class NamesAndLimitsTests
{
    [Theory]
    [InlineData("line1\\nline2\\ttab")]
    [InlineData("")]
    [InlineData("a|b")]
    [InlineData("../x")]
    public void A_variant_name_that_is_not_a_plain_name_is_refused_like_an_experiment_name(string name)
    {
        using var repository = new TempRepository();
        repository.WriteExperiment("sfnet.json", repository.Edited("sfnet", "\"name\": \"fam-p2\"", $"\"name\": \"{name}\""));
        var result = Run("ablation", "run", "sfnet", "--preset", "smoke", "--results", repository.Results);
        AssertBadInput(result, "sfnet.json: variants", "not a plain name");
        Assert.False(Directory.Exists(repository.Results));
    }

    [Fact]
    public void A_claim_on_a_trimap_width_that_runs_do_not_measure_is_refused()
    {
        using var repository = new TempRepository();
        repository.WriteExperiment("ifa.json", repository.Edited("ifa", "\"metric\": \"gmacs\"", "\"metric\": \"trimap7\""));
        var error = Assert.Throws<InputException>(() => ExperimentDefinition.Load("ifa"));
        Assert.Contains("trimap7", error.Message);
        Assert.Contains("trimap1, trimap2, trimap4", error.Message);

        repository.WriteExperiment("ifa.json", repository.Edited("ifa", "\"metric\": \"trimap7\"", "\"metric\": \"trimap2\""));
        Assert.Equal("ifa", ExperimentDefinition.Load("ifa").Name);   // a measured width stays valid
    }

    [Fact]
    public void A_batch_larger_than_the_training_set_is_refused_before_anything_is_written()
    {
        string folder = TestConfigs.NewRunFolder();
        AssertBadInput(Run("train", "--preset", "smoke", "--set", "train.batchSize=100000", "--out", folder, "--threads", "1"), "train.batchSize", "64 training scenes");
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_run_that_diverges_before_its_first_checkpoint_leaves_no_folder_holding_only_config_json()
    {
        string folder = TestConfigs.NewRunFolder();
        AssertBadInput(Run("train", "--preset", "smoke", "--set", "train.learningRate=1e308", "--out", folder, "--threads", "1"), "train.learningRate");
        Assert.False(Directory.Exists(folder), string.Join(", ", Directory.Exists(folder) ? Directory.GetFiles(folder) : []));
    }

    [Theory]
    [InlineData("--iterations", "99999999999")]
    [InlineData("--seed", "1e3")]
    public void A_number_the_parser_cannot_take_is_one_line_and_exit_2(string option, string value)
    {
        AssertBadInput(Run("train", "--preset", "smoke", option, value), option, $"'{value}'", "segalign train --help");
    }

    [Theory]
    [InlineData("text")]
    [InlineData("zeros")]
    [InlineData("one entry")]
    [InlineData("random")]
    public void Backbone_weights_that_are_not_weights_are_refused_in_one_line(string content)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("segalign-weights-").FullName, "notes.txt");
        byte[] bytes = content switch
        {
            "text" => System.Text.Encoding.UTF8.GetBytes("these are notes, not a state dict\n"),
            "zeros" => new byte[64],
            "one entry" => [1, 0, 0, 0, 0, 0, 0, 0, 4, (byte)'c', (byte)'o', (byte)'n', (byte)'v', 9, 9, 9, 9, 9, 9, 9, 9, 9, 9],
            _ => RandomBytes(),
        };
        File.WriteAllBytes(file, bytes);
        string folder = TestConfigs.NewRunFolder();
        AssertBadInput(Run("train", "--preset", "smoke", "--set", $"model.backboneWeights=\"{file}\"", "--out", folder, "--threads", "1"), file);
        Assert.False(Directory.Exists(folder));
    }

    static byte[] RandomBytes()
    {
        var bytes = new byte[4096];
        new Random(33).NextBytes(bytes);
        return bytes;
    }
}
