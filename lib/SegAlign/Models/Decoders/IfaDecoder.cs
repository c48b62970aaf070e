using System.Text.Json.Serialization;
using SegAlign.Config;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

public enum IfaSampling { Nearest, Bilinear }

/// <summary>Options of the IFA head.</summary>
public sealed record IfaOptions : IValidatable
{
    /// <summary>
    /// True: each level's relative coordinate enters the MLP through the learnable sinusoidal encoding
    /// [rel, sin(F·rel), cos(F·rel)] (26 values). False: the "w/o PE" ablation — the raw relative
    /// coordinate (2 values) is concatenated instead, as the official code does with ultra_pe off and
    /// as LIIF does; the relative coordinate is what aligns the levels, so it is kept.
    /// </summary>
    public bool PositionalEncoding { get; init; } = true;

    /// <summary>
    /// True (the released code): in training the queries are always C2's grid (stride 4), whatever size
    /// is requested; the Segmentor then resizes the logits for the loss. False: training also queries
    /// the requested size (e.g. full resolution), at up to 16× the MLP's cost. Evaluation always
    /// honours the requested size.
    /// </summary>
    public bool TrainAtStride4 { get; init; } = true;

    /// <summary>
    /// Null or nearest: IFA — each level's nearest cell plus the relative coordinate that aligns it. Bilinear:
    /// the like-for-like control (not in the paper) — the same encoders and MLP on each level bilinearly
    /// interpolated at the query, with no coordinate input, so that IFA is compared with what differs only in
    /// the alignment and not with the FPN's PPM context and 3×3 fusion. Left out of the config when unset, so the
    /// hashes of runs made before it existed stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IfaSampling? Sampling { get; init; }

    bool Bilinear => Sampling == IfaSampling.Bilinear;

    public void Validate(string where)
    {
        if (Bilinear && PositionalEncoding)
            throw new InputException($"{where}.sampling", "bilinear sampling has no relative coordinate to encode", "set positionalEncoding to false with sampling bilinear");
    }

    internal int CoordinateChannels(int frequencies) => Bilinear ? 0 : PositionalEncoding ? (int)SpatialEncoding.OutputDim(frequencies) : 2;
}

/// <summary>
/// IFA: an implicit feature alignment head that queries every pyramid level at continuous coordinates.
/// Paper: Hu et al., "Learning Implicit Feature Alignment Function for Semantic Segmentation", ECCV 2022
/// (arXiv 2206.08655). Official code: hzhupku/IFA @ 70baac8, pyseg/models/fpn_ifa.py (fpn_ifa, no_aspp),
/// pyseg/models/ifa.py (ifa_simfpn, ultra_pe, require_grad, num_layer=2), pyseg/models/ifa_utils.py
/// (SpatialEncoding, make_coord, ifa_feat).
///
///   C2 → enc1 (1×1 conv-BN-ReLU → C) ─┐
///   C3 → enc2 ───────────────────────┤   for every query q (a pixel centre of the requested grid)
///   C4 → enc3 ───────────────────────┤   and every level l:  z_l = feature of the cell nearest to q,
///   C5 → head ───────────────────────┘                       r_l = (q − centre of that cell)·(H_l, W_l)
///        [PE_1(r_1), z_1, PE_2(r_2), z_2, PE_3(r_3), z_3, PE_4(r_4), z_4]   4·(C+26) values
///        → 1×1 conv-BN-ReLU 2C → 1×1 conv-BN-ReLU C → 1×1 conv-BN-ReLU C → 1×1 classifier → logits (h×w)
///
/// Queries: cell centres of the requested h×w grid in [-1, 1] (align_corners=false convention),
/// v_i = (2i+1)/n − 1. Default grid: C2's size (stride 4, the released code); any size can be asked for
/// through <see cref="DecoderInput.OutputSize"/>, up to full input resolution and beyond
/// (<see cref="SupportsArbitraryOutputSize"/>). The nearest cell is found with grid_sample(nearest,
/// align_corners=false) on coordinates clamped to ±(1−1e-6), and the cell centre with the same sampling
/// of a map of cell-centre coordinates, exactly as ifa_feat; the relative coordinate uses the
/// unclamped query and is scaled by the level's own size, so it lies in [-1, 1] (half-cells).
/// PE (SpatialEncoding, pos_dim 24, sigma 6): a learnable 12×2 matrix F per level, initialised to
/// rows [m_k, 0] then [0, m_k] with m = 2^linspace(0, 6, 6) (no π); output [rel_y, rel_x,
/// sin(F·rel) (12), cos(F·rel) (12)] in that order.
///
/// Width mapping (paper at C = 256: reduce to 256, MLP 1128 → 512 → 256 → 256 → classes):
/// reduce to C, MLP 4·(C+26) → 2C → C → C → classes.
/// Cost: the MLP runs once per query, about 4(C+26)·2C + 3C² + CK MACs each, so a full-resolution grid
/// costs 16× the stride-4 grid (and the [B, 4(C+26), h, w] input must fit in memory); that is
/// paid per request, and training stays at stride 4 unless <see cref="IfaOptions.TrainAtStride4"/> is off.
///
/// Deviations from the official code, and why:
/// - The 1×1 convs before BN (enc1–3, head, MLP) have no bias (official: bias=True). A bias followed by
///   BN is removed by the batch mean in training, so it is inert and its gradient is zero up to
///   rounding — it would fail the "every parameter learns" check for no modelling gain. The classifier
///   keeps its bias. Initialisation is PyTorch's default, as in the official code.
/// - The pointwise MLP runs as 1×1 ConvLayer on a [B, D, h, w] layout instead of Conv1d on [B, D, h·w]:
///   the same arithmetic; BatchNorm2d over (B, h, w) equals BatchNorm1d over (B, h·w).
/// - Query coordinates are computed in double as (2i+1)/n − 1, so grids whose cell centres coincide
///   (sizes n and k·n with k odd) produce bit-identical query coordinates and therefore pick the same
///   cells even at exact grid_sample ties (nearbyint rounds half to even). The official make_coord
///   (−1 + r + 2r·i in float32) can differ by an ulp.
/// - Relative coordinates and their PE are computed once per forward (batch 1) and broadcast over the
///   batch: they depend only on sizes, not on the image. The official code repeats them per image.
/// - Not in the paper: <see cref="IfaOptions.Sampling"/> bilinear, the like-for-like control (same encoders and MLP,
///   bilinear features, no coordinates).
/// - The local ensemble (off in the released config) and the ASPP variant (no_aspp: True in the
///   released config) are not implemented.
/// - With <see cref="IfaOptions.TrainAtStride4"/> the query grid is C2's own grid, so C2's relative
///   coordinate is exactly 0 and its PE matrix gets an exactly-zero gradient (the official pos1 only
///   shrinks under weight decay). It is then a fixed buffer at its initial value — what full-resolution
///   queries of a model trained at stride 4 use for C2 — rather than a parameter that cannot learn.
/// - Not part of this decoder: the official FCN auxiliary head on C4 (weight 0.4) is the Segmentor's
///   auxHead option; the official model upsamples the stride-4 logits with align_corners=true — the Segmentor's
///   logitsAlignCorners option, set in experiments/ifa.json's paper and full presets (default false).
/// </summary>
public sealed class IfaDecoder : Decoder
{
    const int PeFrequencies = 6;
    const double PeSigma = 6;

