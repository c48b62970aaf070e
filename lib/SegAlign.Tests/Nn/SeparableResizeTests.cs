using SegAlign.Nn;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Tests.Nn;

/// <summary>
/// <see cref="Ops.Resize"/> computes large bilinear resizes as two matrix products (<see cref="SeparableResize"/>), for
/// speed; it must stay libtorch's interpolation — output and input gradient equal to 1e-5 — in both corner modes,
/// up and down, square or not, including one-pixel inputs (PPM's bin 1).
/// </summary>
public class SeparableResizeTests
{
    [Theory]
    [InlineData(16, 16, 64, 64, false)]   // logits to the image
    [InlineData(16, 16, 64, 64, true)]    // SFNet's official align_corners=True logits
    [InlineData(8, 8, 16, 16, false)]
    [InlineData(2, 2, 16, 16, true)]
    [InlineData(1, 1, 16, 16, false)]     // PPM bin 1
    [InlineData(3, 5, 17, 23, false)]     // odd, non-square
    [InlineData(40, 40, 16, 16, false)]   // down-sampling
    [InlineData(40, 33, 19, 16, true)]
    public void Matches_libtorch_bilinear_interpolation_in_value_and_gradient(long h, long w, long outH, long outW, bool alignCorners)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var x = randn([2, 3, h, w], generator: generator);
        var upstream = randn([2, 3, outH, outW], generator: generator);
        Assert.True(SeparableResize.Worthwhile(x, outH, outW));

        (Tensor Output, Tensor Grad) Run(Func<Tensor, Tensor> resize)
        {
            var xi = x.clone().requires_grad_(true);
            var y = resize(xi);
            (y * upstream).sum().backward();
            return (y.detach(), xi.grad!);
        }

        var reference = Run(xi => F.interpolate(xi, [outH, outW], mode: InterpolationMode.Bilinear, align_corners: alignCorners));
        var ours = Run(xi => Ops.Resize(xi, outH, outW, alignCorners));
        Assert.Equal(reference.Output.shape, ours.Output.shape);
        Assert.True(ours.Output.allclose(reference.Output, rtol: 1e-5, atol: 1e-5), $"output differs by {(ours.Output - reference.Output).abs().max().item<float>()}");
        Assert.True(ours.Grad.allclose(reference.Grad, rtol: 1e-5, atol: 1e-5), $"input gradient differs by {(ours.Grad - reference.Grad).abs().max().item<float>()}");
    }

    [Fact]
    public void Small_outputs_keep_libtorchs_kernel_and_nearest_is_untouched()
    {
        using var scope = NewDisposeScope();
        var x = randn([1, 2, 4, 4]);
        Assert.False(SeparableResize.Worthwhile(x, 8, 8));
        Assert.True(Ops.Resize(x, 8, 8, alignCorners: false).allclose(F.interpolate(x, [8, 8], mode: InterpolationMode.Bilinear, align_corners: false)));
        var nearest = Ops.Resize(x, 16, 16, alignCorners: false, nearest: true);
        Assert.Equal(0f, (nearest - F.interpolate(x, [16, 16], mode: InterpolationMode.Nearest)).abs().max().item<float>());
    }

    [Fact]
    public void Its_matrices_outlive_the_dispose_scope_that_first_needed_them()
    {
        var x = randn([1, 1, 5, 5]);
        using (NewDisposeScope()) Ops.Resize(x, 21, 21, alignCorners: false);
        using var scope = NewDisposeScope();
        var again = Ops.Resize(x, 21, 21, alignCorners: false);
        Assert.True(again.allclose(F.interpolate(x, [21, 21], mode: InterpolationMode.Bilinear, align_corners: false), rtol: 1e-5, atol: 1e-5));
    }
}
