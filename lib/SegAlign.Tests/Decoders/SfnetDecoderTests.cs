using System.Text.Json.Nodes;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Models.Modules;
using SegAlign.Nn;
using TorchSharp;
using static SegAlign.Tests.Decoders.FlowTestKit;
using static TorchSharp.torch;

namespace SegAlign.Tests.Decoders;

public class SfnetDecoderTests
{
    [Fact]
    public void FamWithZeroFlowIsAlignCornersBilinearUpsampling()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var fam = new AlignedModule(16, 8);
        Set(fam, "flow_make.weight", Zero);
        var g = new Generator(1);
        var low = Randn(g, 2, 16, 9, 7);
        var high = Randn(g, 2, 16, 5, 4);

        var (aligned, flow, _) = fam.Align(low, high);

        Assert.Equal(0f, flow.abs().max().item<float>());
        var upsampled = nn.functional.interpolate(high, [9, 7], mode: InterpolationMode.Bilinear, align_corners: true);
        Assert.True(MaxAbsDiff(aligned, upsampled) < 1e-6, $"max diff {MaxAbsDiff(aligned, upsampled)}");
    }

    [Fact]
    public void FlowMakeStartsWithPyTorchDefaultInitNotZero()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var fam = new AlignedModule(16, 8);
        var weight = fam.FlowMake.Weight;
        double bound = 1 / Math.Sqrt(16 * 9);   // kaiming_uniform(a=√5) bound = 1/√fan_in
        Assert.True(weight.abs().max().item<float>() > 0);
        Assert.True(weight.abs().max().item<float>() <= bound + 1e-7);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SfnetWithZeroFlowComputesExactlyTheFpnBaseline(bool training)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var context = Context();
        // No PPM dropout: the global generator is shared with tests running in parallel, so two dropout draws
        // cannot be made equal. (The DSN heads' dropout only reaches the auxiliary logits.)
        var fpn = new FpnDecoder(context, new FpnOptions { DeepSupervision = true, PpmDropout = 0 });
        var sfnet = new SfnetDecoder(context, new SfnetOptions { DeepSupervision = true, PpmDropout = 0 });

        // The only parameters sfnet adds are FAM's; everything else has the baseline's names and shapes.
        var fpnParameters = Parameters(fpn);
        var sfnetParameters = Parameters(sfnet);
        Assert.Equal(fpnParameters.Keys.Order(), sfnetParameters.Keys.Where(k => !k.StartsWith("fpn_out_align.", StringComparison.Ordinal)).Order());
        Assert.Equal(3, sfnetParameters.Keys.Count(k => k.EndsWith(".flow_make.weight", StringComparison.Ordinal)));

        CopyShared(fpn, sfnet);
        foreach (var level in new[] { "p2", "p3", "p4" }) Set(sfnet, $"fpn_out_align.{level}.flow_make.weight", Zero);
        fpn.train(training);
        sfnet.train(training);
        var input = Input(2);

        var expected = fpn.forward(input);
        var actual = sfnet.forward(input);

        Assert.True(MaxAbsDiff(expected.Logits, actual.Logits) < 1e-5, $"max diff {MaxAbsDiff(expected.Logits, actual.Logits)}");
        Assert.Equal(expected.Auxiliary.Select(a => a.Name), actual.Auxiliary.Select(a => a.Name));
        Assert.Equal(training ? ["dsn.p4", "dsn.p3", "dsn.p2"] : Array.Empty<string>(), actual.Auxiliary.Select(a => a.Name));
        Assert.Equal(expected.Auxiliary.Select(a => a.Logits.shape), actual.Auxiliary.Select(a => a.Logits.shape));
        if (training) Assert.Equal([2L, 3, 5, 3], actual.Auxiliary[0].Logits.shape);   // dsn.p4 at stride 16
    }

    [Theory]
    [InlineData(2.0, -1.0)]
    [InlineData(-0.5, 1.5)]
    public void ConstantFlowOfKOutputPixelsShiftsARampByK(double kx, double ky)
    {
        using var scope = NewDisposeScope();
        const long C = 4, H = 7, W = 9, h = 4, w = 5;
        var fam = new AlignedModule(C, C / 2);
        // Reduced low channel 0 = 1 everywhere (low is all ones), the high branch contributes nothing, and the
        // centre tap of flow_make turns that 1 into a constant flow (a, b) in SFNet units (1/W of the [-1,1] grid).
        Set(fam, "down_h.weight", Zero);
        Set(fam, "down_l.weight", t => zeros_like(t).index_put_(tensor(1f), 0, 0, 0, 0));
        double a = kx * 2 * W / (W - 1), b = ky * 2 * H / (H - 1);
        Set(fam, "flow_make.weight", t => zeros_like(t).index_put_(tensor((float)a), 0, C / 2, 1, 1).index_put_(tensor((float)b), 1, C / 2, 1, 1));
        // The coarse map upsamples (align_corners) to value = column + 100·row of the output grid, a plane, so
        // bilinear sampling reproduces it exactly at any fractional position.
        var high = RampX(C, h, w, (W - 1.0) / (w - 1)) + RampY(C, h, w, 100.0 * (H - 1) / (h - 1));

        var (aligned, flow, convention) = fam.Align(ones(1, C, H, W), high);

        for (long i = 0; i < H; i++)
            for (long j = 0; j < W; j++)
            {
                double x = j + kx, y = i + ky;
                if (x < 0 || x > W - 1 || y < 0 || y > H - 1) continue;   // sampled outside: zero padding
                Assert.Equal(x + 100 * y, aligned[0, 3, i, j].item<float>(), 3);
            }

        var recorder = new FlowRecorder { Enabled = true };
        recorder.Record("fam", flow, convention);
        var field = Assert.Single(recorder.Take());
        using var pixels = field.Flow;
        Assert.Equal(kx, pixels[0, 0].min().item<float>(), 5);
        Assert.Equal(kx, pixels[0, 0].max().item<float>(), 5);
        Assert.Equal(ky, pixels[0, 1].min().item<float>(), 5);
        Assert.Equal(ky, pixels[0, 1].max().item<float>(), 5);
    }

    [Fact]
    public void RecordedFlowsAreInOutputPixelsAndOutliveTheCallersScope()
    {
        manual_seed(4);
        var decoder = new SfnetDecoder(Context(), new SfnetOptions());
        decoder.eval();
        // P4's lateral becomes the constant 1 (zero conv, BN bias 1, eval statistics 0/1), so FAM.p4 predicts a
        // constant flow (a, b): 2 and -1 output pixels of the 5×3 P4 grid.
        Set(decoder, "fpn_in.2.conv.weight", Zero);
        Set(decoder, "fpn_in.2.bn.bias", One);
        Set(decoder, "fpn_out_align.p4.down_h.weight", Zero);
        Set(decoder, "fpn_out_align.p4.down_l.weight", t => zeros_like(t).index_put_(tensor(1f), 0, 0, 0, 0));
        double a = 2.0 * 2 * 3 / 2, b = -1.0 * 2 * 5 / 4;
        Set(decoder, "fpn_out_align.p4.flow_make.weight", t => zeros_like(t).index_put_(tensor((float)a), 0, 8, 1, 1).index_put_(tensor((float)b), 1, 8, 1, 1));

        IReadOnlyList<FlowField> flows;
        using (var scope = NewDisposeScope())
        {
            decoder.forward(Input());
            Assert.Empty(decoder.TakeFlows());          // off: nothing recorded
            decoder.RecordFlows = true;
            decoder.forward(Input());
            flows = decoder.TakeFlows();
            Assert.Empty(decoder.TakeFlows());          // taken once
        }

        try
        {
            Assert.Equal(["fam.p4", "fam.p3", "fam.p2"], flows.Select(f => f.Name));
            Assert.Equal([1L, 2, 5, 3], flows[0].Flow.shape);
            Assert.Equal([1L, 2, 9, 6], flows[1].Flow.shape);
            Assert.Equal([1L, 2, 17, 12], flows[2].Flow.shape);
            Assert.False(flows[0].Flow.requires_grad);
            Assert.Equal(2.0, flows[0].Flow[0, 0].min().item<float>(), 5);
            Assert.Equal(2.0, flows[0].Flow[0, 0].max().item<float>(), 5);
            Assert.Equal(-1.0, flows[0].Flow[0, 1].min().item<float>(), 5);
            Assert.Equal(-1.0, flows[0].Flow[0, 1].max().item<float>(), 5);
        }
        finally
        {
            foreach (var f in flows) f.Flow.Dispose();
        }
    }

    [Fact]
    public void LevelsOptionPutsFamOnlyOnTheChosenLevels()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var context = Context();
        var entry = DecoderRegistry.Get("sfnet");
        var p4Only = (SfnetDecoder)entry.Create(context, (JsonObject)JsonNode.Parse("""{ "levels": ["p4"] }""")!);
        Assert.Equal(["p4"], p4Only.AlignedLevels);
        Assert.All(Parameters(p4Only).Keys.Where(k => k.StartsWith("fpn_out_align.", StringComparison.Ordinal)),
            k => Assert.StartsWith("fpn_out_align.p4.", k));
        Assert.Empty(((SfnetDecoder)entry.Create(context, (JsonObject)JsonNode.Parse("""{ "levels": [] }""")!)).AlignedLevels);

        // Behaviour: a full SFNet whose P2/P3 flows are zeroed (= bilinear there) equals the P4-only decoder.
        var full = new SfnetDecoder(context, new SfnetOptions());
        Set(full, "fpn_out_align.p2.flow_make.weight", Zero);
        Set(full, "fpn_out_align.p3.flow_make.weight", Zero);
        CopyShared(full, p4Only);
        full.eval();
        p4Only.eval();
        var input = Input();
        using (var counter = FlopCounter.Start())
        {
            p4Only.forward(input);
            Assert.Equal(1, counter.Ops.Count(o => o.Op == "grid_sample_bilinear"));
        }
        p4Only.RecordFlows = true;
        var expected = full.forward(input).Logits;
        var actual = p4Only.forward(input).Logits;
        Assert.True(MaxAbsDiff(expected, actual) < 1e-5, $"max diff {MaxAbsDiff(expected, actual)}");
        var recorded = p4Only.TakeFlows();
        Assert.Equal(["fam.p4"], recorded.Select(f => f.Name));
        foreach (var f in recorded) f.Flow.Dispose();
    }

    [Theory]
    [InlineData("""{ "levels": ["p4", "p4"] }""")]
    [InlineData("""{ "levels": [7] }""")]
    [InlineData("""{ "levels": ["p5"] }""")]
    public void BadLevelsAreInputErrors(string json)
    {
        Assert.Throws<InputException>(() => DecoderRegistry.Get("sfnet").ResolveOptions((JsonObject)JsonNode.Parse(json)!));
    }

    /// <summary>
    /// Hand count at C2..C5 = 8@17×12, 16@9×6, 32@5×3, 64@3×2, fpn_dim d = 16, 3 classes, batch 1, eval (no
    /// dropout, no DSN). Convention (FlopCounter): conv = out elements × (cin·k²) (+1 with bias); BN, ReLU, add,
    /// divide = 1 per output element; bilinear resize / grid_sample = 4 per output element; adaptive average pool
    /// = 1 per element of every window; cat, permute, constants = 0.
    /// </summary>
    [Fact]
    public void FlopCountMatchesHandCount()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var decoder = new SfnetDecoder(Context(), new SfnetOptions());
        decoder.eval();
        const long d = 16, half = d / 2, classes = 3;
        static long Conv(long cin, long cout, long k, long hw, bool bias = false) => hw * cout * (cin * k * k + (bias ? 1 : 0));

        long expected = 0;
        // PPM on C5 (64 ch, 3×2 = 6 px). Adaptive windows summed per axis (PyTorch start/end rule):
        //   bin 1: rows 3, cols 2 → 6;  bin 2: rows 2+2 = 4, cols 1+1 = 2 → 8;  bin 3: rows 3·1 = 3, cols 1+2+1 = 4 → 12;
        //   bin 6: rows 6·1 = 6, cols 6·1 = 6 → 36.
        foreach (var (bin, window) in new[] { (1L, 6L), (2L, 8L), (3L, 12L), (6L, 36L) })
        {
            expected += 64 * window;                    // adaptive average pool
            expected += Conv(64, d, 1, bin * bin);      // 1×1 conv (no bias)
            expected += d * bin * bin;                  // BN (no activation)
            expected += 4 * d * 6;                      // upsample to 3×2 (no bin is 3×2)
        }
        expected += Conv(64 + 4 * d, d, 1, 6) + 2 * d * 6;   // bottleneck conv, BN, ReLU

        // Top-down: (lateral channels, lateral pixels, coarser pixels) for P4, P3, P2.
        foreach (var (cin, hw, coarse) in new[] { (32L, 15L, 6L), (16L, 54L, 15L), (8L, 204L, 54L) })
        {
            expected += Conv(cin, d, 1, hw) + 2 * d * hw;      // fpn_in: conv, BN, ReLU
            expected += Conv(d, half, 1, hw);                  // FAM down_l
            expected += Conv(d, half, 1, coarse);              // FAM down_h on the coarse map
            expected += 4 * half * hw;                         // upsample the reduced high map
            expected += Conv(2 * half, 2, 3, hw);              // flow_make 3×3 → 2
            expected += 2 * hw + 2 * hw;                       // grid: flow ÷ (W, H), + base grid (2 values per pixel)
            expected += 4 * d * hw;                            // grid_sample of the original d-channel coarse map
            expected += d * hw;                                // lateral + aligned
            expected += Conv(d, d, 3, hw) + 2 * d * hw;        // fpn_out: 3×3 conv, BN, ReLU
        }

        // Fusion at P2 (17×12 = 204 px): upsample P3, P4, P5; 3×3 conv 4d → d, BN, ReLU; 1×1 classifier with bias.
        expected += 3 * 4 * d * 204;
        expected += Conv(4 * d, d, 3, 204) + 2 * d * 204;
        expected += Conv(d, classes, 1, 204, bias: true);

        var input = Input();
        using var counter = FlopCounter.Start();
        decoder.forward(input);
        Assert.Empty(counter.Uncounted);
        Assert.Equal(expected, counter.TotalMacs);
    }

    // Copies every parameter and buffer of `source` that `target` also has (same name) into `target`.
    static void CopyShared(nn.Module source, nn.Module target)
    {
        var targetParameters = Parameters(target);
        var targetBuffers = target.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        using var _ = no_grad();
        foreach (var (name, parameter) in source.named_parameters())
            if (targetParameters.TryGetValue(name, out var t)) t.copy_(parameter);
        foreach (var (name, buffer) in source.named_buffers())
            if (targetBuffers.TryGetValue(name, out var t)) t.copy_(buffer);
    }
}
