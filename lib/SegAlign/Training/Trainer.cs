using System.Diagnostics;
using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Models;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>Where a run is, for live progress displays.</summary>
public sealed record TrainProgress(string Phase, int Iteration, int Total, double Loss, double LearningRate, double ImagesPerSecond, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>How to execute a run (none of this changes its result).</summary>
public sealed record TrainOptions
{
    /// <summary>Continue from the folder's checkpoint instead of refusing a non-empty folder.</summary>
    public bool Resume { get; init; }
    /// <summary>libtorch threads (≤ 0: libtorch's default).</summary>
    public int Threads { get; init; }
    public BoundaryOptions Boundary { get; init; } = new();
    /// <summary>Stop after this iteration, leaving a checkpoint, as if interrupted (for tests and time-boxed sessions).</summary>
    public int? StopAfter { get; init; }
}

/// <summary>What a run produced.</summary>
public sealed record TrainOutcome(RunFolder Folder, RunMetrics? Metrics, bool Completed);

/// <summary>
/// The training system (kept apart from the model, Lightning-style): seeded AdamW (smoke, quick, full) or SGD (paper) with poly learning rate and
/// optional warm-up, cross-entropy (ignore 255, optional OHEM) on the main and auxiliary outputs, periodic
/// atomic checkpoints, exact resume, then evaluation and the run folder's result files.
/// </summary>
public static class Trainer
{
    public static TrainOutcome Run(RunConfig config, int seed, string outputDirectory, TrainOptions? options = null,
        IProgress<TrainProgress>? progress = null, CancellationToken cancellation = default)
    {
        var folder = new RunFolder(outputDirectory);
        bool existed = Directory.Exists(folder.Path), wasEmpty = folder.IsEmpty;
        try
        {
            return TrainInto(folder, config, seed, options ?? new TrainOptions(), progress, cancellation);
        }
        catch when (wasEmpty && !folder.HasCheckpoint)
        {
            RemoveUnresumable(folder, existed);
            throw;
        }
    }

    /// <summary>A run that failed or stopped before its first checkpoint leaves nothing (README: no folder holding only config.json).</summary>
    static void RemoveUnresumable(RunFolder folder, bool existed)
    {
        try
        {
            foreach (var file in new[] { folder.ConfigFile, folder.LogFile }) File.Delete(file);
            if (!existed && folder.IsEmpty && Directory.Exists(folder.Path)) Directory.Delete(folder.Path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static TrainOutcome TrainInto(RunFolder folder, RunConfig config, int seed, TrainOptions options,
        IProgress<TrainProgress>? progress, CancellationToken cancellation)
    {
        config.Validate();
        var device = TorchRuntime.Initialise(options.Threads);
        string hash = config.Hash();
        CheckFolder(folder, hash, seed, options.Resume);
        if (folder.IsComplete) return new TrainOutcome(folder, folder.ReadMetrics(), true);

        DatasetPreflight.Check(config.Data); // a bad validation file must not wait for the end of training
        var train = DatasetRegistry.CreateTrain(config.Data, seed);
        // A batch larger than the training set repeats scenes within one step and never completes an epoch's worth of progress.
        if (config.Train.BatchSize > train.Count)
            throw new InputException("train.batchSize", $"is {config.Train.BatchSize}, more than the {train.Count} training images", $"use at most {train.Count}, or train on more images");
        var validation = DatasetRegistry.CreateEvaluation(config.Data);
        torch.manual_seed(seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(seed);
        using var model = new Segmentor(config.Model, train.NumClasses);
        if (config.Model.BackboneWeights is { } weights && !folder.HasCheckpoint) model.Backbone.LoadWeights(PretrainStore.Default.WeightsFile(weights));
        model.to(device);

        var decoderParameters = model.Decoder.parameters().Concat(model.AuxHead?.parameters() ?? []).ToList();
        bool frozen = config.Train.FreezeBackbone == true;
        if (frozen) foreach (var p in model.Backbone.parameters()) p.requires_grad_(false);
        using var optimiser = Optimiser.Create(config.Train, frozen
            ? [new ParameterGroup("decoder", decoderParameters, config.Train.DecoderLrMultiplier)]
            : [
                new ParameterGroup("backbone", model.Backbone.parameters().ToList(), 1.0),
                new ParameterGroup("decoder", decoderParameters, config.Train.DecoderLrMultiplier),
            ]);

        using var average = config.Train.EmaDecay is double decay ? new WeightAverage(model, decay) : null;
        int start = 0;
        var log = new List<LogRow>();
        if (folder.HasCheckpoint)
        {
            start = Restore(folder, model, optimiser, average, hash, seed);
            log = folder.ReadLog().Where(r => r.Iteration <= start).ToList();
        }
        else folder.WriteConfig(config, seed, hash, TorchRuntime.Describe().ToString());

        double previousSeconds = log.Count > 0 ? log[^1].Seconds : 0;
        int end = Math.Min(config.Train.Iterations, options.StopAfter ?? int.MaxValue);
        double finalLoss = TrainIterations(config, seed, model, optimiser, average, train, device, start, end, previousSeconds, log, folder, progress, cancellation);
        // Resuming a run whose last checkpoint is its end (the crash came at the results) trains no iteration: the
        // loss is the log's last, never NaN.
        if (!double.IsFinite(finalLoss) && log.Count > 0) finalLoss = log[^1].Loss;
        double trainSeconds = log.Count > 0 ? log[^1].Seconds : previousSeconds;
        bool complete = end >= config.Train.Iterations;
        // A finished run evaluates (and its checkpoint keeps) the average, not the last iterate; a stopped one keeps the
        // iterate to resume from. Copying is idempotent, so resuming a finished run after a crash lands on the same weights.
        if (complete) average?.CopyTo(model);
        SaveCheckpoint(folder, model, optimiser, average, new CheckpointInfo(end, seed, hash));
        folder.WriteLog(log);
        if (!complete) return new TrainOutcome(folder, null, false);

        progress?.Report(new TrainProgress("evaluate", 0, validation.Count, finalLoss, 0, 0, TimeSpan.FromSeconds(trainSeconds), null));
        var evaluation = Evaluator.Evaluate(model, validation, config.Train.EvalBatchSize, options.Boundary,
            new Progress<int>(done => progress?.Report(new TrainProgress("evaluate", done, validation.Count, finalLoss, 0, 0, TimeSpan.FromSeconds(trainSeconds), null))),
            cancellation);
        var first = validation.Get(0);
        var flops = ModelStats.CountMacs(model, first.Height, first.Width, first.Channels);
        var metrics = RunMetrics.From(evaluation, config, seed, hash, config.Train.Iterations, trainSeconds, finalLoss,
            flops.GMacs, ModelStats.Parameters(model), TorchRuntime.Describe().ToString(), Provenance.Of(AppContext.BaseDirectory));
        folder.WriteResults(metrics, evaluation.Confusion, validation.ClassNames, evaluation.PerImage, evaluation.Alignment,
            config.Data.EvaluatedSplit == "test" ? evaluation.Predictions : null);
        return new TrainOutcome(folder, metrics, true);
    }

    static void CheckFolder(RunFolder folder, string hash, int seed, bool resume)
    {
        var identity = folder.ReadIdentity();
        if (identity is { } id && (id.Hash != hash || id.Seed != seed))
            throw new InputException(folder.ConfigFile, $"belongs to another run (config {id.Hash}, seed {id.Seed}; this one is config {hash}, seed {seed})",
                "choose another output folder, or delete that one");
        if (!resume && !folder.IsEmpty)
            throw new InputException(folder.Path, "already holds a run", "pass --resume to continue it, or choose another output folder");
    }

    static double TrainIterations(RunConfig config, int seed, Segmentor model, Optimiser optimiser, WeightAverage? average, ISegmentationDataset train, Device device,
        int start, int end, double previousSeconds, List<LogRow> log, RunFolder folder, IProgress<TrainProgress>? progress, CancellationToken cancellation)
    {
        var t = config.Train;
        model.train();
        if (t.FreezeBackbone == true) model.Backbone.eval(); // frozen batch-norm statistics too
        using var batches = new BatchStream(train, t.BatchSize, seed, start, end);
        var clock = Stopwatch.StartNew();
        double lossSum = 0, lastLoss = double.NaN;
        int lossCount = 0;
        for (int iteration = start; iteration < end; iteration++)
        {
            cancellation.ThrowIfCancellationRequested();
            double lr = LearningRate.At(iteration, t);
            using (var scope = NewDisposeScope())
            {
                var loss = Step(model, optimiser, batches.Next(cancellation), device, t, lr);
                average?.Update(model, iteration + 1);
                lastLoss = loss.item<float>();
            }
            if (!double.IsFinite(lastLoss))
                throw new InputException("train.learningRate", $"the loss became {lastLoss} at iteration {iteration + 1}", "lower the learning rate or add warm-up");
            lossSum += lastLoss; lossCount++;
            int done = iteration + 1;
            double seconds = previousSeconds + clock.Elapsed.TotalSeconds;
            if (done % t.LogEvery == 0 || done == end)
            {
                log.Add(new LogRow(done, lossSum / lossCount, lr, seconds));
                lossSum = 0; lossCount = 0;
            }
            if (progress is not null)
            {
                double rate = (done - start) * t.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                var remaining = TimeSpan.FromSeconds((t.Iterations - done) * t.BatchSize / Math.Max(rate, 1e-9));
                progress.Report(new TrainProgress("train", done, t.Iterations, lastLoss, lr, rate, TimeSpan.FromSeconds(seconds), remaining));
            }
            if (t.CheckpointEvery > 0 && done % t.CheckpointEvery == 0 && done < end)
            {
                SaveCheckpoint(folder, model, optimiser, average, new CheckpointInfo(done, seed, config.Hash()));
                folder.WriteLog(log);
            }
        }
        return lastLoss;
    }

    /// <summary>
    /// One optimisation step: upload the batch, forward, loss, backward, update. Training and the throughput
    /// benchmark both call it, so the benchmark times exactly the work a run does. The loss stays on the device;
    /// call inside a dispose scope. With train.precision = bf16 the forward pass and loss run under autocast, backward
    /// and the update outside it, as PyTorch does (<see cref="MixedPrecision"/>).
    /// </summary>
    internal static Tensor Step(Segmentor model, Optimiser optimiser, HostBatch batch, Device device, TrainConfig t, double lr)
    {
        var images = tensor(batch.Images, [batch.Count, batch.Channels, batch.Height, batch.Width]).to(device);
        var labels = tensor(batch.Labels, [batch.Count, batch.Height, batch.Width]).to(device);
        Tensor loss;
        using (MixedPrecision.ForwardScope(t))
            loss = Losses.Total(model.forward(images), labels, t.Ohem);
        model.zero_grad();
        loss.backward();
        optimiser.Step(lr);
        return loss;
    }

    static void SaveCheckpoint(RunFolder folder, Segmentor model, Optimiser optimiser, WeightAverage? average, CheckpointInfo info) =>
        Checkpoint.SaveTraining(folder.CheckpointFile, model, optimiser, average, info);

    static int Restore(RunFolder folder, Segmentor model, Optimiser optimiser, WeightAverage? average, string hash, int seed) =>
        Checkpoint.RestoreTraining(folder.CheckpointFile, model, optimiser, average, hash, seed, "resume with the same config, or choose another output folder");
}
