using SegAlign.Config;
using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>A group of parameters sharing a learning-rate multiplier (e.g. IFA's 10× decoder).</summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<TorchSharp.Modules.Parameter> Parameters, double LrMultiplier);

/// <summary>A first-order optimiser whose whole state is named tensors (so checkpoints restore it exactly).</summary>
public abstract class Optimiser : IDisposable
{
    protected readonly IReadOnlyList<ParameterGroup> groups;
    protected readonly Dictionary<string, Tensor> buffers = new();

    protected Optimiser(IReadOnlyList<ParameterGroup> groups) => this.groups = groups;

    public IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>State tensors by name, for checkpoints.</summary>
    public IReadOnlyDictionary<string, Tensor> State => buffers;

    public abstract void Step(double learningRate);

    /// <summary>Restores state saved from <see cref="State"/>.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (key, value) in state)
        {
            if (buffers.Remove(key, out var old)) old.Dispose();
            buffers[key] = Keep(value.detach().clone());
        }
    }

    protected static Tensor Keep(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }

    public static Optimiser Create(TrainConfig config, IReadOnlyList<ParameterGroup> groups) => config.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(groups, config.Momentum, config.WeightDecay),
        OptimizerKind.AdamW => new AdamW(groups, config.WeightDecay),
        _ => throw new InputException("train.optimizer", $"unknown optimiser '{config.Optimizer}'", "use sgd or adamW"),
    };

    public void Dispose()
    {
        foreach (var b in buffers.Values) b.Dispose();
        buffers.Clear();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// SGD with momentum and weight decay, PyTorch's semantics (d = g + wd·p; b = μ·b + d, b₀ = d; p −= lr·b):
/// the papers' optimiser.
/// </summary>
public sealed class Sgd(IReadOnlyList<ParameterGroup> groups, double momentum, double weightDecay) : Optimiser(groups)
{
    public override void Step(double learningRate)
    {
        using var _ = no_grad();
        using var mu = Scalars.Of(momentum);
        using var decay = Scalars.Of(weightDecay);
        foreach (var group in groups)
        {
            using var step = Scalars.Of(-learningRate * group.LrMultiplier);
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                var p = group.Parameters[i];
                var grad = p.grad;
                if (grad is null) continue;
                string key = $"{group.Name}/{i}";
                if (!buffers.TryGetValue(key, out var buffer))
                {
                    buffer = Keep(grad.detach().clone());
                    if (weightDecay != 0) buffer.add_(p, decay);
                    buffers[key] = buffer;
                }
                else
                {
                    buffer.mul_(mu).add_(grad, Scalars.One);
                    if (weightDecay != 0) buffer.add_(p, decay);
                }
                p.add_(buffer, step);
            }
        }
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter; PyTorch's semantics, β = (0.9, 0.999), ε = 1e-8, decoupled weight decay).</summary>
public sealed class AdamW(IReadOnlyList<ParameterGroup> groups, double weightDecay) : Optimiser(groups)
{
    const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    public override void Step(double learningRate)
    {
        using var _ = no_grad();
        if (!buffers.TryGetValue("step", out var stepTensor)) buffers["step"] = stepTensor = Keep(zeros(1, dtype: ScalarType.Float64));
        stepTensor.add_(Scalars.One);
        double step = stepTensor.item<double>();
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
        using var beta1 = Scalars.Of(Beta1);
        using var oneMinusBeta1 = Scalars.Of(1 - Beta1);
        using var beta2 = Scalars.Of(Beta2);
        using var oneMinusBeta2 = Scalars.Of(1 - Beta2);
        using var sqrtCorrection2 = Scalars.Of(Math.Sqrt(correction2));
        using var epsilon = Scalars.Of(Epsilon);
        foreach (var group in groups)
        {
            double lr = learningRate * group.LrMultiplier;
            using var shrink = Scalars.Of(1 - lr * weightDecay);
            using var stepSize = Scalars.Of(-lr / correction1);
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                var p = group.Parameters[i];
                var grad = p.grad;
                if (grad is null) continue;
                string mKey = $"{group.Name}/{i}/m", vKey = $"{group.Name}/{i}/v";
                if (!buffers.TryGetValue(mKey, out var m)) buffers[mKey] = m = Keep(zeros_like(p));
                if (!buffers.TryGetValue(vKey, out var v)) buffers[vKey] = v = Keep(zeros_like(p));
                if (weightDecay != 0) p.mul_(shrink);
                m.mul_(beta1).add_(grad, oneMinusBeta1);
                v.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
                using var denominator = v.sqrt().div_(sqrtCorrection2).add_(epsilon);
                p.addcdiv_(m, denominator, stepSize);
            }
        }
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
