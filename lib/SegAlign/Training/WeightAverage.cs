using SegAlign.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>
/// Exponential moving average of a model's state (parameters and BN statistics), evaluated instead of the last
/// iterate when train.emaDecay is set — as timm's ModelEma and YOLO do — to take the iterate-to-iterate noise out
/// of the final score. The decay ramps up as min(decay, (1 + t)/(10 + t)) so early weights fade quickly.
/// Its state is saved in checkpoints under "ema/", so resumed runs continue it exactly.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    readonly double decay;
    readonly Dictionary<string, Tensor> average = new();

    public WeightAverage(nn.Module model, double decay)
    {
        this.decay = decay;
        using var _ = no_grad();
        foreach (var (name, value) in model.state_dict())
        {
            var copy = value.detach().clone();
            copy.DetachFromDisposeScope();
            average[name] = copy;
        }
    }

    public IReadOnlyDictionary<string, Tensor> State => average;

    /// <summary>Folds the model's current state in; <paramref name="step"/> is the number of optimiser steps taken.</summary>
    public void Update(nn.Module model, int step)
    {
        double d = Math.Min(decay, (1.0 + step) / (10.0 + step));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var keep = Scalars.Of(d);
        using var take = Scalars.Of(1 - d);
        foreach (var (name, value) in model.state_dict())
        {
            var target = average[name];
            if (target.is_floating_point()) target.mul_(keep).add_(value, take);
            else target.copy_(value);
        }
    }

    /// <summary>Restores the average from a checkpoint.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, value) in state)
            if (average.TryGetValue(name, out var target)) target.copy_(value);
    }

    /// <summary>Writes the average into the model (for evaluation and the final checkpoint's weights).</summary>
    public void CopyTo(nn.Module model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (name, value) in model.state_dict()) value.copy_(average[name]);
    }

    public void Dispose()
    {
        foreach (var t in average.Values) t.Dispose();
        average.Clear();
    }
}
