using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>The one loader of trained models: a run folder's checkpoint weights in the model its config describes.</summary>
public static class TrainedModel
{
    /// <summary>The model a run folder describes (its config.json), with the weights of its checkpoint.</summary>
    public static Segmentor Load(RunFolder folder, int numClasses)
    {
        var config = folder.ReadConfig();
        if (!folder.HasCheckpoint)
        {
            int seed = folder.ReadIdentity()?.Seed ?? 0;
            // `train` reads a run's own config.json, and the same config, seed and thread count retrain the same weights
            // (libtorch's reductions depend on the threads: another count gives other numbers).
            string threads = folder.ReadThreads() is int n ? $" --threads {n}" : "";
            throw new InputException(folder.CheckpointFile, "does not exist (checkpoints are not committed to git)",
                $"retrain the run with `segalign train --config {folder.ConfigFile} --seed {seed}{threads} --out {folder.Path}-retrained` and evaluate that folder, " +
                "or use the notebooks' Study.Model, which retrains it deterministically");
        }
        string hash = config.Hash();
        string checkpoint = folder.CheckpointFile;
        return Load(checkpoint, config, numClasses, "retrain the run", info =>
            info.ConfigHash != hash ? new InputException(checkpoint, $"was written by config {info.ConfigHash}, but config.json hashes to {hash}", "retrain the run") : null);
    }

    /// <summary>
    /// The model of a known run (<paramref name="config"/>, <paramref name="hash"/>, <paramref name="seed"/>) from the
    /// checkpoint in <paramref name="folder"/>, which must belong to that run and be the finished one.
    /// </summary>
    public static Segmentor Load(RunFolder folder, RunConfig config, string hash, int seed, string name, int numClasses)
    {
        string checkpoint = folder.CheckpointFile;
        return Load(checkpoint, config, numClasses, "delete it; it will be retrained with the current code", info =>
            info.ConfigHash != hash || info.Seed != seed
                ? new InputException(checkpoint, $"was written by config {info.ConfigHash} seed {info.Seed}, not {hash} seed {seed} ({name})", "delete it; it will be retrained")
            : info.Iteration != config.Train.Iterations
                ? new InputException(checkpoint, $"is from iteration {info.Iteration} of {config.Train.Iterations}", "finish the run first (segalign ablation run resumes it)")
            : null);
    }

    /// <summary>Builds the model on the current device and copies the checkpoint's weights in, unless <paramref name="mismatch"/> objects.</summary>
    static Segmentor Load(string checkpoint, RunConfig config, int numClasses, string weightsFix, Func<CheckpointInfo, InputException?> mismatch)
    {
        var (info, tensors) = Checkpoint.Load(checkpoint);
        try
        {
            if (mismatch(info) is { } problem) throw problem;
            var model = new Segmentor(config.Model, numClasses);
            try
            {
                model.to(TorchRuntime.Device);
                Checkpoint.LoadModelWeights(model, tensors, checkpoint, weightsFix);
                model.eval();
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
