using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using SegAlign.Training;
using static SegAlign.Tests.Decoders.HfgdDecoderTests;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Tests.Decoders;

/// <summary>The diagnostic options of the HFGD reconstruction (issue 11): kernelProjection linear / cosine and highLevelOnly.</summary>
public class HfgdDiagnosticOptionsTests
{
    const string HighOnly = "{\"highLevelOnly\": true, \"detachBackboneFeatures\": false, \"detachKernels\": false}";

    static Tensor Parameter(Segmentor seg, string name) => seg.Decoder.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void The_linear_projection_learns_from_the_upsampler_loss_while_the_stop_gradients_still_hold()
    {
        using var scope = NewDisposeScope();
        var seg = Backward("{\"kernelProjection\": \"linear\"}", upsamplerLoss: true, highLevelLoss: false);
        Assert.True(HasGradient(Parameter(seg, "kernel_projection.weight")));
        Assert.True(HasGradient(Parameter(seg, "kernel_projection.bias")));
        Assert.True(NoGradient(Kernels(seg)));
        Assert.All(seg.Backbone.parameters(), p => Assert.True(NoGradient(p)));

        // The high-level branch does not go through it.
        seg = Backward("{\"kernelProjection\": \"linear\"}", upsamplerLoss: false, highLevelLoss: true);
        Assert.True(NoGradient(Parameter(seg, "kernel_projection.weight")));
        Assert.True(HasGradient(Kernels(seg)));
    }

    [Fact]
    public void With_cosine_kernels_learn_only_from_the_high_level_loss_and_each_branch_has_its_own_temperature()
    {
        using var scope = NewDisposeScope();
        var upsampler = Backward("{\"kernelProjection\": \"cosine\"}", upsamplerLoss: true, highLevelLoss: false);
        Assert.True(NoGradient(Kernels(upsampler)));
        Assert.True(HasGradient(Parameter(upsampler, "upsampler_temperature")));
        Assert.True(NoGradient(Parameter(upsampler, "high_temperature")));
        Assert.All(upsampler.Backbone.parameters(), p => Assert.True(NoGradient(p)));

        var high = Backward("{\"kernelProjection\": \"cosine\"}", upsamplerLoss: false, highLevelLoss: true);
        Assert.True(HasGradient(Kernels(high)));
        Assert.True(HasGradient(Parameter(high, "high_temperature")));
        Assert.True(NoGradient(Parameter(high, "upsampler_temperature")));

        // Without the kernel stop-gradient the upsampler's loss reaches the kernels through the normalisation.
        var joint = Backward("{\"kernelProjection\": \"cosine\", \"detachKernels\": false}", upsamplerLoss: true, highLevelLoss: false);
        Assert.True(HasGradient(Kernels(joint)));
    }

    [Fact]
    public void Cosine_logits_are_cosines_times_the_temperature()
    {
        using var scope = NewDisposeScope();
        var seg = Build("{\"kernelProjection\": \"cosine\"}");
        seg.eval();
        using var _ = no_grad();
        var image = randn(2, 3, 64, 48);
        var levels = seg.Backbone.forward(image);
        var output = seg.Decoder.forward(new DecoderInput(levels[1..], levels[0], 64, 48));
        Assert.Equal(new long[] { 2, Classes, 16, 12 }, output.Logits.shape);
        foreach (var logits in new[] { output.Logits, output.Auxiliary.Single().Logits })
        {
            double largest = logits.abs().max().item<float>();
            Assert.InRange(largest, 0.1, HfgdDecoder.InitialTemperature + 1e-4);   // |cos| ≤ 1, and not all zero
        }
        // Scaling a kernel does not change any logit: the kernels count by direction only.
        using (no_grad()) Kernels(seg).mul_(3.0);
        var scaled = seg.Decoder.forward(new DecoderInput(levels[1..], levels[0], 64, 48));
        Assert.True(allclose(output.Logits, scaled.Logits, 1e-4, 1e-5));
    }

