using SegAlign.Models.Modules;
using SegAlign.Config;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>Options of the RSP head.</summary>
public sealed record RspOptions : IValidatable
{
    /// <summary>Side k of the k×k region of the coarser map that each pixel relates to (odd).</summary>
    public int RegionSize { get; init; } = 5;

    /// <summary>Relation heads: channel groups with their own relation weights and positional bias.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Extract relational context on the top level first (pixel-to-region relation of P5 with itself).</summary>
    public bool TopRelation { get; init; } = true;

    /// <summary>
    /// With <c>model.contextInputSize</c>: shrink the window for each level's own coarse map (the paper's k = 5 on the 8×8 and
    /// 16×16 maps of a 128-px input, k = 3 only where P5 is 4×4) instead of for P5 on every level (protocol v2's rule).
    /// </summary>
    /// Unset (null) is protocol v2's rule and stays out of resolved configs, so their hashes do not change.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? RegionPerLevel { get => regionPerLevel; init => regionPerLevel = value == true ? true : null; }
    readonly bool? regionPerLevel;

    public void Validate(string where)
    {
        if (RegionSize < 1 || RegionSize % 2 == 0 || RegionSize > 15)
            throw new InputException($"{where}.regionSize", $"must be odd and in 1..15, got {RegionSize}", "use 3, 5 or 7");
        if (Heads < 1) throw new InputException($"{where}.heads", $"must be ≥ 1, got {Heads}", "use 4");
    }
}

/// <summary>
/// RSP head: an FPN whose top-down steps are Relational Semantics Propagators.
/// Paper: Bai, Huang, Shen, Guo, Ang, Rus, "Multi-Scale Feature Aggregation by Cross-Scale Pixel-to-Region
/// Relation Operation for Semantic Segmentation", arXiv 2106.01744 (2021). No official code is published;
/// only the abstract and introduction could be read, so this is a reconstruction (choices listed below).
///
///   C5 → 1×1 ─ [RSE: P5 pixel ↔ k×k region of P5, ⊕, 3×3] ─────────────── P5
///   C4 → 1×1 ─ RSP(query = lateral, region of P5) ⊕ lateral → 3×3 ─────── P4
///   C3 → 1×1 ─ RSP(query = lateral, region of P4) ⊕ lateral → 3×3 ─────── P3
///   C2 → 1×1 ─ RSP(query = lateral, region of P3) ⊕ lateral → 3×3 ─────── P2 → 1×1 → logits at stride 4
///
///   relation (one head h of H, window K = k²):  q = Wq·lateral(p) / √(dk/H),  κ = Wk·P_coarse,
///     w_h(p, j) = softmax_j( q_h(p)·κ_h(π(p) + δ_j) + b_h(δ_j) ),  context_h(p) = Σ_j w_h(p, j) · P_coarse,h(π(p) + δ_j)
///   π(p) = the coarse cell under p (PyTorch nearest: ⌊y·Hc/Hf⌋), δ_j the k×k offsets; cells outside the map are masked.
///
/// What the paper states (abstract, introduction): an efficient FPN provides the multi-scale features; a
/// Relational Semantics Extractor (RSE, inspired by Local Relation Networks, Hu et al. ICCV 2019) lets a
/// low-level pixel extract complementary context from a region of the adjacent high-level map (cross-scale
/// pixel-to-region relation); the spatial relation comes from an added positional embedding; RSPs built on
/// the RSE are stacked top-down into the RSP head. Reconstruction choices:
/// - Relation: scaled dot product of a 1×1 query (on the lateral) and a 1×1 key (on the coarse map), both
///   c/2 wide (no bias, PyTorch default init), split into H heads; plus a learned relative positional bias
///   per head and offset (k² values, init N(0, 0.02²)); softmax over the region. LR-Net's squared-difference
///   composability and MLP geometry prior are replaced by the dot product and a bias table (the paper says
///   "adding a positional embedding").
/// - Values are the coarse map itself, split into H channel groups (LR-Net aggregates its input, no value
///   projection); the context is added to the lateral (the FPN sum, now relation-weighted instead of
///   upsampled) and fused by a 3×3 conv-BN-ReLU. The fused map is what the next RSP relates to.
/// - k = 5 by default: LR-Net found 7×7 best within one scale; one coarse cell covers 2×2 fine pixels, so a
///   5×5 coarse region already spans ~10×10 fine pixels. The paper's value could not be read.
/// - The region is centred on π(p) (nearest projection); windows are clipped at the border by masking the
///   logits, not by zero keys. Since every coarse map here has Hc = ⌈Hf/2⌉ (or Hc = Hf), π(p) is the cell
///   under p's 2×2 block, so each cell's window of keys and values is unfolded once at coarse resolution and
///   the relation of the block's pixels is two batched matrix products (see <see cref="PixelToRegionRelation"/>,
///   which keeps a general nearest-resize implementation for other sizes). The attention arithmetic is
///   small next to the 3×3 fuse convs (see the FLOP test).
///   A coarse map of one cell (C5 1×1, e.g. a 32×32 input at output stride 32) leaves one cell per window:
///   the softmax is then constantly 1 and that stage's query/key/bias receive zero gradient, as in any
///   attention over a single element.
/// - Top level: with TopRelation the same operator runs within P5 (query and region both from P5, the RSE
///   extracting context that the RSPs then propagate); the paper's exact top-level context is unknown. No
///   PPM (the paper credits context to the relations).
/// - "Efficient FPN": 1×1 conv-BN-ReLU laterals to c = context.Channels (Panoptic FPN/SFNet use 256/128);
///   no final multi-level concat — the context is propagated top-down, so P2 alone feeds the classifier.
/// - Initialisation of convs as the baseline (kaiming normal fan-out; classifier PyTorch default).
/// Relation weights of every stage can be recorded for visualisation (<see cref="IRelationProducer"/>).
/// </summary>
public sealed class RspDecoder : Decoder, IRelationProducer
{
    readonly TensorModules fpn_in = new();
    readonly RelationBlock? rse;
    readonly TorchSharp.Modules.ModuleList<RelationBlock> rsp = new();
    readonly ConvLayer classifier;
    readonly List<RelationMap> recorded = new();

