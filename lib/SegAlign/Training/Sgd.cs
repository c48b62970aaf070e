using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>A group of parameters sharing a learning-rate multiplier (e.g. IFA's 10× decoder).</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<TorchSharp.Modules.Parameter> Parameters, double LrMultiplier);

/// <summary>
/// SGD with momentum and weight decay, with PyTorch's semantics (d = g + wd·p; b = μ·b + d, b₀ = d; p −= lr·b).
/// Written here rather than using TorchSharp's optimiser so its state (the momentum buffers) is plain,
/// named tensors that a checkpoint saves and restores exactly.
/// </summary>
public sealed class Sgd : IDisposable
{
    readonly IReadOnlyList<ParameterGroup> groups;
    readonly double momentum, weightDecay;
    readonly Dictionary<string, Tensor> buffers = new();

    public Sgd(IReadOnlyList<ParameterGroup> groups, double momentum, double weightDecay)
    {
        this.groups = groups; this.momentum = momentum; this.weightDecay = weightDecay;
    }

    public IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>Momentum buffers by "group/index", for checkpoints.</summary>
    public IReadOnlyDictionary<string, Tensor> State => buffers;

    public void ZeroGrad()
    {
        foreach (var g in groups)
            foreach (var p in g.Parameters)
                p.grad?.zero_();
    }

    public void Step(double learningRate)
    {
        using var _ = no_grad();
        foreach (var group in groups)
        {
            double lr = learningRate * group.LrMultiplier;
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                var p = group.Parameters[i];
                var grad = p.grad;
                if (grad is null) continue;
                string key = $"{group.Name}/{i}";
                if (!buffers.TryGetValue(key, out var buffer))
                {
                    buffer = grad.detach().clone();
                    if (weightDecay != 0) buffer.add_(p, alpha: weightDecay);
                    buffer.DetachFromDisposeScope();
                    buffers[key] = buffer;
                }
                else
                {
                    buffer.mul_(momentum).add_(grad);
                    if (weightDecay != 0) buffer.add_(p, alpha: weightDecay);
                }
                p.add_(buffer, alpha: -lr);
            }
        }
    }

    /// <summary>Restores momentum buffers saved from <see cref="State"/>.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (key, value) in state)
        {
            if (buffers.Remove(key, out var old)) old.Dispose();
            var copy = value.detach().clone();
            copy.DetachFromDisposeScope();
            buffers[key] = copy;
        }
    }

    public void Dispose()
    {
        foreach (var b in buffers.Values) b.Dispose();
        buffers.Clear();
    }
}

/// <summary>Poly decay (power p) with optional linear warm-up from a fraction of the base rate (mmseg's convention).</summary>
public static class LearningRate
{
    public static double At(int iteration, TrainConfig config)
    {
        double lr = config.LearningRate * Math.Pow(1.0 - (double)iteration / config.Iterations, config.PolyPower);
        if (iteration < config.WarmupIterations)
            lr *= 1 - (1 - config.WarmupRatio) * (1 - (double)iteration / config.WarmupIterations);
        return lr;
    }
}
