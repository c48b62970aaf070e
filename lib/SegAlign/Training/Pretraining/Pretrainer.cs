using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Models.Backbones;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>Where a pretraining is, for live progress displays.</summary>
public sealed record PretrainProgress(string Phase, int Iteration, int Total, double Loss, double ImagesPerSecond);

/// <summary>
/// Classification pretraining of a segmentation backbone on <see cref="FashionObjects"/>: the ResNet with a global-pool
/// + linear head, AdamW with warm-up and poly decay, cross-entropy; held-out top-1 every <c>evalEvery</c> iterations.
/// Deterministic (one seed for initialisation and data), resumable from its checkpoint, cached by recipe hash: a finished
/// folder is returned as it is. The classifier (fc.*) stays in backbone.dat and is skipped when a segmentor loads it.
/// </summary>
public static class Pretrainer
{
    /// <summary>
    /// The libtorch thread count a build uses: an explicit count (&gt; 0) as asked, else the recipe's pinned count
    /// (<see cref="PretrainConfig.Threads"/>), else every core.
    /// </summary>
    public static int ThreadsFor(PretrainConfig recipe, int requested) => requested > 0 ? requested : recipe.Threads;

    /// <param name="threads">libtorch threads; 0 = the recipe's pinned count (bit-for-bit the committed prior), else every core.</param>
    public static PretrainMetrics Run(PretrainConfig recipe, PretrainStore store, int threads = 0, string? dataFolder = null,
        IProgress<PretrainProgress>? progress = null, CancellationToken cancellation = default)
    {
        recipe.Validate($"pretraining recipe {recipe.Name}");
        string hash = PretrainRecipes.Hash(recipe);
        var folder = store.Folder(recipe.Name, hash);
        if (folder.IsComplete) return folder.ReadMetrics();
        using var held = FileLock.TryAcquire(folder.LockFile)
            ?? throw new InputException(folder.Path, "is being pretrained by another process", "wait for it to finish (its lock is " + folder.LockFile + ")");
        if (folder.IsComplete) return folder.ReadMetrics();

        var device = TorchRuntime.Initialise(ThreadsFor(recipe, threads));
        var train = FashionObjects.Train(recipe, dataFolder);
        var heldOut = FashionObjects.HeldOut(recipe, dataFolder);
        torch.manual_seed(recipe.Seed);
        using var model = BackboneRegistry.CreateClassifier(recipe.Backbone, recipe.BackboneOptions, recipe.ClassList.Length);
        model.to(device);
        var schedule = recipe.Schedule;
        using var optimiser = Optimiser.Create(schedule, [new ParameterGroup("backbone", model.parameters().ToList(), 1.0)]);

        int start = 0;
        var trainLog = new List<LogRow>();
        var evalLog = new List<(int Iteration, double Top1)>();
        if (File.Exists(folder.CheckpointFile))
        {
            start = Restore(folder, model, optimiser, hash, recipe.Seed);
            trainLog = ReadTrainLog(folder).Where(r => r.Iteration <= start).ToList();
            evalLog = ReadEvalLog(folder).Where(r => r.Iteration <= start).ToList();
        }
        else
        {
            Directory.CreateDirectory(folder.Path);
            var resolved = JsonSerializer.SerializeToNode(recipe, Json.Options)!.AsObject();
            resolved["hash"] = hash;
            AtomicFile.WriteAllText(folder.RecipeFile, resolved.ToJsonString(Json.Options));
        }

        double previousSeconds = trainLog.Count > 0 ? trainLog[^1].Seconds : 0, lastLoss = double.NaN, lossSum = 0;
        int lossCount = 0;
        var clock = Stopwatch.StartNew();
        model.train();
        // The next batch is built on the thread pool while this one trains.
        var next = Task.Run(() => train.Batch((long)start * recipe.BatchSize, recipe.BatchSize), cancellation);
        for (int iteration = start; iteration < recipe.Iterations; iteration++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (images, labels) = next.GetAwaiter().GetResult();
            if (iteration + 1 < recipe.Iterations)
            {
                long nextStart = (long)(iteration + 1) * recipe.BatchSize;
                next = Task.Run(() => train.Batch(nextStart, recipe.BatchSize), cancellation);
            }
            double lr = LearningRate.At(iteration, schedule);
            using (NewDisposeScope())
            {
                var x = tensor(images, [recipe.BatchSize, 3, recipe.ImageSize, recipe.ImageSize]).to(device);
                var y = tensor(labels).to(device);
                var loss = nn.functional.cross_entropy(model.Classify(x), y);
                model.zero_grad();
                loss.backward();
                optimiser.Step(lr);
                lastLoss = loss.item<float>();
            }
            if (!double.IsFinite(lastLoss))
                throw new InputException($"pretraining recipe {recipe.Name}: learningRate", $"the loss became {lastLoss} at iteration {iteration + 1}", "lower the learning rate or add warm-up");
            lossSum += lastLoss; lossCount++;
            int done = iteration + 1;
            double seconds = previousSeconds + clock.Elapsed.TotalSeconds;
            if (done % 10 == 0 || done == recipe.Iterations)
            {
                trainLog.Add(new LogRow(done, lossSum / lossCount, lr, seconds));
                lossSum = 0; lossCount = 0;
            }
            progress?.Report(new PretrainProgress("train", done, recipe.Iterations, lastLoss, (done - start) * recipe.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            if (done % recipe.EvalEvery == 0 && done < recipe.Iterations)
                evalLog.Add((done, Evaluate(model, heldOut, recipe, device, progress).Top1));
            if (recipe.CheckpointEvery > 0 && done % recipe.CheckpointEvery == 0 && done < recipe.Iterations)
            {
                SaveCheckpoint(folder, model, optimiser, new CheckpointInfo(done, recipe.Seed, hash));
                WriteLogs(folder, trainLog, evalLog);
            }
        }
        double trainSeconds = trainLog.Count > 0 ? trainLog[^1].Seconds : previousSeconds;
        var (top1, perClass) = Evaluate(model, heldOut, recipe, device, progress);
        evalLog.Add((recipe.Iterations, top1));
        WriteLogs(folder, trainLog, evalLog);
        AtomicFile.Write(folder.WeightsFile, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            model.save(writer);
        });
        var provenance = Provenance.Of(AppContext.BaseDirectory);
        var metrics = new PretrainMetrics
        {
            Name = recipe.Name, Hash = hash, Iterations = recipe.Iterations, Top1 = top1, EvalImages = recipe.EvalImages,
            PerClassTop1 = recipe.ClassList.Select((c, i) => (FashionMnist.ClassNames[c], perClass[i])).ToDictionary(p => p.Item1, p => p.Item2),
            TrainSeconds = trainSeconds, FinalLoss = trainLog.Count > 0 ? trainLog[^1].Loss : lastLoss,
            Runtime = TorchRuntime.Describe().ToString(), Commit = provenance.Commit, Dirty = provenance.Dirty,
        };
        AtomicFile.WriteAllText(folder.MetricsFile, JsonSerializer.Serialize(metrics, Json.Options));
        File.Delete(folder.CheckpointFile); // the weights are the result; the optimiser state is no longer needed
        return metrics;
    }

    /// <summary>Top-1 accuracy (%) on the first evalImages held-out samples, overall and per class (NaN for a class never drawn).</summary>
    static (double Top1, double[] PerClass) Evaluate(ResNet model, FashionObjects heldOut, PretrainConfig recipe, Device device, IProgress<PretrainProgress>? progress)
    {
        int classes = recipe.ClassList.Length;
        var correct = new long[classes];
        var seen = new long[classes];
        model.eval();
        using (no_grad())
        {
            const int batch = 200;
            for (int start = 0; start < recipe.EvalImages; start += batch)
            {
                int count = Math.Min(batch, recipe.EvalImages - start);
                var (images, labels) = heldOut.Batch(start, count);
                using var scope = NewDisposeScope();
                var predicted = model.Classify(tensor(images, [count, 3, recipe.ImageSize, recipe.ImageSize]).to(device)).argmax(1).cpu().data<long>().ToArray();
                for (int i = 0; i < count; i++)
                {
                    seen[labels[i]]++;
                    if (predicted[i] == labels[i]) correct[labels[i]]++;
                }
                progress?.Report(new PretrainProgress("evaluate", start + count, recipe.EvalImages, double.NaN, 0));
            }
        }
        model.train();
        double top1 = 100.0 * correct.Sum() / Math.Max(1, seen.Sum());
        return (top1, [.. Enumerable.Range(0, classes).Select(c => seen[c] == 0 ? double.NaN : 100.0 * correct[c] / seen[c])]);
    }

    static void SaveCheckpoint(PretrainFolder folder, ResNet model, Optimiser optimiser, CheckpointInfo info) =>
        Checkpoint.SaveTraining(folder.CheckpointFile, model, optimiser, null, info);

    static int Restore(PretrainFolder folder, ResNet model, Optimiser optimiser, string hash, int seed) =>
        Checkpoint.RestoreTraining(folder.CheckpointFile, model, optimiser, null, hash, seed, "delete the folder and pretrain again");

    static void WriteLogs(PretrainFolder folder, List<LogRow> trainLog, List<(int Iteration, double Top1)> evalLog)
    {
        RunFolder.WriteLog(folder.TrainLogFile, trainLog);
        var eval = new StringBuilder("iteration,top1\n");
        foreach (var (iteration, top1) in evalLog) eval.Append(CultureInfo.InvariantCulture, $"{iteration},{top1:R}\n");
        AtomicFile.WriteAllText(folder.EvalLogFile, eval.ToString());
    }

    public static List<LogRow> ReadTrainLog(PretrainFolder folder) => RunFolder.ReadLog(folder.TrainLogFile);

    public static List<(int Iteration, double Top1)> ReadEvalLog(PretrainFolder folder) =>
        !File.Exists(folder.EvalLogFile) ? [] : [.. File.ReadLines(folder.EvalLogFile).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',');
            return (int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture));
        })];
}
