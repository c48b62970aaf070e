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
/// - The region is centred on π(p) (nearest projection, done by unfolding the coarse keys/values and
///   resizing the unfolded tensor with nearest sampling); windows are clipped at the border by masking the
///   logits, not by zero keys. The gather materialises [N, C·k², Hf, Wf] tensors (memory ∝ k², no MACs);
///   the attention arithmetic itself is small next to the 3×3 fuse convs (see the FLOP test).
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
    readonly Conv2d classifier;
    readonly List<RelationMap> recorded = new();

    public RspDecoder(DecoderContext context, RspOptions options) : base(nameof(RspDecoder), context)
    {
        long d = context.Channels;
        long keyChannels = d / 2;
        if (keyChannels < 1 || d % options.Heads != 0 || keyChannels % options.Heads != 0)
            throw new InputException("model.decoderOptions.heads",
                $"{options.Heads} heads must divide the width {d} and the key width {keyChannels}", "use a power of two for both (e.g. heads 4, decoderChannels 128)");
        for (int i = 0; i < 4; i++) fpn_in.Add(new ConvBnAct(context.InChannels[i], d, 1));
        if (options.TopRelation) rse = new RelationBlock(d, keyChannels, options.Heads, options.RegionSize);
        for (int i = 0; i < 3; i++) rsp.Add(new RelationBlock(d, keyChannels, options.Heads, options.RegionSize));
        classifier = new Conv2d(d, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegionSize = options.RegionSize;
        RegisterComponents();
    }

    public int RegionSize { get; }

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
        if (rse is not null) f = Propagate("rse.p5", rse, f, f);
        for (int i = 2; i >= 0; i--)
            f = Propagate($"rsp.p{i + 2}", rsp[i], fpn_in[i].forward(c[i]), f);
        return new DecoderOutput(classifier.forward(f));
    }

    Tensor Propagate(string name, RelationBlock block, Tensor lateral, Tensor coarser)
    {
        var (output, weights) = block.forward(lateral, coarser);
        if (RecordRelations)
            recorded.Add(new RelationMap(name, RegionSize, Ops.Detach(weights).DetachFromDisposeScope(), coarser.shape[2], coarser.shape[3]));
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
/// </summary>
public sealed class PixelToRegionRelation : nn.Module<Tensor, Tensor, (Tensor Context, Tensor Weights)>
{
    const float Masked = -1e9f;
    readonly Conv2d query, key;
    readonly TorchSharp.Modules.Parameter position_bias;
    readonly int heads, k;
    readonly long channels, keyChannels;

    public PixelToRegionRelation(long channels, long keyChannels, int heads, int regionSize) : base(nameof(PixelToRegionRelation))
    {
        this.channels = channels; this.keyChannels = keyChannels; this.heads = heads; k = regionSize;
        query = new Conv2d(channels, keyChannels, 1, init: ConvInit.PyTorchDefault);
        key = new Conv2d(channels, keyChannels, 1, init: ConvInit.PyTorchDefault);
        position_bias = new TorchSharp.Modules.Parameter(zeros(heads, regionSize * regionSize));
        using (no_grad()) nn.init.normal_(position_bias, 0, 0.02);
        RegisterComponents();
    }

    public Conv2d Query => query;
    public Conv2d Key => key;
    /// <summary>[heads, k²]: the learned relative positional bias added to the logits.</summary>
    public TorchSharp.Modules.Parameter PositionBias => position_bias;

    public override (Tensor Context, Tensor Weights) forward(Tensor fine, Tensor coarse)
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

    // [1, k², Hc, Wc]: 0 where window offset j of cell (y, x) lies inside the map, −1e9 where it lies in the
    // zero padding, so padded cells get no weight.
    Tensor OutsideMask(long hc, long wc, Device device)
    {
        int r = k / 2;
        var values = new float[k * k * hc * wc];
        for (int j = 0; j < k * k; j++)
            for (long y = 0; y < hc; y++)
                for (long x = 0; x < wc; x++)
                {
                    long cy = y + j / k - r, cx = x + j % k - r;
                    bool inside = cy >= 0 && cy < hc && cx >= 0 && cx < wc;
                    values[(j * hc + y) * wc + x] = inside ? 0 : Masked;
                }
        return Ops.Constant(values, [1, k * k, hc, wc], device);
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
