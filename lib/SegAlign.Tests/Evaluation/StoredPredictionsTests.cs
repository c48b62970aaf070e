using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Training;

namespace SegAlign.Tests.Evaluation;

/// <summary>Protocol v3: a run scored on the test split stores its predictions, and every metric can be recomputed from them.</summary>
public class StoredPredictionsTests
{
    [Fact]
    public void A_test_split_run_stores_predictions_from_which_every_metric_is_recomputed_exactly()
    {
        var tiny = TestConfigs.Tiny(iterations: 2);
        var config = tiny with { Data = tiny.Data with { EvaluationSplit = "test", FashionScenes = tiny.Data.FashionScenes with { TestScenes = 7 } } };
        string folder = TestConfigs.NewRunFolder();
        var outcome = Trainer.Run(config, seed: 0, folder, new TrainOptions { Threads = 1 });
        var run = new RunFolder(folder);
        Assert.True(File.Exists(run.PredictionsFile));
        Assert.True(File.Exists(run.PerImageAlignmentFile));
        Assert.Equal("test", outcome.Metrics!.Split);
        Assert.Equal(7, outcome.Metrics.EvalImages);

        var split = DatasetRegistry.CreateEvaluation(config.Data);
        var again = Evaluator.FromPredictions(run.PredictionsFile, split);
        Assert.Equal(outcome.Metrics.MeanIoU, again.Metrics.MeanIoU, 12);
        Assert.Equal(outcome.Metrics.BoundaryF, again.MeanBoundaryF, 12);
        Assert.Equal(outcome.Metrics.Alignment, again.Alignment.Result());
        Assert.Equal(run.ReadPerImageAlignment(), again.Alignment.Images);
    }

    [Fact]
    public void The_test_split_is_its_own_scenes_and_needs_its_size()
    {
        var options = TestConfigs.Tiny().Data.FashionScenes with { TestScenes = 4 };
        Assert.NotEqual(FashionScenes.Validation(options).Get(0).Label, FashionScenes.Test(options).Get(0).Label);
        var e = Assert.Throws<InputException>(() => new DataConfig { EvaluationSplit = "test" }.Validate());
        Assert.Equal("data.fashionScenes.testScenes", e.Where);
        Assert.Throws<InputException>(() => new DataConfig { EvaluationSplit = "holdout" }.Validate());
    }
}