    public RspDecoder(DecoderContext context, RspOptions options) : base(nameof(RspDecoder), context)
    {
        long d = context.Channels;
        long keyChannels = d / 2;
        if (keyChannels < 1 || d % options.Heads != 0 || keyChannels % options.Heads != 0)
            throw new InputException("model.decoderOptions.heads",
                $"{options.Heads} heads must divide the width {d} and the key width {keyChannels}", "use a power of two for both (e.g. heads 4, decoderChannels 128)");
        for (int i = 0; i < 4; i++) fpn_in.Add(new ConvBnAct(context.InChannels[i], d, 1));
        RegionSize = ContextScaling.RegionSize(options.RegionSize, context.ContextMapSide(3));
        // rsp[i] relates level i (P2..P4) to the level above it; the RSE relates P5 to itself.
        levelRegion = [.. Enumerable.Range(0, 3).Select(i => options.RegionPerLevel == true ? ContextScaling.RegionSize(options.RegionSize, context.ContextMapSide(i + 1)) : RegionSize)];
        if (options.TopRelation) rse = new RelationBlock(d, keyChannels, options.Heads, RegionSize);
        for (int i = 0; i < 3; i++) rsp.Add(new RelationBlock(d, keyChannels, options.Heads, levelRegion[i]));
        classifier = new ConvLayer(d, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    /// <summary>The window of the top level (P5 with itself, and P4 relating to P5).</summary>
    public int RegionSize { get; }

    readonly int[] levelRegion;

    /// <summary>The window of the step that refines level P(i+2) from the level above it.</summary>
    public int RegionSizeAt(int level) => levelRegion[level];

    public bool RecordRelations { get; set; }

    public IReadOnlyList<RelationMap> TakeRelations()
    {
        var taken = recorded.ToList();
        recorded.Clear();
        return taken;
    }

    public override DecoderOutput forward(DecoderInput input)
    {
        var c = input.Features;
        if (RecordRelations) { foreach (var map in recorded) map.Weights.Dispose(); recorded.Clear(); }

        var f = fpn_in[3].forward(c[3]);
        if (rse is not null) f = Propagate("rse.p5", rse, f, f, RegionSize);
        for (int i = 2; i >= 0; i--)
            f = Propagate($"rsp.p{i + 2}", rsp[i], fpn_in[i].forward(c[i]), f, levelRegion[i]);
        return new DecoderOutput(classifier.forward(f));
    }

    Tensor Propagate(string name, RelationBlock block, Tensor lateral, Tensor coarser, int regionSize)
    {
        var (output, weights) = block.forward(lateral, coarser);
        if (RecordRelations)
            recorded.Add(new RelationMap(name, regionSize, Ops.Detach(weights).DetachFromDisposeScope(), coarser.shape[2], coarser.shape[3]));
        return output;
    }
}

/// <summary>One RSP (or the top-level RSE): lateral ⊕ relation context → 3×3 conv-BN-ReLU.</summary>
public sealed class RelationBlock : nn.Module<Tensor, Tensor, (Tensor Output, Tensor Weights)>
{
    readonly PixelToRegionRelation relation;
    readonly ConvBnAct fuse;

    public RelationBlock(long channels, long keyChannels, int heads, int regionSize) : base(nameof(RelationBlock))
    {
        relation = new PixelToRegionRelation(channels, keyChannels, heads, regionSize);
        fuse = new ConvBnAct(channels, channels, 3);
        RegisterComponents();
    }

    public PixelToRegionRelation Relation => relation;

    public override (Tensor Output, Tensor Weights) forward(Tensor lateral, Tensor coarser)
    {
        var (context, weights) = relation.forward(lateral, coarser);
        return (fuse.forward(Ops.Add(lateral, context)), weights);
    }
}

/// <summary>
/// The cross-scale pixel-to-region relation: every pixel of <c>fine</c> attends to the k×k region of
/// <c>coarse</c> centred on its projected position. Returns the context [N, C, Hf, Wf] and the relation
/// weights [N, heads, k², Hf, Wf] (row-major over the window). Works for any size ratio, including equal sizes.
///
/// Two implementations of the same function, picked per call (<see cref="BlockFactor"/>):
/// - blocked, when along each axis Hf = Hc or Hf ∈ {2Hc − 1, 2Hc} — every stage of the RSP head, whose coarse
///   maps come from stride-2 convs (Hc = ⌈Hf/2⌉), and the RSE (equal sizes). Each coarse cell's k×k window of
///   keys and values is gathered once at coarse resolution, the fine queries are grouped into the s×s block of
///   pixels above each cell (s = 2, or 1 for equal sizes; the fine map is zero-padded to s·Hc × s·Wc and the
///   padded pixels are dropped at the end), and logits and context are two batched matrix products per cell:
///   [s², dk] × [dk, k²] and [s², k²] × [k², dv].
/// - general, for any other sizes: the unfolded coarse keys and values are carried to every fine pixel by a
///   nearest resize ([N, C·k², Hf, Wf] tensors) and the relation is an elementwise product and a sum. Memory
///   bound: it moves k²·(dk + C) values per fine pixel (4× replicated at a ratio of 2).
/// Both give the same result up to float rounding (see RspDecoderTests).
/// </summary>
public sealed class PixelToRegionRelation : nn.Module<Tensor, Tensor, (Tensor Context, Tensor Weights)>
{
    const float Masked = -1e9f;
    readonly ConvLayer query, key;
    readonly TorchSharp.Modules.Parameter position_bias;
    readonly int heads, k;
    readonly long channels, keyChannels;

    public PixelToRegionRelation(long channels, long keyChannels, int heads, int regionSize) : base(nameof(PixelToRegionRelation))
    {
        this.channels = channels; this.keyChannels = keyChannels; this.heads = heads; k = regionSize;
        query = new ConvLayer(channels, keyChannels, 1, init: ConvInit.PyTorchDefault);
        key = new ConvLayer(channels, keyChannels, 1, init: ConvInit.PyTorchDefault);
        position_bias = new TorchSharp.Modules.Parameter(zeros(heads, regionSize * regionSize));
        using (no_grad()) nn.init.normal_(position_bias, 0, 0.02);
        RegisterComponents();
    }

    public ConvLayer Query => query;
    public ConvLayer Key => key;
    /// <summary>[heads, k²]: the learned relative positional bias added to the logits.</summary>
    public TorchSharp.Modules.Parameter PositionBias => position_bias;

    public override (Tensor Context, Tensor Weights) forward(Tensor fine, Tensor coarse) => Forward(fine, coarse, RelationPath.Auto);

    internal enum RelationPath { Auto, General, Blocked }

    /// <summary>The relation by a chosen implementation (tests compare them); Auto = blocked where the sizes allow it.</summary>
    internal (Tensor Context, Tensor Weights) Forward(Tensor fine, Tensor coarse, RelationPath path)
    {
        long sy = BlockFactor(fine.shape[2], coarse.shape[2]), sx = BlockFactor(fine.shape[3], coarse.shape[3]);
        bool blockable = sy > 0 && sx > 0;
        if (path == RelationPath.Blocked && !blockable)
            throw new ArgumentException($"no blocked relation from {coarse.shape[2]}×{coarse.shape[3]} to {fine.shape[2]}×{fine.shape[3]}");
        return blockable && path != RelationPath.General ? ForwardBlocked(fine, coarse, sy, sx) : ForwardGeneral(fine, coarse);
    }

    /// <summary>Largest coarse size for which the ratio-2 block rule is proven (see <see cref="BlockFactor"/>).</summary>
    internal const long MaxBlockedCoarse = 2048;

    /// <summary>
    /// s ∈ {1, 2} such that fine index y lies over coarse cell ⌊y / s⌋ under PyTorch's nearest rule
    /// (<see cref="RelationMap.ProjectIndex"/>) for every y &lt; <paramref name="fine"/>; 0 when there is none we use.
    /// </summary>
    /// <remarks>
    /// Let c = coarse, f = fine, u = 2⁻²⁴ (float's unit roundoff); the rule is π(y) = min(⌊fl(y·σ)⌋, c − 1), σ = fl(c/f),
    /// y converted to float exactly (y &lt; 2²⁴); rounding to nearest is monotone and has relative error ≤ u.
    /// - f = c: PyTorch copies (π(y) = y), so s = 1.
    /// - f = 2c: σ = 1/2 exactly, y·σ is exact, π(y) = ⌊y/2⌋ (PyTorch also special-cases it as y &gt;&gt; 1).
    /// - f = 2c − 1 (c ≥ 2): c/f &gt; 1/2 and 1/2 is a float, so σ ≥ 1/2 and σ ≤ (c/f)(1 + u).
    ///   y = 2m (m ≤ c − 1): y·σ ≥ m, and m is a float, so fl(y·σ) ≥ m; above, m/f ≤ (c − 1)/(2c − 1) &lt; 1/2, so
    ///   y·σ ≤ (m + m/f)(1 + u) &lt; (m + 1/2)(1 + u), far below m + 1, and fl(y·σ) &lt; m + 1. Hence π(y) = m.
    ///   y = 2m + 1 (m ≤ c − 2, as y ≤ f − 1 = 2c − 2): y·σ ≥ m + 1/2, so π(y) ≥ m; exactly y·c/f = m + 1 − (c − 1 − m)/f
    ///   ≤ m + 1 − 1/f, so y·σ ≤ m + 1 − 1/f + (m + 1)·u. It rounds below m + 1 if it lies under the midpoint
    ///   between m + 1 and the float before it, which is ≥ (m + 1)(1 − u): sufficient is 2(m + 1)·u &lt; 1/f, which
    ///   (m + 1 ≤ c − 1) holds when (c − 1)(2c − 1) &lt; 2²³: true for c ≤ 2048 = <see cref="MaxBlockedCoarse"/>.
    ///   Hence π(y) = m. (The rule first fails at c = 2095; RspDecoderTests checks every c ≤ 2048 against
    ///   ProjectIndex and against libtorch's nearest resize.)
    /// In our FPN the coarse map comes from a stride-2 conv (kernel 3, pad 1, or 1×1 stride 2): Hc = ⌈Hf/2⌉,
    /// so f ∈ {2c − 1, 2c} at every stage. Other callers fall back to the general implementation.
    /// </remarks>
    internal static long BlockFactor(long fine, long coarse)
    {
        if (fine == coarse) return 1;
        return (fine == 2 * coarse || fine == 2 * coarse - 1) && coarse <= MaxBlockedCoarse ? 2 : 0;
    }

    // Blocked: Q [N, H, Hc·Wc, s², dk] · K [N, H, Hc·Wc, dk, k²] → weights · V [N, H, Hc·Wc, k², dv].
    (Tensor Context, Tensor Weights) ForwardBlocked(Tensor fine, Tensor coarse, long sy, long sx)
    {
        long n = fine.shape[0], hf = fine.shape[2], wf = fine.shape[3], hc = coarse.shape[2], wc = coarse.shape[3];
        long window = k * k, keyPerHead = keyChannels / heads, valuePerHead = channels / heads, cells = hc * wc;

        // Queries grouped by the coarse cell they lie over: [N, dk·H, sy·Hc, sx·Wc] → [N, H, cells, sy·sx, dk/H].
        var q = Ops.Affine(query.forward(fine), 1 / Math.Sqrt(keyPerHead), 0);
        q = Ops.Pad(q, 0, sx * wc - wf, 0, sy * hc - hf);
        q = Ops.Reshape(Ops.Permute(Ops.Reshape(q, n, heads, keyPerHead, hc, sy, wc, sx), 0, 1, 3, 5, 4, 6, 2),
            n, heads, cells, sy * sx, keyPerHead);
        // Each cell's window, gathered once at coarse resolution (zero-padded at the border).
        var keys = Ops.Permute(Ops.Reshape(Ops.Unfold(key.forward(coarse), k, 1, k / 2, 1), n, heads, keyPerHead, window, cells),
            0, 1, 4, 2, 3);                                                    // [N, H, cells, dk/H, k²]
        var logits = Ops.MatMul(q, keys);                                      // [N, H, cells, s², k²]
        var biasAndMask = Ops.Add(Ops.Reshape(position_bias, 1, heads, 1, 1, window), CellMask(hc, wc, coarse.device));
        var weights = Ops.Softmax(Ops.Add(logits, biasAndMask), 4);

        var values = Ops.Permute(Ops.Reshape(Ops.Unfold(coarse, k, 1, k / 2, 1), n, heads, valuePerHead, window, cells),
            0, 1, 4, 3, 2);                                                    // [N, H, cells, k², dv]
        var context = Ops.MatMul(weights, values);                             // [N, H, cells, s², dv]
        return (Ops.Reshape(FromBlocks(context, hc, wc, sy, sx, hf, wf), n, channels, hf, wf),
            FromBlocks(weights, hc, wc, sy, sx, hf, wf));
    }

    // [N, H, Hc·Wc, sy·sx, D] → [N, H, D, Hf, Wf]: blocks back onto the fine grid, padding dropped.
    static Tensor FromBlocks(Tensor x, long hc, long wc, long sy, long sx, long hf, long wf)
    {
        long n = x.shape[0], h = x.shape[1], d = x.shape[4];
        var grid = Ops.Reshape(Ops.Permute(Ops.Reshape(x, n, h, hc, wc, sy, sx, d), 0, 1, 6, 2, 4, 3, 5), n, h, d, sy * hc, sx * wc);
        if (sy * hc > hf) grid = Ops.Slice(grid, 3, 0, hf);
        if (sx * wc > wf) grid = Ops.Slice(grid, 4, 0, wf);
        return grid;
    }

    // General: keys and values carried to every fine pixel, relation as elementwise product and sum.
    (Tensor Context, Tensor Weights) ForwardGeneral(Tensor fine, Tensor coarse)
    {
        long n = fine.shape[0], hf = fine.shape[2], wf = fine.shape[3], hc = coarse.shape[2], wc = coarse.shape[3];
        long window = k * k, keyPerHead = keyChannels / heads, valuePerHead = channels / heads;

        var q = Ops.Affine(query.forward(fine), 1 / Math.Sqrt(keyPerHead), 0);
        var keys = Regions(key.forward(coarse), hf, wf);                       // [N, dk·k², Hf, Wf]
        var logits = Ops.Sum(Ops.Mul(Ops.Reshape(q, n, heads, keyPerHead, 1, hf, wf),
            Ops.Reshape(keys, n, heads, keyPerHead, window, hf, wf)), 2);     // [N, H, k², Hf, Wf]
        logits = Ops.Add(logits, Ops.Reshape(position_bias, 1, heads, window, 1, 1));
        logits = Ops.Add(logits, Ops.Reshape(Project(OutsideMask(hc, wc, coarse.device), hf, wf), 1, 1, window, hf, wf));
        var weights = Ops.Softmax(logits, 2);

        var values = Ops.Reshape(Regions(coarse, hf, wf), n, heads, valuePerHead, window, hf, wf);
        var context = Ops.Sum(Ops.Mul(Ops.Reshape(weights, n, heads, 1, window, hf, wf), values), 3);
        return (Ops.Reshape(context, n, channels, hf, wf), weights);
    }

    // [N, C, Hc, Wc] → [N, C·k², Hf, Wf]: the k×k neighbourhood of each coarse cell (zero-padded), carried
    // to every fine pixel that projects onto that cell.
    Tensor Regions(Tensor coarse, long hf, long wf)
    {
        long n = coarse.shape[0], c = coarse.shape[1], hc = coarse.shape[2], wc = coarse.shape[3];
        var unfolded = Ops.Unfold(coarse, k, 1, k / 2, 1);
        return Project(Ops.Reshape(unfolded, n, c * k * k, hc, wc), hf, wf);
    }

    // Coarse cell → the fine pixels above it: nearest resize, a gather (no arithmetic). Source index
    // ⌊y·Hc/Hf⌋ in PyTorch's float arithmetic (see RelationMap.ProjectIndex).
    static Tensor Project(Tensor coarse, long hf, long wf) => Ops.Resize(coarse, hf, wf, alignCorners: false, nearest: true);

    // Whether window offset j of cell (y, x) lies inside the Hc×Wc map (else in the unfold's zero padding).
    bool Inside(int j, long y, long x, long hc, long wc)
    {
        long cy = y + j / k - k / 2, cx = x + j % k - k / 2;
        return cy >= 0 && cy < hc && cx >= 0 && cx < wc;
    }

    // [1, k², Hc, Wc]: 0 where window offset j of cell (y, x) lies inside the map, −1e9 where it lies in the
    // zero padding, so padded cells get no weight.
    Tensor OutsideMask(long hc, long wc, Device device)
    {
        var values = new float[k * k * hc * wc];
        for (int j = 0; j < k * k; j++)
            for (long y = 0; y < hc; y++)
                for (long x = 0; x < wc; x++)
                    values[(j * hc + y) * wc + x] = Inside(j, y, x, hc, wc) ? 0 : Masked;
        return Ops.Constant(values, [1, k * k, hc, wc], device);
    }

    // The same mask in the blocked layout: [1, 1, Hc·Wc, 1, k²].
    Tensor CellMask(long hc, long wc, Device device)
    {
        var values = new float[hc * wc * k * k];
        for (long y = 0; y < hc; y++)
            for (long x = 0; x < wc; x++)
                for (int j = 0; j < k * k; j++)
                    values[(y * wc + x) * k * k + j] = Inside(j, y, x, hc, wc) ? 0 : Masked;
        return Ops.Constant(values, [1, 1, hc * wc, 1, k * k], device);
    }
}

/// <summary>Implemented by decoders whose features aggregate context through learned relation weights (RSP).</summary>
public interface IRelationProducer
{
    /// <summary>When true, the next forward passes keep detached copies of their relation weights.</summary>
    bool RecordRelations { get; set; }

    /// <summary>Weights of the last forward pass with <see cref="RecordRelations"/> on; the caller owns and disposes them.</summary>
    IReadOnlyList<RelationMap> TakeRelations();
}

/// <summary>
/// Relation weights of one stage: how much each pixel of the finer map drew from each cell of the k×k
/// region of the coarser map (<see cref="CoarseHeight"/>×<see cref="CoarseWidth"/>) around its projection.
/// </summary>
/// <param name="Name">Stage, e.g. "rsp.p3" (queries from P3, regions of P4) or "rse.p5".</param>
/// <param name="RegionSize">k.</param>
/// <param name="Weights">[N, heads, k², H, W], window offsets row-major; detached, outside any dispose scope.</param>
/// <param name="CoarseHeight">Height of the coarser map the windows lie on.</param>
/// <param name="CoarseWidth">Width of the coarser map the windows lie on.</param>
public sealed record RelationMap(string Name, int RegionSize, Tensor Weights, long CoarseHeight, long CoarseWidth)
{
    public long Height => Weights.shape[3];
    public long Width => Weights.shape[4];

    /// <summary>The k×k weights of pixel (y, x) of image <paramref name="batch"/> and where the window lies on the coarse map.</summary>
    public RelationWindow At(long batch, long y, long x)
    {
        int k = RegionSize;
        long heads = Weights.shape[1];
        long row = ProjectIndex(y, Height, CoarseHeight), column = ProjectIndex(x, Width, CoarseWidth);
        using var pixel = Weights[batch, .., .., y, x].to(ScalarType.Float32).cpu();
        var flat = pixel.data<float>().ToArray();
        var weights = new float[heads, k, k];
        for (long h = 0; h < heads; h++)
            for (int j = 0; j < k * k; j++)
                weights[h, j / k, j % k] = flat[h * k * k + j];
        return new RelationWindow(row, column, row - k / 2, column - k / 2, weights);
    }

    /// <summary>The coarse index under fine index <paramref name="fine"/>: PyTorch's nearest rule, ⌊i·(in/out)⌋ in float.</summary>
    public static long ProjectIndex(long fine, long fineSize, long coarseSize)
    {
        if (fineSize == coarseSize) return fine;
        if (fineSize == 2 * coarseSize) return fine >> 1;
        float scale = (float)coarseSize / fineSize;
        return Math.Min((long)MathF.Floor(fine * scale), coarseSize - 1);
    }
}

/// <summary>
/// One pixel's relation window: centred on coarse cell (<see cref="CentreRow"/>, <see cref="CentreColumn"/>);
/// <see cref="Weights"/>[h, i, j] is head h's weight of coarse cell (<see cref="Top"/> + i, <see cref="Left"/> + j)
/// (0 where that cell lies outside the map). Each head's weights sum to 1.
/// </summary>
public sealed record RelationWindow(long CentreRow, long CentreColumn, long Top, long Left, float[,,] Weights);
