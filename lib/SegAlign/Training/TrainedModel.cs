using SegAlign.Models;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>Loads the model a run folder describes, with the weights of its checkpoint.</summary>
public static class TrainedModel
{
    public static Segmentor Load(RunFolder folder, int numClasses)
    {
        var config = folder.ReadConfig();
        if (!folder.HasCheckpoint)
        {
            int seed = folder.ReadIdentity()?.Seed ?? 0;
            // `train` reads a run's own config.json, and the same config and seed retrain the same weights.
            throw new InputException(folder.CheckpointFile, "does not exist (checkpoints are not committed to git)",
                $"retrain the run with `segalign train --config {folder.ConfigFile} --seed {seed} --out {folder.Path}-retrained` and evaluate that folder, " +
                "or use the notebooks' Study.Model, which retrains it deterministically");
        }
        var (info, tensors) = Checkpoint.Load(folder.CheckpointFile);
        var model = new Segmentor(config.Model, numClasses);
        try
        {
            if (info.ConfigHash != config.Hash())
                throw new InputException(folder.CheckpointFile, $"was written by config {info.ConfigHash}, but config.json hashes to {config.Hash()}", "retrain the run");
            model.to(TorchRuntime.Device);
            Checkpoint.LoadModelWeights(model, tensors, folder.CheckpointFile, "retrain the run");
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
