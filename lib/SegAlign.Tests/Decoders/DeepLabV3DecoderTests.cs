using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Tests.Decoders;

public class DeepLabV3DecoderTests
{
    static DecoderContext ContextWithStrides(int[] strides) => new([8, 16, 32, 64], strides, NumClasses: 3, Channels: 16, StemChannels: 8);

    static int[] Dilations(DeepLabV3Decoder decoder) =>
        [.. decoder.modules().OfType<ConvLayer>().Where(c => c.Kernel == 3 && c.Dilation > 1).Select(c => (int)c.Dilation)];

    [Theory]
    [InlineData(8, new[] { 12, 24, 36 })]
    [InlineData(16, new[] { 6, 12, 18 })]
    [InlineData(32, new[] { 3, 6, 9 })]
    public void Rates_follow_the_output_stride(int outputStride, int[] rates)
    {
        using var scope = NewDisposeScope();
        var decoder = new DeepLabV3Decoder(ContextWithStrides([4, 8, Math.Min(16, outputStride), outputStride]), new DeepLabV3Options());
        Assert.Equal(rates, decoder.AtrousRates);
        Assert.Equal(rates, Dilations(decoder));
    }

    [Fact]
    public void Rates_can_be_overridden_and_are_validated()
    {
        using var scope = NewDisposeScope();
        var entry = DecoderRegistry.Get("deeplabv3");
        var decoder = (DeepLabV3Decoder)entry.Create(ContextWithStrides([4, 8, 8, 8]), new JsonObject { ["atrousRates"] = new JsonArray(2, 4) });
        Assert.Equal([2, 4], Dilations(decoder));
        Assert.Throws<InputException>(() => entry.ResolveOptions(new JsonObject { ["atrousRates"] = new JsonArray(0, 4) }));
        Assert.Throws<InputException>(() => entry.ResolveOptions(new JsonObject { ["dropout"] = 1.0 }));
    }

    [Theory]
    [InlineData(8, 64, 48)]
    [InlineData(16, 64, 48)]
    [InlineData(8, 65, 47)]
    [InlineData(16, 65, 47)]
    public void Logits_are_at_C5_stride_before_the_segmentor_resize(int outputStride, int height, int width)
    {
        torch.manual_seed(0);
        using var scope = NewDisposeScope();
        var model = new Segmentor(new ModelConfig
        {
            Backbone = "resnet18", Width = 0.25, DecoderChannels = 16, Decoder = "deeplabv3", OutputStride = outputStride,
        }, numClasses: 4);
        model.eval();
        var image = randn(2, 3, height, width);
        using var _ = no_grad();
        var levels = model.Backbone.forward(image);
        var c5 = levels[4];
        Assert.Equal(outputStride, model.Backbone.Strides[3]);
        Assert.Equal((height + outputStride - 1) / outputStride, c5.shape[2]);
        Assert.Equal((width + outputStride - 1) / outputStride, c5.shape[3]);

        var logits = model.Decoder.forward(new DecoderInput(levels[1..], levels[0], height, width)).Logits;
        Assert.Equal([2L, 4, c5.shape[2], c5.shape[3]], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());

        // The segmentor only resizes those logits to the image (bilinear, align_corners=false).
        var output = model.forward(image).Logits;
        var expected = nn.functional.interpolate(logits, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        Assert.True(output.sub(expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Training_with_batch_one_keeps_running_statistics_finite()
    {
        torch.manual_seed(1);
        using var scope = NewDisposeScope();
        var decoder = new DeepLabV3Decoder(ContextWithStrides([4, 8, 8, 8]), new DeepLabV3Options());
        decoder.train();
        var c5 = randn(1, 64, 5, 4, requires_grad: true);
        var input = new DecoderInput([randn(1, 8, 10, 8), randn(1, 16, 5, 4), randn(1, 32, 5, 4), c5], randn(1, 8, 20, 16), 40, 32);
        decoder.forward(input).Logits.square().mean().backward();
        Assert.All(decoder.named_buffers(), b => Assert.True(b.buffer.isfinite().all().item<bool>(), b.name));
        Assert.All(decoder.named_parameters(), p => Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void Macs_match_a_hand_count()
    {
        torch.manual_seed(2);
        using var scope = NewDisposeScope();
        var decoder = new DeepLabV3Decoder(ContextWithStrides([4, 8, 8, 8]), new DeepLabV3Options());
        decoder.eval();
        const long cin = 64, h = 5, w = 7, p = h * w, d = 16, classes = 3;
        var input = new DecoderInput([randn(1, 8, 20, 28), randn(1, 16, 10, 14), randn(1, 32, 5, 7), randn(1, cin, h, w)], randn(1, 8, 40, 56), 40, 56);
        using var counter = FlopCounter.Start();
        using (no_grad()) decoder.forward(input);

        long expected =
            p * d * cin + 2 * p * d                     // ASPP 1×1 conv-BN-ReLU (no bias)
            + 3 * (p * d * cin * 9 + 2 * p * d)         // three 3×3 atrous conv-BN-ReLU (rates 12/24/36)
            + cin * p                                   // image pooling: global average over h·w per channel
            + d * cin + 2 * d                           //   1×1 conv-BN-ReLU on the 1×1 map
            + 4 * p * d                                 //   bilinear upsample to h×w
            + p * d * 5 * d + 2 * p * d                 // projection 1×1 conv-BN-ReLU of the 5d concat (dropout off)
            + p * d * 9 * d + 2 * p * d                 // 3×3 conv-BN-ReLU
            + p * classes * (d + 1);                    // 1×1 classifier with bias
        Assert.Equal(expected, counter.TotalMacs);
        Assert.Empty(counter.Uncounted);
    }
}
