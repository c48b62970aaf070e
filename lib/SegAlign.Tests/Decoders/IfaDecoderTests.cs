using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Tests.Decoders;

public class IfaDecoderTests
{
    const int Classes = 3;
    const int Channels = 16;

    static Segmentor Build(string options = "{}", long seed = 0)
    {
        manual_seed(seed);
        return new Segmentor(new ModelConfig
        {
            Backbone = "resnet18", Width = 0.25, Decoder = "ifa", DecoderChannels = Channels,
            DecoderOptions = (JsonObject)JsonNode.Parse(options)!,
        }, Classes);
    }

    // The decoder's own output for a requested size (the Segmentor would resize whatever it gets).
    static Tensor Decode(Segmentor seg, Tensor image, (long, long)? size)
    {
        var levels = seg.Backbone.forward(image);
        return seg.Decoder.forward(new DecoderInput(levels[1..], levels[0], image.shape[2], image.shape[3], size)).Logits;
    }

    // Where query grids coincide. A grid of n cells has centres at (2i+1)/(2n) of the extent; a grid of k·n
    // cells with k odd has one at (2(k·i + (k−1)/2) + 1)/(2kn) = (2i+1)/(2n): the same point. With k even
    // (e.g. the full-resolution grid of an input 4× C2's size) the coarse centre falls exactly on the
    // boundary between two fine cells (pixels 4i+1 and 4i+2) and no centre is shared. At a shared point
    // every level samples the same cell with the same relative coordinate (query coordinates are computed
    // so that equal real values give equal floats, even at grid_sample ties), so the pointwise MLP must
    // give the same logits, up to summation order in the 1×1 convs.
    static void AssertAgreeAtSharedCentres(Tensor coarse, Tensor fine, int k)
    {
        long h = coarse.shape[2], w = coarse.shape[3];
        Assert.Equal(new[] { coarse.shape[0], Classes, k * h, k * w }, fine.shape);
        var shared = fine[.., .., TensorIndex.Slice(k / 2, null, k), TensorIndex.Slice(k / 2, null, k)];
        Assert.Equal(coarse.shape, shared.shape);
        double error = (shared - coarse).abs().max().item<float>();
        Assert.True(error < 1e-5, $"max |difference| at shared centres {error}");
        // Not vacuous: the other fine queries see different relative coordinates and give other logits.
        var other = fine[.., .., TensorIndex.Slice(0, null, k), TensorIndex.Slice(0, null, k)];
        Assert.True((other - coarse).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void FullResolutionAgreesWithStride4WhereCentresCoincide()
    {
        // ResNet's C2 is ceil(ceil(H/2)/2) tall: for 9×6 that is 3×2, and 9×6 = 3·(3×2) — an odd multiple,
        // so every stride-4 query centre is also a full-resolution pixel centre (pixels 3i+1, 3j+1).
        // (For inputs 4× C2's size, the usual case, the centres never coincide; see above.)
        using var scope = NewDisposeScope();
        var seg = Build();
        seg.eval();
        using var _ = no_grad();
        var image = randn(2, 3, 9, 6);
        var stride4 = seg.Forward(image, (3, 2)).Logits;
        var full = seg.Forward(image, null).Logits;
        Assert.Equal(new long[] { 2, Classes, 3, 2 }, Decode(seg, image, null).shape);   // default grid: C2's
        Assert.Equal(new long[] { 2, Classes, 9, 6 }, full.shape);
        AssertAgreeAtSharedCentres(stride4, full, 3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void OddMultiplesOfTheStride4GridAgreeWithIt(int k)
    {
        using var scope = NewDisposeScope();
        var seg = Build();
        seg.eval();
        using var _ = no_grad();
        var image = randn(1, 3, 64, 48);                        // C2 16×12
        var stride4 = Decode(seg, image, null);
        var fine = Decode(seg, image, (16 * k, 12 * k));
        Assert.Equal(new long[] { 1, Classes, 16, 12 }, stride4.shape);
        AssertAgreeAtSharedCentres(stride4, fine, k);
    }

    [Fact]
    public void RequestedOutputSizeIsHonoured()
    {
        using var scope = NewDisposeScope();
        var seg = Build();
        Assert.True(seg.Decoder.SupportsArbitraryOutputSize);
        seg.eval();
        using var _ = no_grad();
        var image = randn(1, 3, 65, 47);                        // C2 17×12
        Assert.Equal(new long[] { 1, Classes, 17, 12 }, Decode(seg, image, null).shape);
        foreach (var (h, w) in new (long, long)[] { (1, 1), (7, 5), (17, 12), (33, 47), (65, 47), (131, 95) })
            Assert.Equal(new long[] { 1, Classes, h, w }, Decode(seg, image, (h, w)).shape);
    }

    [Fact]
    public void TrainingQueriesStride4UnlessAskedOtherwise()
    {
        using var scope = NewDisposeScope();
        var image = randn(2, 3, 65, 47);
        var released = Build();
        released.train();
        Assert.Equal(new long[] { 2, Classes, 17, 12 }, Decode(released, image, (65, 47)).shape);
        var fullRes = Build("{\"trainAtStride4\": false}");
        fullRes.train();
        Assert.Equal(new long[] { 2, Classes, 65, 47 }, Decode(fullRes, image, (65, 47)).shape);
    }

    [Fact]
    public void PositionalEncodingStartsAtPowersOfTwoAndC2sIsFixedWhenTrainingAtStride4()
    {
        using var scope = NewDisposeScope();
        double[] m = [1, Math.Pow(2, 1.2), Math.Pow(2, 2.4), Math.Pow(2, 3.6), Math.Pow(2, 4.8), 64];
        var expected = zeros(12, 2);
        for (int i = 0; i < 6; i++) { expected[i, 0] = m[i]; expected[6 + i, 1] = m[i]; }

        var parameters = Build().Decoder.named_parameters().Select(p => p.name).ToHashSet();
        Assert.DoesNotContain("pos.0.emb", parameters);          // rel ≡ 0 on C2's own grid: cannot learn
        Assert.Contains("pos.1.emb", parameters);
        var buffers = Build().Decoder.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.True(allclose(buffers["pos.0.emb"], expected));
        var learnt = Build().Decoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        for (int level = 1; level < 4; level++) Assert.True(allclose(learnt[$"pos.{level}.emb"], expected));

        var fullRes = Build("{\"trainAtStride4\": false}").Decoder.named_parameters().Select(p => p.name);
        Assert.Contains("pos.0.emb", fullRes);
    }

    [Fact]
    public void WorksWithoutPositionalEncoding()
    {
        using var scope = NewDisposeScope();
        var seg = Build("{\"positionalEncoding\": false}");
        var parameters = seg.Decoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Assert.DoesNotContain(parameters.Keys, name => name.StartsWith("pos.", StringComparison.Ordinal));
        // Per level the raw relative coordinate (2) and the feature (C): 4·(C + 2) MLP inputs.
        Assert.Equal(new long[] { 2 * Channels, 4 * (Channels + 2), 1, 1 }, parameters["imnet.0.conv.weight"].shape);

        seg.train();
        var image = randn(2, 3, 65, 47);
        var loss = F.cross_entropy(seg.forward(image).Logits, randint(0, Classes, [2, 65, 47]));
        loss.backward();
        foreach (var (name, p) in seg.Decoder.named_parameters())
            Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0, name);

        seg.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 2, Classes, 31, 23 }, Decode(seg, image, (31, 23)).shape);
        AssertAgreeAtSharedCentres(Decode(seg, image, null), Decode(seg, image, (51, 36)), 3);
    }

    [Fact]
    public void MacsMatchAHandCount()
    {
        using var scope = NewDisposeScope();
        var seg = Build();
        seg.eval();
        var image = randn(1, 3, 64, 64);
        using var counter = FlopCounter.Start();
        using (no_grad()) seg.Forward(image, (64, 64));   // an explicit request: IFA queries the full 64×64 grid
        Assert.Empty(counter.Uncounted);

        // ResNet-18 at width 0.25: C2..C5 have 16, 32, 64, 128 channels at 16², 8², 4², 2².
        const long c = Channels, k = Classes, n = 64 * 64;   // n queries
        long[] inChannels = [16, 32, 64, 128], pixels = [16 * 16, 8 * 8, 4 * 4, 2 * 2];
        long expected = 0;
        for (int l = 0; l < 4; l++)
            expected += pixels[l] * c * inChannels[l]   // enc/head 1×1 conv, no bias
                      + pixels[l] * c                   // BN
                      + pixels[l] * c;                  // ReLU
        // Per level, on the 2-channel relative coordinate map (computed once, batch 1):
        long perLevel = 2 * n                           // query − cell centre
                      + 2 * n                           // × (H_l, W_l)
                      + 12 * n * 2                      // F·rel: 12 outputs, 2 MACs each
                      + 12 * n + 12 * n;                // sin, cos
        expected += 4 * perLevel;                       // nearest grid_sample, cat, expand: 0
        long d = 4 * (c + 26);
        expected += n * 2 * c * d + n * 2 * c + n * 2 * c;   // 1×1 conv d → 2C, BN, ReLU
        expected += n * c * 2 * c + n * c + n * c;           // 1×1 conv 2C → C, BN, ReLU
        expected += n * c * c + n * c + n * c;               // 1×1 conv C → C, BN, ReLU
        expected += n * k * (c + 1);                         // classifier with bias
        // The logits are already 64×64: the Segmentor's resize is skipped.
        Assert.Equal(expected, counter.MacsBySection["decoder"]);
    }

    [Fact]
    public void The_bilinear_control_interpolates_each_level_and_feeds_no_coordinates()
    {
        using var scope = NewDisposeScope();
        var ifa = Build();
        var control = Build("""{ "sampling": "bilinear", "positionalEncoding": false }""");
        // Same encoders and MLP except the coordinate inputs: 4 levels × (26 PE values) fewer in the first layer.
        long Inputs(Segmentor s) => s.Decoder.parameters().First(p => p.dim() == 4 && p.shape[0] == 2 * Channels).shape[1];
        Assert.Equal(Inputs(ifa) - 4 * SpatialEncoding.OutputDim(6), Inputs(control));
        Assert.Equal(4 * Channels, Inputs(control));

        control.eval();
        var image = randn(1, 3, 32, 32);
        var logits = Decode(control, image, (32, 32));
        Assert.Equal(new long[] { 1, Classes, 32, 32 }, logits.shape);
        // Bilinear, not nearest: neighbouring full-resolution queries inside one C5 cell differ.
        Assert.True((logits[.., .., 0, 0] - logits[.., .., 0, 1]).abs().max().item<float>() > 1e-6);
    }

    [Fact]
    public void The_bilinear_control_rejects_a_positional_encoding_and_leaves_the_IFA_hash_alone()
    {
        var config = new ModelConfig { Decoder = "ifa", DecoderOptions = (JsonObject)JsonNode.Parse("""{ "sampling": "bilinear" }""")! };
        var error = Assert.Throws<InputException>(() => config.Validate());
        Assert.Contains("positionalEncoding", error.Fix);
        // Unset, the option is not written, so configs made before it existed keep their hash.
        Assert.DoesNotContain("sampling", DecoderRegistry.Get("ifa").ResolveOptions(null).ToJsonString());
    }
}
