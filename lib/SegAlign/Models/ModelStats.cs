using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models;

/// <summary>Static facts about a model: parameters per component and MACs of one forward pass.</summary>
public static class ModelStats
{
    /// <summary>Learnable parameters of the backbone, decoder and auxiliary head, and their total.</summary>
    public static IReadOnlyDictionary<string, long> Parameters(Segmentor model)
    {
        long Count(nn.Module? m) => m is null ? 0 : m.parameters().Sum(p => p.numel());
        long backbone = Count(model.Backbone), decoder = Count(model.Decoder), auxiliary = Count(model.AuxHead);
        return new Dictionary<string, long>
        {
            ["backbone"] = backbone, ["decoder"] = decoder, ["auxiliary"] = auxiliary, ["total"] = backbone + decoder + auxiliary,
        };
    }

    /// <summary>
    /// Counts one inference forward pass (eval mode, batch 1) at the given size; throws if any op escaped the
    /// counter, so a reported number is always complete.
    /// </summary>
    public static FlopReport CountMacs(Segmentor model, int height, int width, int channels = 3)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var input = zeros(1, channels, height, width, device: model.Device());
            using var counter = FlopCounter.Start();
            model.forward(input);
            var uncounted = counter.Uncounted;
            if (uncounted.Count > 0)
                throw new InvalidOperationException($"{uncounted.Count} tensor(s) were produced outside Ops while counting {model.Config.Decoder}: {string.Join("; ", uncounted.Take(5))}");
            return new FlopReport(counter.TotalMacs, counter.MacsBySection.ToDictionary(), counter.MacsByOp.ToDictionary(), height, width);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}

/// <summary>MACs of one forward pass, in total, per model section and per op kind.</summary>
public sealed record FlopReport(long TotalMacs, IReadOnlyDictionary<string, long> BySection, IReadOnlyDictionary<string, long> ByOp, int Height, int Width)
{
    public double GMacs => TotalMacs / 1e9;
}
