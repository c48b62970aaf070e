using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Tests.Decoders;

public class HfgdDecoderTests
{
    internal const int Classes = 3;
    internal const int Channels = 16;
    const string NoStopGradient = "\"detachBackboneFeatures\": false, \"detachKernels\": false";

    internal static Segmentor Build(string options = "{}")
    {
        manual_seed(0);
        return new Segmentor(new ModelConfig
        {
            Backbone = "resnet18", Width = 0.25, Decoder = "hfgd", DecoderChannels = Channels,
            DecoderOptions = (JsonObject)JsonNode.Parse(options)!,
        }, Classes);
    }

    /// <summary>Training forward at 65×47 and backward of the chosen loss only.</summary>
    internal static Segmentor Backward(string options, bool upsamplerLoss, bool highLevelLoss)
    {
        var seg = Build(options);
        seg.train();
        var image = randn(2, 3, 65, 47);
        var target = randint(0, Classes, [2, 65, 47]);
        var output = seg.forward(image);
        var high = output.Auxiliary.Single(a => a.Name == "hfgd.high");
        Assert.Equal(1.0, high.Weight);
        var loss = zeros(1);
        if (upsamplerLoss) loss = loss + F.cross_entropy(output.Logits, target);
        if (highLevelLoss) loss = loss + high.Weight * F.cross_entropy(high.Logits, target);
        loss.backward();
        return seg;
    }

    internal static bool NoGradient(Tensor p) => p.grad is null || p.grad.count_nonzero().item<long>() == 0;

    internal static bool HasGradient(Tensor p) => p.grad is { } g && g.abs().sum().item<float>() > 0;

    internal static Tensor Kernels(Segmentor seg) => seg.Decoder.named_parameters().Single(p => p.name == "class_kernels").parameter;

