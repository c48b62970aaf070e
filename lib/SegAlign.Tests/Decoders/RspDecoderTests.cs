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

    [Fact]
    public void Macs_match_a_hand_count()
    {
        torch.manual_seed(4);
        using var scope = NewDisposeScope();
        var decoder = Build(new RspOptions { Heads = 2, RegionSize = 3 });
        decoder.eval();
        // Pyramid of a 64×64 image: C2 16×16, C3 8×8, C4 4×4, C5 2×2.
        var input = new DecoderInput([randn(1, 8, 16, 16), randn(1, 16, 8, 8), randn(1, 32, 4, 4), randn(1, 64, 2, 2)], randn(1, 8, 32, 32), 64, 64);
        using var counter = FlopCounter.Start();
        using (no_grad()) decoder.forward(input);

        const long d = 16, dk = 8, heads = 2, window = 9, classes = 3;
        // Lateral 1×1 conv-BN-ReLU (no bias): P·d·Cin + P·d (BN) + P·d (ReLU).
        static long Lateral(long p, long cin) => p * d * cin + 2 * p * d;
        // One relation block with p fine and pc coarse pixels:
        static long Block(long p, long pc) =>
            p * dk * d              // query 1×1 conv
            + p * dk                // query · 1/√(dk/H)
            + pc * dk * d           // key 1×1 conv on the coarse map (unfold + nearest gather: 0)
            + p * dk * window       // q ⊙ k over the window
            + p * dk * window       // Σ over the dk/H channels of each head → logits [H, k², p]
            + p * heads * window    // + positional bias
            + p * heads * window    // + outside-the-map mask
            + 3 * p * heads * window // softmax over the k² window
            + p * d * window        // weights ⊙ values (values gathered: 0)
            + p * d * window        // Σ over the window → context
            + p * d                 // lateral + context
            + p * d * 9 * d + 2 * p * d; // 3×3 conv-BN-ReLU fuse
        long expected =
            Lateral(4, 64) + Block(4, 4)         // C5 → P5, RSE within P5 (2×2)
            + Lateral(16, 32) + Block(16, 4)     // C4 → P4 relates to P5
            + Lateral(64, 16) + Block(64, 16)    // C3 → P3 relates to P4
            + Lateral(256, 8) + Block(256, 64)   // C2 → P2 relates to P3
            + 256 * classes * (d + 1);           // 1×1 classifier with bias
        Assert.Equal(expected, counter.TotalMacs);
        Assert.Empty(counter.Uncounted);
    }
}
