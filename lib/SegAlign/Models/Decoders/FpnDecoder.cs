using SegAlign.Models.Modules;
using SegAlign.Nn;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>Options of the FPN+PPM head (and of heads built on it).</summary>
public record FpnOptions
{
    /// <summary>PPM bins on C5.</summary>
    public int[] PoolBins { get; init; } = [1, 2, 3, 6];
    public double PpmDropout { get; init; } = 0.1;
    /// <summary>Deep supervision as in SFSegNets' UperNetAlignHead (fpn_dsn): a 3×3 conv-BN-ReLU + Dropout2d + 1×1
    /// classifier on the top-down sum of each lateral level (strides 16, 8, 4, before that level's 3×3 fpn_out
    /// conv), named dsn.p4, dsn.p3, dsn.p2; training only.</summary>
    public bool DeepSupervision { get; init; }
    /// <summary>Loss weight of each DSN output (SFSegNets' CriterionSFNet uses 1.0 with OHEM; 0.4 is the
    /// PSPNet/mmseg auxiliary convention).</summary>
    public double DeepSupervisionWeight { get; init; } = 0.4;
}

/// <summary>
/// The baseline: SFNet's FPN+PPM head with bilinear upsampling in the top-down path.
/// Paper: Li et al., "Semantic Flow for Fast and Accurate Scene Parsing", ECCV 2020, Fig. 2 without FAM.
/// Official code: lxtGH/SFSegNets, network/sfnet_resnet.py UperNetAlignHead (with FAM swapped for bilinear).
///
///   C5 → PPM ─────────────────────────────────────────────── P5
///   C4 → 1×1 lateral ⊕ up(P5) ─ 3×3 ─────────────────────── P4
///   C3 → 1×1 lateral ⊕ up(P4') ─ 3×3 ────────────────────── P3
///   C2 → 1×1 lateral ⊕ up(P3') ─ 3×3 ────────────────────── P2
///   concat(P2, up(P3), up(P4), up(P5)) → 3×3 conv-BN-ReLU → 1×1 → logits at stride 4
///
/// (P' is the top-down sum before the level's 3×3 conv, as in the official loop.) All bilinear
/// resampling uses align_corners=true, as the official head does; that is also what makes FAM with
/// zero flow reproduce this baseline exactly. Subclasses replace only <see cref="TopDown"/>.
/// Deep supervision (option) sits where the official fpn_dsn puts it: on the top-down sum P' of each lateral
/// level, before fpn_out, so FAM (SFNet) and bilinear (baseline) heads are supervised at the same points.
/// Deviations: widths follow <see cref="DecoderContext.Channels"/> (fpn_dim); the official fpn_in 1×1 conv has a
/// bias before its BN, dropped here (BN cancels it; it would only receive zero gradient); convs use kaiming-normal
/// (fan_out) init instead of PyTorch's default.
/// </summary>
public class FpnDecoder : Decoder
{
    readonly PyramidPooling ppm;

    /// <summary>The PPM bins in use (after <see cref="ContextScaling"/>).</summary>
    public IReadOnlyList<int> PoolBins => ppm.Bins;
    readonly TensorModules fpn_in = new(), fpn_out = new(), dsn = new();
    readonly ConvBnAct fuse;
    readonly ConvLayer classifier;
    readonly double dsnWeight;

    public FpnDecoder(DecoderContext context, FpnOptions options) : this(nameof(FpnDecoder), context, options) { }

    protected FpnDecoder(string name, DecoderContext context, FpnOptions options) : base(name, context)
    {
        long d = context.Channels;
        ppm = new PyramidPooling(context.InChannels[3], d, ContextScaling.PoolBins(options.PoolBins, context.ContextMapSide(3)), options.PpmDropout);
        for (int i = 0; i < 3; i++)
        {
            fpn_in.Add(new ConvBnAct(context.InChannels[i], d, 1));
            fpn_out.Add(new ConvBnAct(d, d, 3));
        }
        if (options.DeepSupervision)
            for (int i = 0; i < 3; i++)
                dsn.Add(new ClassifierHead(d, d, context.NumClasses));
        dsnWeight = options.DeepSupervisionWeight;
        fuse = new ConvBnAct(4 * d, d, 3);
        classifier = new ConvLayer(d, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    /// <summary>One top-down step at pyramid level <paramref name="level"/> (0 = C2 … 2 = C4): merge the
    /// coarser map into the lateral. The baseline upsamples bilinearly and adds.</summary>
    protected virtual Tensor TopDown(int level, Tensor lateral, Tensor coarser) =>
        Ops.Add(lateral, Ops.Resize(coarser, lateral.shape[2], lateral.shape[3], alignCorners: true));

    public override DecoderOutput forward(DecoderInput input)
    {
        var c = input.Features;
        var f = ppm.forward(c[3]);
        var levels = new Tensor[4];
        levels[3] = f;
        var auxiliary = new List<AuxiliaryLogits>();
        for (int i = 2; i >= 0; i--)
        {
            var lateral = fpn_in[i].forward(c[i]);
            f = TopDown(i, lateral, f);
            levels[i] = fpn_out[i].forward(f);
            if (training && dsn.Count > 0)
                auxiliary.Add(new AuxiliaryLogits($"dsn.p{i + 2}", dsn[i].forward(f), dsnWeight));
        }
        long h = levels[0].shape[2], w = levels[0].shape[3];
        var fused = new List<Tensor>(4) { levels[0] };
        for (int i = 1; i < 4; i++) fused.Add(Ops.Resize(levels[i], h, w, alignCorners: true));
        var logits = classifier.forward(fuse.forward(Ops.Cat(fused, 1)));
        return new DecoderOutput(logits, auxiliary);
    }
}
