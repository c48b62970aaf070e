using SegAlign.Data;
using SegAlign.Experiments;
using SegAlign.Tests.Data;
using SegAlign.Config;
using SegAlign.Training;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>What can be checked before training is checked before training; one bad file does not break the others.</summary>
public class EarlyChecksTests
{
    [Fact]
    public void A_claim_with_an_unknown_metric_is_refused_when_the_experiment_is_loaded()
    {
        using var repository = new TempRepository();
        repository.WriteExperiment("ifa.json", repository.Edited("ifa", "\"metric\": \"gmacs\"", "\"metric\": \"gflops\""));
        var error = Assert.Throws<InputException>(() => ExperimentDefinition.Load("ifa"));
        Assert.Contains("'gflops'", error.Message);
        AssertBadInput(Run("ablation", "run", "ifa", "--preset", "smoke", "--results", repository.Results), "gflops");
        Assert.False(Directory.Exists(Path.Combine(repository.Results, "smoke", "runs")));
    }

    [Fact]
    public void A_broken_unrelated_experiment_file_is_listed_as_broken_and_does_not_stop_the_others()
    {
        using var repository = new TempRepository();
        repository.WriteExperiment("broken.json", "{ \"name\": \"broken\", ");
        var (code, output, error) = Run("ablation", "list", "--preset", "smoke", "--results", repository.Results);
        Assert.True(code == 0, error);
        Assert.Contains("broken", output);
        Assert.Contains("sfnet", output);

        var store = ResultsStore.ForPreset("smoke", repository.Results);
        var warnings = new List<string>();
        var summaries = ExperimentResults.Collect("smoke", store, ["ifa"], warn: warnings.Add);
        Assert.Single(summaries);
        Assert.Contains(warnings, w => w.Contains("broken", StringComparison.Ordinal));

        // `summary all` writes the tables it can and names the broken file, with exit 2.
        var all = Run("ablation", "summary", "all", "--preset", "smoke", "--results", repository.Results);
        Assert.Equal(2, all.Code);
        Assert.Contains("broken.json", all.Error);
        Assert.Contains("sfnet", all.Out);
    }

    [Fact]
    public void A_corrupt_validation_label_is_found_before_training()
    {
        string root = Directory.CreateTempSubdirectory("segalign-camvid-").FullName;
        DatasetLayouts.WriteBothSplits("camvid", root);
        var (_, label) = DatasetLayouts.Paths("camvid", root, "val", "b_0002");
        File.WriteAllText(label, "not a png");
        var data = DatasetLayouts.DataConfigFor("camvid", root, cropSize: 16);
        var error = Assert.Throws<InputException>(() => DatasetPreflight.Check(data));
        Assert.Contains(label, error.Message);

        string folder = TestConfigs.NewRunFolder();
        var config = TestConfigs.Tiny() with { Data = data };
        Assert.Throws<InputException>(() => Trainer.Run(config, 0, folder, new TrainOptions { Threads = 1 }));
        Assert.False(File.Exists(Path.Combine(folder, "train_log.csv")));
        Assert.False(File.Exists(Path.Combine(folder, "checkpoint.ckpt")));
    }

    [Fact]
    public void A_label_whose_size_differs_from_its_image_is_found_before_training()
    {
        string root = Directory.CreateTempSubdirectory("segalign-camvid-").FullName;
        DatasetLayouts.WriteBothSplits("camvid", root);
        var (_, label) = DatasetLayouts.Write("camvid", root, "val", "c_0003", Fixtures.Label(DatasetLayouts.H, DatasetLayouts.W, 0), imageHeight: DatasetLayouts.H + 2);
        var error = Assert.Throws<InputException>(() => DatasetPreflight.Check(DatasetLayouts.DataConfigFor("camvid", root, cropSize: 16)));
        Assert.Contains(label, error.Message);
        Assert.Contains("W×H", error.Message);
    }

    [Theory]
    [InlineData(999, "abc123abc123", 0, "outside [0, 100]")]
    [InlineData(-5, "abc123abc123", 0, "outside [0, 100]")]
    [InlineData(40, "ffffffffffff", 0, "keyed abc123abc123")]
    [InlineData(40, "abc123abc123", 4, "keyed seed 0")]
    public void An_implausible_metrics_file_is_refused_with_a_clear_message(double miou, string hash, int seed, string expected)
    {
        var folder = new RunFolder(TestConfigs.NewRunFolder());
        Directory.CreateDirectory(folder.Path);
        File.WriteAllText(folder.MetricsFile, Json.Serialize(Metrics(miou, hash, seed)));
        var error = Assert.Throws<InputException>(() => folder.ReadMetrics("abc123abc123", 0));
        Assert.Contains(expected, error.Message);
        Assert.Contains(folder.MetricsFile, error.Message);
    }

    static RunMetrics Metrics(double miou, string hash, int seed) => new()
    {
        ConfigHash = hash, Seed = seed, Dataset = "fashion-scenes", Backbone = "resnet18", Decoder = "fpn", Iterations = 1, TrainSeconds = 1,
        ImagesPerSecond = 1, FinalLoss = 1, MeanIoU = miou, MeanAccuracy = 50, PixelAccuracy = 50, BoundaryF = 10,
        TrimapMeanIoU = new Dictionary<string, double> { ["1"] = 20 }, Classes = [], AbsentClasses = [], EvalImages = 1, EvalSeconds = 1,
        GMacs = 0.1, Parameters = new Dictionary<string, long> { ["total"] = 1 }, Runtime = "test",
    };
}
