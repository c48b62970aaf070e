using SegAlign.Config;
using SegAlign.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Training;

public class OptimisationTests
{
    static TrainConfig Schedule(int warmup = 0) => new() { Iterations = 100, LearningRate = 0.1, PolyPower = 0.9, WarmupIterations = warmup, WarmupRatio = 0.1 };

    [Fact]
    public void Poly_decay_follows_base_times_one_minus_progress_to_the_power()
    {
        Assert.Equal(0.1, LearningRate.At(0, Schedule()), 12);
        Assert.Equal(0.1 * Math.Pow(0.5, 0.9), LearningRate.At(50, Schedule()), 12);
        Assert.Equal(0.1 * Math.Pow(0.01, 0.9), LearningRate.At(99, Schedule()), 12);
    }

    [Fact]
    public void Warm_up_rises_linearly_from_the_ratio_then_hands_over_to_poly()
    {
        // mmseg's linear warm-up: factor 1 − (1 − ratio)(1 − t/warmup) on top of the poly rate.
        Assert.Equal(0.1 * 0.1, LearningRate.At(0, Schedule(warmup: 10)), 12);
        Assert.Equal(0.1 * Math.Pow(0.95, 0.9) * (1 - 0.9 * 0.5), LearningRate.At(5, Schedule(warmup: 10)), 12);
        Assert.Equal(LearningRate.At(10, Schedule()), LearningRate.At(10, Schedule(warmup: 10)), 12);
    }

    [Fact]
    public void Sgd_matches_pytorchs_update_rule()
    {
        using var scope = NewDisposeScope();
        var p = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f, -2.0f }));
        using var sgd = new Sgd([new ParameterGroup("g", [p], 2.0)], momentum: 0.9, weightDecay: 0.1);
        // Step 1: d = g + wd·p, b = d, p −= lr·mult·b. Step 2: b = 0.9·b + d.
        float[] grads1 = [0.5f, 0.25f], grads2 = [-1f, 1f];
        double lr = 0.01, b0 = 0.5 + 0.1 * 1.0, b1 = 0.25 + 0.1 * -2.0;
        double p0 = 1.0 - lr * 2 * b0, p1 = -2.0 - lr * 2 * b1;
        p.grad = tensor(grads1);
        sgd.Step(lr);
        Assert.Equal(p0, p[0].item<float>(), 5);
        Assert.Equal(p1, p[1].item<float>(), 5);
        b0 = 0.9 * b0 + (-1 + 0.1 * p0); b1 = 0.9 * b1 + (1 + 0.1 * p1);
        p.grad = tensor(grads2);
        sgd.Step(lr);
        Assert.Equal(p0 - lr * 2 * b0, p[0].item<float>(), 5);
        Assert.Equal(p1 - lr * 2 * b1, p[1].item<float>(), 5);
    }

    [Fact]
    public void AdamW_matches_the_decoupled_update_rule_on_its_first_step()
    {
        using var scope = NewDisposeScope();
        var p = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f }));
        using var adam = new AdamW([new ParameterGroup("g", [p], 1.0)], weightDecay: 0.01);
        p.grad = tensor(new[] { 0.3f });
        adam.Step(0.1);
        // Step 1: p ← p(1 − lr·wd); m̂ = g, v̂ = g²; p ← p − lr·g/(|g| + ε) = p − lr·sign(g).
        Assert.Equal(1.0 * (1 - 0.1 * 0.01) - 0.1, p.item<float>(), 5);
        Assert.True(adam.State.ContainsKey("step") && adam.State.ContainsKey("g/0/m") && adam.State.ContainsKey("g/0/v"));
    }

    [Fact]
    public void Ohem_keeps_only_the_hard_pixels_when_enough_are_valid()
    {
        using var scope = NewDisposeScope();
        // Four pixels, two classes: pixels 0 and 1 are confidently right, 2 and 3 confidently wrong.
        var logits = tensor(new[] { 5f, 5f, -5f, -5f, -5f, -5f, 5f, 5f }).reshape(1, 2, 1, 4);
        var labels = tensor(new long[] { 0, 0, 0, 0 }).reshape(1, 1, 4);
        var plain = Losses.CrossEntropy(logits, labels).item<float>();
        var hard = Losses.CrossEntropy(logits, labels, new OhemConfig { Threshold = 0.7, MinKept = 2 }).item<float>();
        // Plain CE averages two near-zero and two ≈ 10 losses; OHEM keeps only the two wrong pixels.
        Assert.Equal(plain * 2, hard, 3);
        // Fewer valid pixels than MinKept: no mining.
        Assert.Equal(plain, Losses.CrossEntropy(logits, labels, new OhemConfig { MinKept = 100 }).item<float>(), 5);
    }

    [Fact]
    public void Resuming_a_run_with_weight_averaging_is_exact_too()
    {
        var config = TestConfigs.Tiny(iterations: 8) with { Train = TestConfigs.Tiny().Train with { Iterations = 8, EmaDecay = 0.9 } };
        var uninterrupted = Trainer.Run(config, 4, TestConfigs.NewRunFolder());
        string folder = TestConfigs.NewRunFolder();
        Trainer.Run(config, 4, folder, new TrainOptions { StopAfter = 5 });
        var resumed = Trainer.Run(config, 4, folder, new TrainOptions { Resume = true });
        Assert.Equal(uninterrupted.Metrics!.MeanIoU, resumed.Metrics!.MeanIoU);
        Assert.Equal(uninterrupted.Metrics.FinalLoss, resumed.Metrics.FinalLoss);
    }

    [Fact]
    public void A_finished_run_with_weight_averaging_leaves_the_evaluated_weights_in_its_checkpoint()
    {
        // `eval`, the notebooks and the reports load the final checkpoint: it must hold the average the run was scored
        // with, not the last iterate, and a run that died before its results must resume to the same score.
        var config = TestConfigs.Tiny(iterations: 6) with { Train = TestConfigs.Tiny().Train with { Iterations = 6, EmaDecay = 0.9 } };
        string path = TestConfigs.NewRunFolder();
        var finished = Trainer.Run(config, 1, path).Metrics!;
        var folder = new RunFolder(path);
        var validation = SegAlign.Data.DatasetRegistry.CreateValidation(config.Data);
        using (var model = TrainedModel.Load(folder, validation.NumClasses))
            Assert.Equal(finished.MeanIoU, SegAlign.Evaluation.Evaluator.Evaluate(model, validation, config.Train.EvalBatchSize).Metrics.MeanIoU);

        File.Delete(folder.MetricsFile); // as if the process had died between the checkpoint and the results
        var resumed = Trainer.Run(config, 1, path, new TrainOptions { Resume = true }).Metrics!;
        Assert.Equal(finished.MeanIoU, resumed.MeanIoU);
        Assert.Equal(finished.PixelAccuracy, resumed.PixelAccuracy);
    }
}