    internal static IEnumerable<(string Name, Tensor Parameter)> DecoderParameters(Segmentor seg, string prefix) =>
        seg.Decoder.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).Select(p => (p.name, (Tensor)p.parameter));

    internal static readonly string[] UpsamplerPrefixes = ["lateral_convs.", "fpn_convs.", "scale_heads."];

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public void WithStopGradientsTheUpsamplerLossReachesNeitherBackboneNorKernels(int outputStride)
    {
        using var scope = NewDisposeScope();
        var seg = Backward($"{{\"outputStride\": {outputStride}}}", upsamplerLoss: true, highLevelLoss: false);
        foreach (var (name, p) in seg.Backbone.named_parameters())
            Assert.True(NoGradient(p), $"backbone {name}");
        Assert.True(NoGradient(Kernels(seg)));
        foreach (var (name, p) in DecoderParameters(seg, "cae."))
            Assert.True(NoGradient(p), name);                      // the CAE output it reads is detached too
        // ...while the upsampler itself learns from it.
        foreach (var prefix in UpsamplerPrefixes)
            foreach (var (name, p) in DecoderParameters(seg, prefix))
                Assert.True(HasGradient(p), name);
    }

    [Fact]
    public void WithoutStopGradientsTheUpsamplerLossReachesBackboneAndKernels()
    {
        using var scope = NewDisposeScope();
        var seg = Backward($"{{{NoStopGradient}}}", upsamplerLoss: true, highLevelLoss: false);
        foreach (var (name, p) in seg.Backbone.named_parameters())
            Assert.True(HasGradient(p), $"backbone {name}");
        Assert.True(HasGradient(Kernels(seg)));
    }

    [Fact]
    public void EachStopGradientIsItsOwnSwitch()
    {
        using var scope = NewDisposeScope();
        var onlyBackbone = Backward("{\"detachKernels\": false}", upsamplerLoss: true, highLevelLoss: false);
        Assert.All(onlyBackbone.Backbone.parameters(), p => Assert.True(NoGradient(p)));
        Assert.True(HasGradient(Kernels(onlyBackbone)));

        var onlyKernels = Backward("{\"detachBackboneFeatures\": false}", upsamplerLoss: true, highLevelLoss: false);
        Assert.All(onlyKernels.Backbone.parameters(), p => Assert.True(HasGradient(p)));
        Assert.True(NoGradient(Kernels(onlyKernels)));
    }

    [Fact]
    public void TheHighLevelLossAloneTrainsBackboneCaeAndKernelsButNotTheUpsampler()
    {
        using var scope = NewDisposeScope();
        var seg = Backward("{}", upsamplerLoss: false, highLevelLoss: true);
        foreach (var (name, p) in seg.Backbone.named_parameters())
            Assert.True(HasGradient(p), $"backbone {name}");
        Assert.True(HasGradient(Kernels(seg)));
        foreach (var (name, p) in DecoderParameters(seg, "cae."))
            Assert.True(HasGradient(p), name);
        foreach (var prefix in UpsamplerPrefixes)
            foreach (var (name, p) in DecoderParameters(seg, prefix))
                Assert.True(NoGradient(p), name);
    }

    [Theory]
    [InlineData(64, 48, 4, 16, 12)]
    [InlineData(64, 48, 2, 32, 24)]
    [InlineData(65, 47, 4, 17, 12)]
    [InlineData(65, 47, 2, 33, 24)]   // C1 of a 65×47 input is 33×24
    public void LogitsComeAtTheOutputStride(int height, int width, int outputStride, long expectedH, long expectedW)
    {
        using var scope = NewDisposeScope();
        var seg = Build($"{{\"outputStride\": {outputStride}}}");
        foreach (var training in new[] { true, false })
        {
            seg.train(training);
            var image = randn(2, 3, height, width);
            var levels = seg.Backbone.forward(image);
            var output = seg.Decoder.forward(new DecoderInput(levels[1..], levels[0], height, width));
            Assert.Equal(new long[] { 2, Classes, expectedH, expectedW }, output.Logits.shape);
            // The high-level prediction stays at C5's resolution, in evaluation too (for visualisation).
            var high = Assert.Single(output.Auxiliary);
            Assert.Equal("hfgd.high", high.Name);
            Assert.Equal(levels[4].shape[2..], high.Logits.shape[2..]);
        }
    }

    [Fact]
    public void TheBaselineHasItsOwnClassifierAndNoHighLevelBranch()
    {
        using var scope = NewDisposeScope();
        var seg = Build($"{{\"guidance\": false, {NoStopGradient}}}");
        var names = seg.Decoder.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain("class_kernels", names);
        Assert.Contains("cls_seg.weight", names);
        Assert.Contains("cls_seg.bias", names);
        seg.train();
        var output = seg.forward(randn(2, 3, 65, 47));
        Assert.Empty(output.Auxiliary);
        Assert.Equal(new long[] { 2, Classes, 65, 47 }, output.Logits.shape);

        // Stop-gradients without guidance would freeze the backbone: refused, with the fix in the message.
        var error = Assert.Throws<InputException>(() => DecoderRegistry.Get("hfgd").ResolveOptions(new JsonObject { ["guidance"] = false }));
        Assert.Contains("detachBackboneFeatures", error.Message);
        Assert.Throws<InputException>(() => DecoderRegistry.Get("hfgd").ResolveOptions(new JsonObject { ["outputStride"] = 8 }));
    }

    [Fact]
    public void MacsMatchAHandCount()
    {
        using var scope = NewDisposeScope();
        var seg = Build();
        seg.eval();
        var image = randn(1, 3, 64, 64);
        using var counter = FlopCounter.Start();
        using (no_grad()) seg.forward(image);
        Assert.Empty(counter.Uncounted);

        // ResNet-18 at width 0.25: C2..C5 have 16, 32, 64, 128 channels at 16², 8², 4², 2² pixels.
        const long c = Channels, k = Classes;
        long ConvBnRelu(long pixels, long cin, long cout, long kernel) => pixels * cout * cin * kernel * kernel + 2 * pixels * cout;
        long expected = 0;

        // CAE at 2×2 (n = 4 tokens), 8 heads of d = 2.
        const long n = 4, heads = 8, d = c / heads;
        expected += ConvBnRelu(n, 128, c, 1);                 // projection C5 → C
        long block = 3 * n * c * c                           // q, k, v (1×1, no bias)
                   + heads * n * n * d                       // q·kᵀ
                   + heads * n * n                           // × 1/√d
                   + 3 * heads * n * n                       // softmax
                   + heads * n * d * n                       // attention · v
                   + n * c * c + n * c + n * c               // out projection, BN, residual add
                   + ConvBnRelu(n, c, 2 * c, 1)              // feed-forward C → 2C
                   + n * c * 2 * c + n * c                   // 2C → C, BN (no activation)
                   + n * c;                                  // residual add
        expected += 2 * block;

        // Upsampler over C2, C3, C4 and the CAE output (detaches cost nothing).
        long[] pixels = [256, 64, 16, 4], inChannels = [16, 32, 64, c];
        for (int i = 0; i < 4; i++) expected += ConvBnRelu(pixels[i], inChannels[i], c, 1);   // laterals
        expected += c * (16 + 64 + 256);                      // top-down adds (nearest upsampling: 0)
        for (int i = 0; i < 4; i++) expected += ConvBnRelu(pixels[i], c, c, 3);              // FPN 3×3 convs
        // Scale heads: a 3×3 conv-BN-ReLU per octave, each followed by 2× bilinear (4 MACs per output).
        expected += ConvBnRelu(256, c, c, 3);                                                   // C2: one conv
        expected += ConvBnRelu(64, c, c, 3) + 4 * c * 256;                                      // C3: 8 → 4
        expected += ConvBnRelu(16, c, c, 3) + 4 * c * 64 + ConvBnRelu(64, c, c, 3) + 4 * c * 256;   // C4
        expected += ConvBnRelu(4, c, c, 3) + 4 * c * 16 + ConvBnRelu(16, c, c, 3) + 4 * c * 64
                  + ConvBnRelu(64, c, c, 3) + 4 * c * 256;                                      // CAE output: 32 → 4
        expected += 3 * c * 256;                              // summing the four heads
        expected += 256 * k * c;                              // · kernelsᵀ (no bias; dropout is off in eval)
        expected += n * k * c;                                // high-level logits · kernelsᵀ
        expected += 4 * k * 64 * 64;                          // the Segmentor's bilinear resize to 64×64 (decoder section)
        Assert.Equal(expected, counter.MacsBySection["decoder"]);
    }
}
