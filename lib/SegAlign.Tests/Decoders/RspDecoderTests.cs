using System.Text.Json.Nodes;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Tests.Decoders;

public class RspDecoderTests
{
    static readonly DecoderContext Context = new([8, 16, 32, 64], [4, 8, 16, 32], NumClasses: 3, Channels: 16, StemChannels: 8);

    // Pyramid of a 65×47 image at strides 4..32 (odd sizes, ratios that are not exactly 2).
    static DecoderInput Pyramid(long n = 1) => new(
        [randn(n, 8, 17, 12), randn(n, 16, 9, 6), randn(n, 32, 5, 3), randn(n, 64, 3, 2)], randn(n, 8, 33, 24), 65, 47);

    static RspDecoder Build(RspOptions options) => new(Context, options);

    [Fact]
    public void Relation_weights_are_distributions_over_the_region_at_every_stage()
    {
        torch.manual_seed(0);
        using var scope = NewDisposeScope();
        var decoder = Build(new RspOptions { Heads = 2, RegionSize = 3 });
        decoder.eval();
        decoder.RecordRelations = true;
        using (no_grad()) decoder.forward(Pyramid(2));
        var maps = decoder.TakeRelations();
        try
        {
            Assert.Equal(["rse.p5", "rsp.p4", "rsp.p3", "rsp.p2"], maps.Select(m => m.Name));
            long[][] sizes = [[3, 2], [5, 3], [9, 6], [17, 12]];
            for (int i = 0; i < maps.Count; i++)
            {
                var w = maps[i].Weights;
                Assert.Equal([2L, 2, 9, sizes[i][0], sizes[i][1]], w.shape);
                Assert.False(w.requires_grad);
                Assert.True(w.ge(0).all().item<bool>());
                Assert.True(w.sum(2).sub(1).abs().max().item<float>() < 1e-5f);
            }
            Assert.Empty(decoder.TakeRelations());
        }
        finally
        {
            foreach (var map in maps) map.Weights.Dispose();
        }
    }

    [Fact]
    public void Region_is_centred_on_the_projected_coarse_cell()
    {
        // Values one-hot by position: channel c of the coarse map is 1 at cell c, so the context a fine
        // pixel gathers is exactly its relation weight for each coarse cell.
        torch.manual_seed(1);
        using var scope = NewDisposeScope();
        const int hc = 5, wc = 4, hf = 9, wf = 8, cells = hc * wc, k = 3;
        var relation = new PixelToRegionRelation(cells, 10, heads: 1, regionSize: k);
        var coarse = eye(cells).reshape(cells, hc, wc).unsqueeze(0);
        var fine = randn(1, cells, hf, wf);
        var (context, weights) = relation.forward(fine, coarse);
        var map = new RelationMap("test", k, weights, hc, wc);

        // PyTorch's nearest rule ⌊y·Hc/Hf⌋: 9 → 5 rows (not a factor of two), 8 → 4 columns (exactly 2).
        int[] rowOf = [0, 0, 1, 1, 2, 2, 3, 3, 4];
        var gathered = context[0].reshape(hc, wc, hf, wf).data<float>().ToArray();
        for (int y = 0; y < hf; y++)
            for (int x = 0; x < wf; x++)
            {
                int cy = rowOf[y], cx = x / 2;
                var window = map.At(0, y, x);
                Assert.Equal((cy, cx, cy - 1, cx - 1), (window.CentreRow, window.CentreColumn, window.Top, window.Left));
                double total = 0;
                for (int r = 0; r < hc; r++)
                    for (int c = 0; c < wc; c++)
                    {
                        float value = gathered[((r * wc + c) * hf + y) * wf + x];
                        bool inRegion = Math.Abs(r - cy) <= 1 && Math.Abs(c - cx) <= 1;
                        if (!inRegion) Assert.Equal(0f, value);
                        else
                        {
                            Assert.True(value > 0);
                            Assert.Equal(window.Weights[0, r - window.Top, c - window.Left], value, 5);
                        }
                        total += value;
                    }
                Assert.Equal(1.0, total, 5);
                // Window cells outside the map carry no weight.
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                    {
                        long r = window.Top + i, c = window.Left + j;
                        if (r < 0 || r >= hc || c < 0 || c >= wc) Assert.Equal(0f, window.Weights[0, i, j]);
                    }
            }
    }