    [Fact]
    public void The_high_level_branch_alone_builds_no_upsampler_and_is_the_prediction()
    {
        using var scope = NewDisposeScope();
        var seg = Build(HighOnly);
        var names = seg.Decoder.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain(names, n => UpsamplerPrefixes.Any(prefix => n.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains("class_kernels", names);

        seg.train();
        var image = randn(2, 3, 65, 47);
        var levels = seg.Backbone.forward(image);
        var decoded = seg.Decoder.forward(new DecoderInput(levels[1..], levels[0], 65, 47));
        Assert.Equal(levels[4].shape[2..], decoded.Logits.shape[2..]);   // at C5's resolution
        Assert.Empty(decoded.Auxiliary);                                   // no second loss on the same logits

        var output = seg.forward(image);
        Assert.Equal(new long[] { 2, Classes, 65, 47 }, output.Logits.shape);
        F.cross_entropy(output.Logits, randint(0, Classes, [2, 65, 47])).backward();
        Assert.All(seg.Backbone.parameters(), p => Assert.True(HasGradient(p)));
        Assert.True(HasGradient(Kernels(seg)));
        Assert.All(DecoderParameters(seg, "cae."), p => Assert.True(HasGradient(p.Parameter), p.Name));

        // With cosine kernels it has its own temperature and no upsampler's.
        var cosine = Build(HighOnly.Replace("{", "{\"kernelProjection\": \"cosine\", ", StringComparison.Ordinal));
        var cosineNames = cosine.Decoder.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("high_temperature", cosineNames);
        Assert.DoesNotContain("upsampler_temperature", cosineNames);
    }

    [Theory]
    [InlineData("{\"highLevelOnly\": true}", "model.decoderOptions.highLevelOnly", "detachBackboneFeatures")]
    [InlineData("{\"highLevelOnly\": true, \"guidance\": false, \"detachBackboneFeatures\": false, \"detachKernels\": false}", "model.decoderOptions.highLevelOnly", "guidance")]
    [InlineData("{\"highLevelOnly\": true, \"kernelProjection\": \"linear\", \"detachBackboneFeatures\": false, \"detachKernels\": false}", "model.decoderOptions.kernelProjection", "none or cosine")]
    [InlineData("{\"highLevelOnly\": true, \"outputStride\": 2, \"detachBackboneFeatures\": false, \"detachKernels\": false}", "model.decoderOptions.outputStride", "outputStride at 4")]
    [InlineData("{\"guidance\": false, \"kernelProjection\": \"cosine\", \"detachBackboneFeatures\": false, \"detachKernels\": false}", "model.decoderOptions.kernelProjection", "guidance to true")]
    [InlineData("{\"kernelProjection\": \"sine\"}", "model.decoderOptions.kernelProjection", "")]
    public void Contradictory_diagnostic_options_are_refused_with_the_fix(string options, string where, string fix)
    {
        var error = Assert.Throws<InputException>(() => DecoderRegistry.Get("hfgd").ResolveOptions((JsonObject)JsonNode.Parse(options)!));
        Assert.Equal(where, error.Where);
        Assert.Contains(fix, error.Fix);
    }

    [Fact]
    public void Unset_diagnostic_options_leave_the_config_and_its_hash_as_before()
    {
        var entry = DecoderRegistry.Get("hfgd");
        string defaults = entry.ResolveOptions(null).ToJsonString();
        Assert.DoesNotContain("kernelProjection", defaults);
        Assert.DoesNotContain("highLevelOnly", defaults);
        var model = new ModelConfig { Decoder = "hfgd" };
        var withCosine = model with { DecoderOptions = new JsonObject { ["kernelProjection"] = "cosine" } };
        Assert.Equal("cosine", (string?)entry.ResolveOptions(withCosine.DecoderOptions)["kernelProjection"]);
        var config = new RunConfig { Model = model };
        Assert.NotEqual(config.Hash(), (config with { Model = withCosine }).Hash());
    }

    public static TheoryData<string> DiagnosticOptions() => new(
        "{\"kernelProjection\": \"linear\"}", "{\"kernelProjection\": \"cosine\"}", HighOnly,
        HighOnly.Replace("{", "{\"kernelProjection\": \"cosine\", ", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(DiagnosticOptions))]
    public void The_flop_counter_sees_every_operation_of_each_option(string options)
    {
        using var scope = NewDisposeScope();
        FlopCoverage.AssertEveryOpCounted(Build(options), options);
    }

    static long DecoderMacs(string options)
    {
        var seg = Build(options);
        seg.eval();
        var image = randn(1, 3, 64, 64);
        using var counter = FlopCounter.Start();
        using (no_grad()) seg.forward(image);
        return counter.MacsBySection["decoder"];
    }

    [Fact]
    public void Each_option_costs_what_it_adds_by_hand()
    {
        using var scope = NewDisposeScope();
        // ResNet-18 at width 0.25, 64×64: the upsampler's features are C × 16², F is C × 2².
        const long c = Channels, k = Classes, pixels = 16 * 16, highPixels = 2 * 2;
        long reference = DecoderMacs("{}");
        Assert.Equal(pixels * c * (c + 1), DecoderMacs("{\"kernelProjection\": \"linear\"}") - reference);
        // Per branch: features (square, sum, divide per element; a root per pixel), kernels likewise, times the temperature.
        long kernels = 3 * k * c + k + k * c;
        Assert.Equal(3 * c * pixels + pixels + 3 * c * highPixels + highPixels + 2 * kernels, DecoderMacs("{\"kernelProjection\": \"cosine\"}") - reference);
        // The high-level branch alone: the CAE (as counted in HfgdDecoderTests), one classification at 2×2, the resize to 64×64.
        const long heads = 8, d = c / heads, n = highPixels;
        static long ConvBnRelu(long pixels, long cin, long cout) => pixels * cout * cin + 2 * pixels * cout;
        long block = 3 * n * c * c + heads * n * n * d + heads * n * n + 3 * heads * n * n + heads * n * d * n
                   + n * c * c + 2 * n * c + ConvBnRelu(n, c, 2 * c) + n * c * 2 * c + 2 * n * c;
        long cae = ConvBnRelu(n, 128, c) + 2 * block;
        Assert.Equal(cae + n * k * c + 4 * k * 64 * 64, DecoderMacs(HighOnly));
    }
}