    readonly ConvBnAct enc1, enc2, enc3, head;
    readonly TorchSharp.Modules.ModuleList<SpatialEncoding> pos = new();
    readonly TensorModules imnet = new();
    readonly ConvLayer classifier;
    readonly IfaOptions options;

    public IfaDecoder(DecoderContext context, IfaOptions options) : base(nameof(IfaDecoder), context)
    {
        this.options = options;
        long c = context.Channels;
        ConvBnAct Reduce(long inChannels) => new(inChannels, c, 1, init: ConvInit.PyTorchDefault);
        enc1 = Reduce(context.InChannels[0]);
        enc2 = Reduce(context.InChannels[1]);
        enc3 = Reduce(context.InChannels[2]);
        head = Reduce(context.InChannels[3]);
        if (options.PositionalEncoding && options.Sampling != IfaSampling.Bilinear)
            for (int i = 0; i < 4; i++) pos.Add(new SpatialEncoding(PeFrequencies, PeSigma, learnable: i > 0 || !options.TrainAtStride4));
        long perLevel = c + options.CoordinateChannels(PeFrequencies);
        imnet.Add(new ConvBnAct(4 * perLevel, 2 * c, 1, init: ConvInit.PyTorchDefault));
        imnet.Add(new ConvBnAct(2 * c, c, 1, init: ConvInit.PyTorchDefault));
        imnet.Add(new ConvBnAct(c, c, 1, init: ConvInit.PyTorchDefault));
        classifier = new ConvLayer(c, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    public override bool SupportsArbitraryOutputSize => true;

    public override DecoderOutput forward(DecoderInput input)
    {
        var c = input.Features;
        Tensor[] levels = [enc1.forward(c[0]), enc2.forward(c[1]), enc3.forward(c[2]), head.forward(c[3])];
        long batch = levels[0].shape[0];
        var device = levels[0].device;

        var (h, w) = input.OutputSize is { } requested && !(training && options.TrainAtStride4)
            ? requested
            : (levels[0].shape[2], levels[0].shape[3]);
        var queryGrid = QueryGrid(h, w, device);                  // [1, h, w, 2] (x, y), clamped, for sampling
        // [1, 2, h, w] (y, x), unclamped: only IFA's relative coordinates need it, not the bilinear control.
        var queryYx = options.Sampling == IfaSampling.Bilinear ? null : QueryCoordinates(h, w, device);
        var batchGrid = Ops.Expand(queryGrid, batch, h, w, 2);

        var context = new List<Tensor>(8);
        for (int l = 0; l < 4; l++)
        {
            if (options.Sampling == IfaSampling.Bilinear)
            {
                context.Add(Ops.GridSample(levels[l], batchGrid, alignCorners: false));
                continue;
            }
            long hh = levels[l].shape[2], ww = levels[l].shape[3];
            var cellCentre = Ops.GridSample(CellCentres(hh, ww, device), queryGrid, alignCorners: false, nearest: true);
            var scale = Ops.Constant([hh, ww], [1, 2, 1, 1], device);
            var rel = Ops.Mul(Ops.Sub(queryYx!, cellCentre), scale);   // [1, 2, h, w], half-cells of level l
            var code = options.PositionalEncoding ? pos[l].forward(rel) : rel;
            context.Add(Ops.Expand(code, batch, code.shape[1], h, w));
            context.Add(Ops.GridSample(levels[l], batchGrid, alignCorners: false, nearest: true));
        }
        var x = Ops.Cat(context, 1);
        foreach (var layer in imnet) x = layer.forward(x);
        return new DecoderOutput(classifier.forward(x));
    }

    // Cell-centre coordinate of index i on an n-cell axis, in [-1, 1] (align_corners=false).
    // Double precision, so equal real values on different grids give equal floats.
    static double Centre(long i, long n) => (2.0 * i + 1) / n - 1;

    static Tensor QueryGrid(long h, long w, Device device)
    {
        const double limit = 1 - 1e-6;
        var values = new float[h * w * 2];
        for (long i = 0; i < h; i++)
            for (long j = 0; j < w; j++)
            {
                values[(i * w + j) * 2] = (float)Math.Clamp(Centre(j, w), -limit, limit);
                values[(i * w + j) * 2 + 1] = (float)Math.Clamp(Centre(i, h), -limit, limit);
            }
        return Ops.Constant(values, [1, h, w, 2], device);
    }

    static Tensor QueryCoordinates(long h, long w, Device device) => CellCentres(h, w, device);

    // [1, 2, n_y, n_x]: channel 0 the y and channel 1 the x coordinate of every cell centre.
    static Tensor CellCentres(long ny, long nx, Device device)
    {
        var values = new float[2 * ny * nx];
        for (long i = 0; i < ny; i++)
            for (long j = 0; j < nx; j++)
            {
                values[i * nx + j] = (float)Centre(i, ny);
                values[ny * nx + i * nx + j] = (float)Centre(j, nx);
            }
        return Ops.Constant(values, [1, 2, ny, nx], device);
    }
}

/// <summary>
/// IFA's learnable sinusoidal encoding of a 2-D relative coordinate (official SpatialEncoding with
/// require_grad): y = F·rel with F a learnable (2·k)×2 matrix initialised to rows [m_i, 0] (i &lt; k)
/// then [0, m_i], m = 2^linspace(0, sigma, k); output [rel, sin y, cos y] (2 + 4k channels).
/// </summary>
public sealed class SpatialEncoding : nn.Module<Tensor, Tensor>
{
    readonly Tensor emb;

    /// <param name="frequencies">k, frequencies per axis</param>
    /// <param name="sigma">the largest frequency is 2^sigma</param>
    /// <param name="learnable">false registers the matrix as a buffer (kept at its initial value)</param>
    public SpatialEncoding(int frequencies, double sigma, bool learnable = true) : base(nameof(SpatialEncoding))
    {
        var init = new float[2 * frequencies * 2];
        for (int i = 0; i < frequencies; i++)
        {
            double m = Math.Pow(2, frequencies == 1 ? 0 : sigma * i / (frequencies - 1));
            init[i * 2] = (float)m;                        // row i: [m_i, 0] acts on rel_y
            init[(frequencies + i) * 2 + 1] = (float)m;    // row k+i: [0, m_i] acts on rel_x
        }
        var matrix = tensor(init, [2 * frequencies, 2]);
        if (learnable)
        {
            var parameter = new TorchSharp.Modules.Parameter(matrix);
            register_parameter("emb", parameter);
            emb = parameter;
        }
        else
        {
            register_buffer("emb", matrix);
            emb = matrix;
        }
    }

    public static long OutputDim(int frequencies) => 2 + 4 * frequencies;

    /// <summary>rel: [N, 2, H, W] → [N, 2 + 4k, H, W].</summary>
    public override Tensor forward(Tensor rel)
    {
        var y = Ops.Conv2d(rel, Ops.Reshape(emb, emb.shape[0], 2, 1, 1), null);
        return Ops.Cat([rel, Ops.Sin(y), Ops.Cos(y)], 1);
    }
}