    [Fact]
    public void Positional_bias_shapes_the_weights()
    {
        torch.manual_seed(2);
        using var scope = NewDisposeScope();
        var relation = new PixelToRegionRelation(8, 4, heads: 2, regionSize: 3);
        var fine = randn(1, 8, 6, 6);
        var coarse = randn(1, 8, 3, 3);
        using (no_grad())
        {
            relation.Query.Weight.zero_();               // no content term: logits = positional bias
            relation.PositionBias.zero_();
            var (_, uniform) = relation.forward(fine, coarse);
            // Pixel (2, 2) projects onto the centre cell (1, 1), whose whole window is inside.
            Assert.True(uniform[0, .., .., 2, 2].sub(1f / 9).abs().max().item<float>() < 1e-6f);

            var bias = arange(18, dtype: float32).reshape(2, 9).mul(0.25f);
            relation.PositionBias.copy_(bias);
            var (_, shaped) = relation.forward(fine, coarse);
            var expected = bias.softmax(1);
            Assert.True(shaped[0, .., .., 2, 2].sub(expected).abs().max().item<float>() < 1e-6f);
            // A corner pixel renormalises the bias over the in-map part of its window only (offsets 4, 5, 7, 8).
            var corner = shaped[0, .., .., 0, 0];
            var inside = bias.index_select(1, tensor(new long[] { 4, 5, 7, 8 })).softmax(1);
            Assert.True(corner.index_select(1, tensor(new long[] { 4, 5, 7, 8 })).sub(inside).abs().max().item<float>() < 1e-6f);
            Assert.Equal(0f, corner.index_select(1, tensor(new long[] { 0, 1, 2, 3, 6 })).abs().max().item<float>());
        }
    }

    [Fact]
    public void Region_size_sets_window_and_bias_shapes()
    {
        torch.manual_seed(3);
        using var scope = NewDisposeScope();
        var small = Build(new RspOptions { Heads = 2, RegionSize = 3 });
        var large = Build(new RspOptions { Heads = 2, RegionSize = 5 });
        long Count(RspDecoder d) => d.parameters().Sum(p => p.numel());
        // Four relation modules (top RSE + three RSPs), each with a [heads, k²] bias table; nothing else depends on k.
        Assert.Equal(4 * 2 * (25 - 9), Count(large) - Count(small));
        Assert.All(large.named_parameters().Where(p => p.name.EndsWith("position_bias", StringComparison.Ordinal)),
            p => Assert.Equal([2L, 25], p.parameter.shape));

        large.eval();
        large.RecordRelations = true;
        using (no_grad()) large.forward(Pyramid());
        var maps = large.TakeRelations();
        Assert.All(maps, m => { Assert.Equal(5, m.RegionSize); Assert.Equal(25, m.Weights.shape[2]); });
        foreach (var map in maps) map.Weights.Dispose();

        var noTop = Build(new RspOptions { Heads = 2, RegionSize = 3, TopRelation = false });
        Assert.True(Count(noTop) < Count(small));
    }

    [Fact]
    public void Bad_options_are_input_errors()
    {
        var entry = DecoderRegistry.Get("rsp");
        Assert.Throws<InputException>(() => entry.ResolveOptions(new JsonObject { ["regionSize"] = 4 }));
        Assert.Throws<InputException>(() => entry.ResolveOptions(new JsonObject { ["heads"] = 0 }));
        Assert.Throws<InputException>(() => entry.Create(Context, new JsonObject { ["heads"] = 3 }));
    }

    // Pyramid of a 64×64 image: C2 16×16, C3 8×8, C4 4×4, C5 2×2 (every ratio exactly 2, nothing padded).
    static DecoderInput Pyramid64() =>
        new([randn(1, 8, 16, 16), randn(1, 16, 8, 8), randn(1, 32, 4, 4), randn(1, 64, 2, 2)], randn(1, 8, 32, 32), 64, 64);

