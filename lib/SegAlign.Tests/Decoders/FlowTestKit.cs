using SegAlign.Models.Decoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Decoders;

/// <summary>Small helpers shared by the SFNet and AlignSeg decoder tests.</summary>
internal static class FlowTestKit
{
    /// <summary>C2..C5 channels and sizes of a width-0.25 ResNet-18 at a 65×47 input (odd sizes on purpose).</summary>
    public static readonly long[] Channels = [8, 16, 32, 64];
    public static readonly (long H, long W)[] Sizes = [(17, 12), (9, 6), (5, 3), (3, 2)];

    public static DecoderContext Context(int channels = 16, int classes = 3) =>
        new(Channels, [4, 8, 16, 32], classes, channels, 8);

    /// <summary>Test data comes from its own generator: xunit runs test classes in parallel and torch's global
    /// generator is shared, so global draws (module init, dropout) are not reproducible across a run.</summary>
    public static Tensor Randn(Generator generator, params long[] shape) => randn(shape, generator: generator);

    public static DecoderInput Input(long batch = 1, ulong seed = 0)
    {
        var generator = new Generator(seed);
        var features = Enumerable.Range(0, 4).Select(i => Randn(generator, batch, Channels[i], Sizes[i].H, Sizes[i].W)).ToArray();
        return new DecoderInput(features, Randn(generator, batch, 8, 33, 24), 65, 47);
    }

    public static Dictionary<string, TorchSharp.Modules.Parameter> Parameters(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => p.parameter);

    /// <summary>Overwrites a parameter in place (outside autograd).</summary>
    public static void Set(nn.Module module, string name, Func<Tensor, Tensor> value)
    {
        var parameter = Parameters(module)[name];
        using var _ = no_grad();
        parameter.copy_(value(parameter));
    }

    public static Tensor Zero(Tensor like) => zeros_like(like);

    public static Tensor One(Tensor like) => ones_like(like);

    public static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>[1, C, H, W] with every channel holding the column index scaled by <paramref name="step"/>.</summary>
    public static Tensor RampX(long channels, long height, long width, double step = 1) =>
        (arange(width, dtype: float32) * step).reshape(1, 1, 1, width).expand(1, channels, height, width).contiguous();

    public static Tensor RampY(long channels, long height, long width, double step = 1) =>
        (arange(height, dtype: float32) * step).reshape(1, 1, height, 1).expand(1, channels, height, width).contiguous();
}
