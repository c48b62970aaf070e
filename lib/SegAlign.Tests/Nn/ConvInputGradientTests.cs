using SegAlign.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Nn;

/// <summary>
/// Regression test for the libtorch 2.10 / oneDNN CPU bug worked around in <see cref="Ops.Conv2d"/>: the input
/// gradient of a k×k convolution whose output channel count is not a multiple of 16 was wrong (or NaN) on the
/// oneDNN path (batch > 1). float64 takes the native path and serves as the reference.
/// </summary>
public class ConvInputGradientTests
{
    [Theory]
    [InlineData(16, 2, 3)]     // a flow / offset head
    [InlineData(32, 4, 3)]     // AlignSeg's RRB inner width at c = 16
    [InlineData(32, 24, 3)]
    [InlineData(32, 19, 3)]    // a 3×3 classifier with Cityscapes' 19 classes
    [InlineData(32, 3, 1)]     // 1×1: never affected, not padded
    [InlineData(32, 16, 3)]    // a multiple of 16: not padded
    public void InputGradientMatchesTheFloat64Reference(int inChannels, int outChannels, int kernel)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var x = randn([2, inChannels, 17, 12], generator: generator);
        var weight = randn([outChannels, inChannels, kernel, kernel], generator: generator) * 0.1;
        var bias = randn([outChannels], generator: generator);
        var upstream = randn([2, outChannels, 17, 12], generator: generator);

        (Tensor Output, Tensor InputGrad, Tensor WeightGrad, Tensor BiasGrad) Run(ScalarType type)
        {
            var xi = x.to(type).clone().requires_grad_(true);
            var wi = weight.to(type).clone().requires_grad_(true);
            var bi = bias.to(type).clone().requires_grad_(true);
            var y = Ops.Conv2d(xi, wi, bi, padding: kernel / 2);
            (y * upstream.to(type)).sum().backward();
            return (y.detach().to(float64), xi.grad!.to(float64), wi.grad!.to(float64), bi.grad!.to(float64));
        }

        var reference = Run(float64);
        var actual = Run(float32);
        static double Relative(Tensor a, Tensor b) => ((a - b).abs().max() / b.abs().max()).item<double>();
        Assert.Equal([2L, outChannels, 17, 12], actual.Output.shape);
        Assert.True(Relative(actual.Output, reference.Output) < 1e-5);
        Assert.True(Relative(actual.InputGrad, reference.InputGrad) < 1e-5, $"input gradient off by {Relative(actual.InputGrad, reference.InputGrad):G3}");
        Assert.True(Relative(actual.WeightGrad, reference.WeightGrad) < 1e-5);
        Assert.True(Relative(actual.BiasGrad, reference.BiasGrad) < 1e-5);
    }

    [Fact]
    public void PaddedConvolutionIsCountedAsTheRealOneAndFullyCovered()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 16, 5, 4);
        var weight = randn(2, 16, 3, 3);
        using var counter = FlopCounter.Start();
        var y = Ops.Conv2d(x, weight, null, padding: 1);
        Assert.Equal([2L, 2, 5, 4], y.shape);
        Assert.Equal(2L * 2 * 5 * 4 * 16 * 9, counter.TotalMacs);
        Assert.Empty(counter.Uncounted);
    }
}