    [Fact]
    public void Macs_match_a_hand_count()
    {
        torch.manual_seed(4);
        using var scope = NewDisposeScope();
        var decoder = Build(new RspOptions { Heads = 2, RegionSize = 3 });
        decoder.eval();

        const long d = 16, dk = 8, heads = 2, window = 9, classes = 3;
        // Lateral 1×1 conv-BN-ReLU (no bias): P·d·Cin + P·d (BN) + P·d (ReLU).
        static long Lateral(long[] size, long cin) => size[0] * size[1] * (d * cin + 2 * d);
        // One relation block, fine map hf×wf relating to the coarse map hc×wc (batch 1). Every stage takes the
        // blocked path: each axis has ratio s = 2 (fine = 2·coarse or 2·coarse − 1) or s = 1 (equal sizes), the
        // queries are zero-padded to s·hc × s·wc = pp pixels and grouped into s×s blocks per coarse cell.
        static long Block(long[] fine, long[] coarse)
        {
            long p = fine[0] * fine[1], pc = coarse[0] * coarse[1];
            long pp = (fine[0] == coarse[0] ? 1 : 2) * coarse[0] * (fine[1] == coarse[1] ? 1 : 2) * coarse[1];
            return p * dk * d             // query 1×1 conv
                + p * dk                  // query · 1/√(dk/H) (before the zero padding)
                + pc * dk * d             // key 1×1 conv on the coarse map (pad, unfold, reshapes: 0)
                + pp * dk * window        // logits: per padded pixel and head a [1, dk/H]·[dk/H, k²] matmul → H·k²·dk/H
                + pc * heads * window     // positional bias + outside-the-map mask, once per coarse cell: [1, H, cells, 1, k²]
                + pp * heads * window     // logits + (bias + mask)
                + 3 * pp * heads * window // softmax over the k² window
                + pp * d * window         // context: per padded pixel and head a [1, k²]·[k², d/H] matmul → H·(d/H)·k²
                + p * d                   // lateral + context (padding sliced off: 0)
                + p * d * 9 * d + 2 * p * d; // 3×3 conv-BN-ReLU fuse
        }
        static long Expected(long[][] c) =>   // c: C2..C5 sizes
            Lateral(c[3], 64) + Block(c[3], c[3])       // C5 → P5, RSE within P5
            + Lateral(c[2], 32) + Block(c[2], c[3])     // C4 → P4 relates to P5
            + Lateral(c[1], 16) + Block(c[1], c[2])     // C3 → P3 relates to P4
            + Lateral(c[0], 8) + Block(c[0], c[1])      // C2 → P2 relates to P3
            + c[0][0] * c[0][1] * classes * (d + 1);    // 1×1 classifier with bias

        var even = Pyramid64();
        var odd = Pyramid();
        using (var counter = FlopCounter.Start())
        {
            using (no_grad()) decoder.forward(even);
            // 64×64: no padding, pp = p; e.g. P2 (16×16 from 8×8): 256·8·9 logits MACs, 256·16·9 context MACs.
            Assert.Equal(Expected([[16, 16], [8, 8], [4, 4], [2, 2]]), counter.TotalMacs);
            Assert.Equal(3 + 1, counter.Ops.Count(o => o.Op == "matmul") / 2);   // two matmuls per relation
            Assert.DoesNotContain(counter.Ops, o => o.Op == "pad" || o.Op == "interpolate_nearest");
            Assert.Empty(counter.Uncounted);
        }
        using (var counter = FlopCounter.Start())
        {
            // 65×47: odd sizes, P4 (5×3 from 3×2) padded to 6×4, P3 (9×6 from 5×3) to 10×6, P2 (17×12 from 9×6) to 18×12.
            using (no_grad()) decoder.forward(odd);
            Assert.Equal(Expected([[17, 12], [9, 6], [5, 3], [3, 2]]), counter.TotalMacs);
            Assert.Equal(3, counter.Ops.Count(o => o.Op == "pad"));
            Assert.Empty(counter.Uncounted);
        }
    }

    // (fine, coarse) sizes where the blocked relation applies.
    public static TheoryData<int, int, int, int> BlockableSizes() => new()
    {
        { 16, 16, 8, 8 },    // ratio exactly 2
        { 65, 47, 33, 24 },  // a 65×47 map and its stride-2 child: 2Hc − 1 rows, 2Wc − 1 columns
        { 17, 12, 9, 6 },    // P2 ← P3 of a 65×47 image
        { 9, 6, 5, 3 },      // P3 ← P4
        { 5, 3, 3, 2 },      // P4 ← P5
        { 3, 2, 3, 2 },      // RSE: equal sizes (blocks of one pixel)
        { 7, 4, 7, 2 },      // equal rows, ratio-2 columns (dilated backbones keep C4/C5 sizes)
        { 2, 1, 1, 1 },
        { 1, 1, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(BlockableSizes))]
    public void Blocked_relation_equals_the_general_one(int hf, int wf, int hc, int wc)
    {
        torch.manual_seed(5);
        using var scope = NewDisposeScope();
        var relation = new PixelToRegionRelation(16, 8, heads: 2, regionSize: 5);
        var fine = randn(2, 16, hf, wf);
        var coarse = randn(2, 16, hc, wc);
        var contextGradient = randn(2, 16, hf, wf);
        var weightsGradient = randn([2, 2, 25, hf, wf]);

        List<Tensor> Run(PixelToRegionRelation.RelationPath path)
        {
            relation.zero_grad();
            var f = fine.clone().requires_grad_(true);
            var c = coarse.clone().requires_grad_(true);
            var (context, weights) = relation.Forward(f, c, path);
            Assert.Equal([2L, 16, hf, wf], context.shape);
            Assert.Equal([2L, 2, 25, hf, wf], weights.shape);
            // Gradient through both outputs (the weights feed only visualisation in the decoder, but must be right).
            context.mul(contextGradient).sum().add(weights.mul(weightsGradient).sum()).backward();
            return [context.detach(), weights.detach(), f.grad!.clone(), c.grad!.clone(),
                .. relation.parameters().Select(p => p.grad!.clone())];
        }
        var general = Run(PixelToRegionRelation.RelationPath.General);
        var blocked = Run(PixelToRegionRelation.RelationPath.Blocked);
        string[] names = ["context", "weights", "fine grad", "coarse grad", .. relation.named_parameters().Select(p => p.name + " grad")];
        Assert.Equal(names.Length, general.Count);
        for (int i = 0; i < general.Count; i++)
        {
            double scale = 1 + general[i].abs().max().item<float>();
            double error = blocked[i].sub(general[i]).abs().max().item<float>();
            Assert.True(error <= 1e-5 * scale, $"{hf}×{wf} ← {hc}×{wc}: {names[i]} differs by {error:G3} (scale {scale:G3})");
        }
    }

