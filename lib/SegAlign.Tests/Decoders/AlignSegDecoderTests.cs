using System.Text.Json.Nodes;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Models.Modules;
using SegAlign.Nn;
using TorchSharp;
using static SegAlign.Tests.Decoders.FlowTestKit;
using static TorchSharp.torch;
using Cab = SegAlign.Models.Decoders.AlignSegDecoder.AlignedFeatureAggregation;

namespace SegAlign.Tests.Decoders;

public class AlignSegDecoderTests
{
    [Fact]
    public void CorrectedAlignFaWithZeroOffsetsIsLowPlusBilinearUp()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var cab = new Cab(16, OffsetNormalization.Corrected);
        cab.eval();
        var g = new Generator(1);
        var low = Randn(g, 2, 16, 17, 12);
        var high = Randn(g, 2, 16, 9, 6);

        var merged = cab.forward(low, high);

        var expected = low + nn.functional.interpolate(high, [17, 12], mode: InterpolationMode.Bilinear, align_corners: true);
        // Identity grid vs interpolate: equal up to float rounding of the grid (a few ulps of values up to ~5).
        Assert.True(MaxAbsDiff(merged, expected) < 2e-6, $"max diff {MaxAbsDiff(merged, expected)}");
    }

    [Fact]
    public void OfficialAlignFaWithZeroOffsetsIsNotAnIdentityButTheReleasedFormula()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var cab = new Cab(2, OffsetNormalization.Official);
        cab.eval();
        // High already at low's size, so the module's own upsampling is the identity and both maps go straight
        // through the official warp: grid = linspace(−1, 1) (offsets 0), grid_sample align_corners false.
        var g = new Generator(2);
        var low = Randn(g, 1, 2, 3, 4);
        var high = Randn(g, 1, 2, 3, 4);

        var merged = cab.forward(low, high);

        var expected = OfficialSample(low, zeros(1, 2, 3, 4), 3, 4) + OfficialSample(high, zeros(1, 2, 3, 4), 3, 4);
        Assert.True(MaxAbsDiff(merged, expected) < 1e-5, $"max diff {MaxAbsDiff(merged, expected)}");
        // Not the identity: columns are read at x = −0.5, 0.83, 2.17, 3.5 input pixels and rows at y = −0.5, 1,
        // 2.5, so the middle row's edge pixels are half zero padding and the corners three quarters.
        var sum = low + high;
        Assert.True(MaxAbsDiff(merged, sum) > 0.1);
        Assert.True(MaxAbsDiff(merged[.., .., 1, 0], sum[.., .., 1, 0] * 0.5) < 1e-5);
        Assert.True(MaxAbsDiff(merged[.., .., 0, 0], sum[.., .., 0, 0] * 0.25) < 1e-5);
    }

    [Fact]
    public void OfficialWarpDividesByTheInputSizeXByWidth()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // CAM's case: a 3×3 context sampled onto a 5×4 grid with non-zero, non-uniform offsets.
        var g = new Generator(3);
        var context = Randn(g, 1, 3, 3, 3);
        var offset = Randn(g, 1, 2, 5, 4) * 2;

        var warped = FlowWarp.Warp(context, offset, WarpConvention.AlignSegOfficial(3, 3));

        Assert.True(MaxAbsDiff(warped, OfficialSample(context, offset, 5, 4)) < 1e-5);
        // Non-square input: the x offset is divided by the input width and y by its height (issue #7's fix).
        var wide = Randn(g, 1, 3, 4, 7);
        var wideOffset = Randn(g, 1, 2, 4, 7);
        Assert.True(MaxAbsDiff(FlowWarp.Warp(wide, wideOffset, WarpConvention.AlignSegOfficial(4, 7)), OfficialSample(wide, wideOffset, 4, 7)) < 1e-5);
    }

    [Theory]
    [InlineData(2.0, -1.0)]
    [InlineData(-0.5, 1.5)]
    public void CorrectedOffsetOfKPixelsShiftsARampByK(double kx, double ky)
    {
        using var scope = NewDisposeScope();
        const long C = 4, H = 17, W = 12, h = 9, w = 6;
        var cab = new Cab(C, OffsetNormalization.Corrected);
        cab.eval();
        MakeConstantOffset(cab, "delta_gen1", kx, ky);
        // value = column + 100·row of the output grid after the align-corners upsampling (a plane: exact under
        // bilinear sampling); the low map is zero, so the output is the warped high map alone.
        var high = RampX(C, h, w, (W - 1.0) / (w - 1)) + RampY(C, h, w, 100.0 * (H - 1) / (h - 1));

        var merged = cab.forward(zeros(1, C, H, W), high);

        for (long i = 0; i < H; i++)
            for (long j = 0; j < W; j++)
            {
                double x = j + kx, y = i + ky;
                if (x < 0 || x > W - 1 || y < 0 || y > H - 1) continue;
                Assert.Equal(x + 100 * y, merged[0, 1, i, j].item<float>(), 2);
            }
    }

    [Theory]
    [InlineData(OffsetNormalization.Corrected)]
    [InlineData(OffsetNormalization.Official)]
    public void RecordedOffsetsAreInOutputPixelsAndOutliveTheCallersScope(OffsetNormalization normalization)
    {
        manual_seed(4);
        var decoder = new AlignSegDecoder(Context(), new AlignSegOptions { OffsetNormalization = normalization });
        decoder.eval();
        const double k = 3.0;
        MakeConstantOffset(decoder, "cab3.delta_gen1", k, -k);

        IReadOnlyList<FlowField> flows;
        using (var scope = NewDisposeScope())
        {
            decoder.forward(Input());
            Assert.Empty(decoder.TakeFlows());
            decoder.RecordFlows = true;
            decoder.forward(Input());
            flows = decoder.TakeFlows();
        }

        try
        {
            Assert.Equal(["cab2.high", "cab2.low", "cab3.high", "cab3.low", "cab4.high", "cab4.low", "cam", "cab5.high", "cab5.low"],
                flows.Select(f => f.Name));
            Assert.All(flows.Where(f => f.Name != "cam"), f => Assert.Equal([1L, 2, 17, 12], f.Flow.shape));
            Assert.Equal([1L, 2, 3, 2], flows.Single(f => f.Name == "cam").Flow.shape);
            // Corrected: one unit = one output pixel. Official: the 17×12 input is the divisor, one unit =
            // (W−1)/(2W) output pixels.
            double sx = normalization == OffsetNormalization.Corrected ? 1 : 11.0 / 24;
            double sy = normalization == OffsetNormalization.Corrected ? 1 : 16.0 / 34;
            var field = flows.Single(f => f.Name == "cab3.high").Flow;
            Assert.Equal(k * sx, field[0, 0].min().item<float>(), 5);
            Assert.Equal(k * sx, field[0, 0].max().item<float>(), 5);
            Assert.Equal(-k * sy, field[0, 1].min().item<float>(), 5);
            Assert.Equal(-k * sy, field[0, 1].max().item<float>(), 5);
            Assert.Equal(0f, flows.Single(f => f.Name == "cab3.low").Flow.abs().max().item<float>());
        }
        finally
        {
            foreach (var f in flows) f.Flow.Dispose();
        }
    }

    [Fact]
    public void AblationSwitchesRemoveTheAlignmentModulesAndEqualAlignSegAtInitialisation()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var context = Context();
        var full = new AlignSegDecoder(context, new AlignSegOptions());
        var bilinear = new AlignSegDecoder(context, new AlignSegOptions { AlignFeatures = false, AlignContext = false });
        var fullNames = Parameters(full).Keys.ToList();
        var bilinearNames = Parameters(bilinear).Keys.ToList();
        Assert.Contains(fullNames, n => n.StartsWith("cab2.delta_gen1.", StringComparison.Ordinal));
        Assert.Contains(fullNames, n => n.StartsWith("cam.delta_gen.", StringComparison.Ordinal));
        Assert.DoesNotContain(bilinearNames, n => n.StartsWith("cab", StringComparison.Ordinal) || n.StartsWith("cam.delta_gen", StringComparison.Ordinal));
        Assert.Contains(bilinearNames, n => n.StartsWith("cam.pool_reduce.", StringComparison.Ordinal));   // context kept, alignment gone
        Assert.Equal(bilinearNames.Order(), fullNames.Where(n => !n.StartsWith("cab", StringComparison.Ordinal) && !n.StartsWith("cam.delta_gen", StringComparison.Ordinal)).Order());

        // With the official zero-initialised offsets and the corrected warp, alignment starts as the identity.
        using (no_grad())
            foreach (var (name, parameter) in bilinear.named_parameters()) parameter.copy_(Parameters(full)[name]);
        full.eval();
        bilinear.eval();
        bilinear.RecordFlows = true;
        var input = Input(2);
        var aligned = full.forward(input).Logits;
        var plain = bilinear.forward(input).Logits;
        Assert.True(MaxAbsDiff(aligned, plain) < 1e-5, $"max diff {MaxAbsDiff(aligned, plain)}");
        Assert.Empty(bilinear.TakeFlows());

        // The official warp is not an identity at zero offsets, so there the two differ from the start.
        var official = new AlignSegDecoder(context, new AlignSegOptions { OffsetNormalization = OffsetNormalization.Official });
        using (no_grad())
            foreach (var (name, parameter) in official.named_parameters()) parameter.copy_(Parameters(full)[name]);
        official.eval();
        Assert.True(MaxAbsDiff(official.forward(input).Logits, aligned) > 1e-3);
    }

    [Fact]
    public void DeepSupervisionOnD3OnlyWhileTraining()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var decoder = new AlignSegDecoder(Context(), new AlignSegOptions());
        var input = Input(2);
        var output = decoder.forward(input);
        var dsn = Assert.Single(output.Auxiliary);
        Assert.Equal("dsn.d3", dsn.Name);
        Assert.Equal(0.1, dsn.Weight);
        Assert.Equal([2L, 3, 17, 12], dsn.Logits.shape);
        Assert.Equal([2L, 3, 17, 12], output.Logits.shape);
        decoder.eval();
        Assert.Empty(decoder.forward(input).Auxiliary);
    }

    [Fact]
    public void ZeroInitialisedOffsetConvsStarveOnlyTheirOwnBranchForOneStep()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var decoder = new AlignSegDecoder(Context(), new AlignSegOptions());
        var optimiser = optim.SGD(decoder.parameters(), 0.1);
        var input = Input(2);
        var target = randint(0, 3, [2, 17, 12]);
        List<string> Starved()
        {
            optimiser.zero_grad();
            var output = decoder.forward(input);
            var loss = nn.functional.cross_entropy(output.Logits, target) + 0.1 * nn.functional.cross_entropy(output.Auxiliary[0].Logits, target);
            loss.backward();
            return decoder.named_parameters().Where(p => p.parameter.grad is null || !(p.parameter.grad.abs().max().item<float>() > 0))   // NaN counts as starved
                .Select(p => p.name).ToList();
        }

        // As in the official code: behind a zero offset conv, the offset branch's first layers get no gradient.
        var starved = Starved();
        Assert.Contains("cab2.delta_gen1.reduce.conv.weight", starved);
        Assert.All(starved, name => Assert.Contains("delta_gen", name));
        optimiser.step();
        Assert.Empty(Starved());
    }

    [Theory]
    [InlineData("""{ "offsetNormalization": "sideways" }""")]
    [InlineData("""{ "deepSupervisionWeight": -1 }""")]
    [InlineData("""{ "alignFa": false }""")]
    public void BadOptionsAreInputErrors(string json)
    {
        Assert.Throws<InputException>(() => DecoderRegistry.Get("alignseg").ResolveOptions((JsonObject)JsonNode.Parse(json)!));
    }

    /// <summary>
    /// Hand count at C2..C5 = 8@17×12, 16@9×6, 32@5×3, 64@3×2, c = 16 (RRB inner 4), 3 classes, batch 1, eval (no
    /// dropout, no DSN), default options. Convention (FlopCounter): conv = out elements × cin·k²; BN, LeakyReLU,
    /// add, divide = 1 per output element; bilinear resize / grid_sample = 4 per output element; adaptive
    /// average pool = 1 per element of every window; cat, permute, constants = 0.
    /// </summary>
    [Fact]
    public void FlopCountMatchesHandCount()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var decoder = new AlignSegDecoder(Context(), new AlignSegOptions());
        decoder.eval();
        const long c = 16, inner = 4, c5 = 64, classes = 3, hw = 17 * 12;
        static long Conv(long cin, long cout, long k, long pixels, bool bias = false) => pixels * cout * (cin * k * k + (bias ? 1 : 0));
        // RRB: 1×1 unify; 3×3 c → c/4, BN, LReLU; 3×3 c/4 → c; add; BN; LReLU.
        static long Rrb(long cin, long pixels) =>
            Conv(cin, c, 1, pixels) + Conv(c, inner, 3, pixels) + 2 * inner * pixels + Conv(inner, c, 3, pixels) + 3 * c * pixels;
        // Offset head: 1×1 2c → c, BN, LReLU; 3×3 c → 2.
        static long DeltaGen(long pixels) => Conv(2 * c, c, 1, pixels) + 2 * c * pixels + Conv(c, 2, 3, pixels);
        // Warp of a c-channel map onto `pixels` outputs: offset ÷ divisor and + base grid (2 values each), grid_sample.
        static long Warp(long pixels) => 2 * pixels + 2 * pixels + 4 * c * pixels;
        // CAB at stride 4: upsample high, two offset heads, two warps, the sum.
        static long Cab() => 4 * c * hw + 2 * DeltaGen(hw) + 2 * Warp(hw) + c * hw;

        long expected = 0;
        expected += Rrb(8, hw);                                   // RRB1a on C2
        expected += Rrb(16, 54) + Cab() + Rrb(c, hw);             // RRB2a on C3 (9×6), CAB2, RRB2b
        expected += Rrb(32, 15) + Cab() + Rrb(c, hw);             // RRB3a on C4 (5×3), CAB3, RRB3b
        expected += Rrb(c5, 6) + Cab() + Rrb(c, hw);              // RRB4a on C5 (3×2), CAB4, RRB4b
        // CAM on C5 (3×2 = 6 px). Pool 3×3: windows rows 1+1+1 = 3, cols 1+2+1 = 4 → 64·12.
        expected += c5 * 12;
        expected += Conv(c5, c5, 1, 9) + 2 * c5 * 9 + Conv(c5, c, 3, 9) + 2 * c * 9;   // pool branch at 3×3
        expected += Conv(c5, c5, 1, 6) + 2 * c5 * 6 + Conv(c5, c, 3, 6) + 2 * c * 6;   // adapt branch at 3×2
        expected += 4 * c * 6;                                    // context upsampled to 3×2 for the offset head
        expected += DeltaGen(6) + Warp(6) + c * 6;                // offsets, warp the 3×3 context, + adapt
        expected += Rrb(c, 6) + Cab() + Rrb(c, hw);               // RRB5a, CAB5, RRB5b
        // Head at stride 4: 3×3 conv, BN, LReLU; 1×1 classifier with bias.
        expected += Conv(c, c, 3, hw) + 2 * c * hw + Conv(c, classes, 1, hw, bias: true);

        var input = Input();
        using var counter = FlopCounter.Start();
        decoder.forward(input);
        Assert.Empty(counter.Uncounted);
        Assert.Equal(expected, counter.TotalMacs);
    }

    // Eval-mode trick: a zero 1×1 conv and BN bias 1 make the offset head's hidden map the constant 1 (LReLU(1) = 1),
    // and the centre tap of the zero-initialised 3×3 offset conv turns it into the constant offset (x, y).
    static void MakeConstantOffset(nn.Module module, string prefix, double x, double y)
    {
        Set(module, $"{prefix}.reduce.conv.weight", Zero);
        Set(module, $"{prefix}.reduce.bn.bias", One);
        Set(module, $"{prefix}.offset.weight", t => zeros_like(t).index_put_(tensor((float)x), 0, 0, 1, 1).index_put_(tensor((float)y), 1, 0, 1, 1));
    }

    // The released code's warp, written out: grid = linspace(−1, 1) over the output + offset / (w_in, h_in), then
    // grid_sample with align_corners false (x_pix = ((g + 1)·w_in − 1) / 2), bilinear, zero padding.
    static Tensor OfficialSample(Tensor input, Tensor offset, long outH, long outW)
    {
        long n = input.shape[0], channels = input.shape[1], h = input.shape[2], w = input.shape[3];
        var x = input.data<float>().ToArray();
        var d = offset.data<float>().ToArray();
        var result = new float[n * channels * outH * outW];
        double Pixel(long b, long ch, long row, long col) =>
            row < 0 || row >= h || col < 0 || col >= w ? 0 : x[((b * channels + ch) * h + row) * w + col];
        for (long b = 0; b < n; b++)
            for (long i = 0; i < outH; i++)
                for (long j = 0; j < outW; j++)
                {
                    double gx = -1 + 2.0 * j / (outW - 1) + d[((b * 2 + 0) * outH + i) * outW + j] / w;
                    double gy = -1 + 2.0 * i / (outH - 1) + d[((b * 2 + 1) * outH + i) * outW + j] / h;
                    double px = ((gx + 1) * w - 1) / 2, py = ((gy + 1) * h - 1) / 2;
                    long x0 = (long)Math.Floor(px), y0 = (long)Math.Floor(py);
                    double fx = px - x0, fy = py - y0;
                    for (long ch = 0; ch < channels; ch++)
                        result[((b * channels + ch) * outH + i) * outW + j] = (float)(
                            Pixel(b, ch, y0, x0) * (1 - fx) * (1 - fy) + Pixel(b, ch, y0, x0 + 1) * fx * (1 - fy) +
                            Pixel(b, ch, y0 + 1, x0) * (1 - fx) * fy + Pixel(b, ch, y0 + 1, x0 + 1) * fx * fy);
                }
        return tensor(result, [n, channels, outH, outW]);
    }
}