    [Theory]
    [InlineData(16, 16, 8, 8, true)]
    [InlineData(17, 12, 9, 6, true)]
    [InlineData(3, 2, 3, 2, true)]
    [InlineData(9, 8, 3, 3, false)]   // ratio 3 rows
    [InlineData(8, 8, 3, 3, false)]   // 8 ∉ {5, 6}
    [InlineData(4, 4, 8, 8, false)]   // coarse larger than fine
    public void Blocked_relation_is_chosen_exactly_where_the_sizes_allow_it(int hf, int wf, int hc, int wc, bool blocked)
    {
        torch.manual_seed(6);
        using var scope = NewDisposeScope();
        var relation = new PixelToRegionRelation(8, 4, heads: 2, regionSize: 3);
        var fine = randn(1, 8, hf, wf);
        var coarse = randn(1, 8, hc, wc);
        using (var counter = FlopCounter.Start())
        {
            using (no_grad()) relation.forward(fine, coarse);
            Assert.Equal(blocked, counter.Ops.Any(o => o.Op == "matmul"));
        }
        if (!blocked)
            Assert.Throws<ArgumentException>(() => relation.Forward(fine, coarse, PixelToRegionRelation.RelationPath.Blocked));
    }

    [Fact]
    public void Ratio_two_block_rule_matches_the_nearest_projection_up_to_its_bound()
    {
        // The blocked relation assumes fine index y lies over coarse cell y / s (BlockFactor's proof); check it
        // against RelationMap.ProjectIndex for every size it is used at.
        for (long c = 1; c <= PixelToRegionRelation.MaxBlockedCoarse; c++)
            foreach (long f in new[] { c, 2 * c - 1, 2 * c })
            {
                long s = PixelToRegionRelation.BlockFactor(f, c);
                Assert.True(s is 1 or 2, $"{f} over {c}");
                for (long y = 0; y < f; y++)
                    if (RelationMap.ProjectIndex(y, f, c) != y / s) Assert.Fail($"fine {y} of {f} → coarse {RelationMap.ProjectIndex(y, f, c)} of {c}, not {y / s}");
            }
        Assert.Equal(0, PixelToRegionRelation.BlockFactor(2 * 2049 - 1, 2049));
        Assert.Equal(0, PixelToRegionRelation.BlockFactor(7, 3));
        Assert.Equal(0, PixelToRegionRelation.BlockFactor(3, 7));

        // And against libtorch's nearest resize itself (what the general path uses), on the same sizes.
        using var scope = NewDisposeScope();
        for (long c = 1; c <= PixelToRegionRelation.MaxBlockedCoarse; c++)
            foreach (long f in new[] { 2 * c - 1, 2 * c })
            {
                using var index = arange(c, dtype: float32).reshape(1, 1, c, 1);
                using var projected = nn.functional.interpolate(index, [f, 1], mode: InterpolationMode.Nearest);
                using var expected = arange(f, dtype: int64).div(2, rounding_mode: RoundingMode.floor).to(float32);
                Assert.True(projected.flatten().eq(expected).all().item<bool>(), $"libtorch nearest {c} → {f}");
            }
        // Past the bound float rounding does break the rule (first at c = 2095, fine row 4187): why it stops there.
        Assert.Equal(2094, RelationMap.ProjectIndex(4187, 2 * 2095 - 1, 2095));
    }
}
