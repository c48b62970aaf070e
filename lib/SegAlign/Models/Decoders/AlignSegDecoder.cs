using SegAlign.Config;
using SegAlign.Models.Modules;
using SegAlign.Nn;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>How AlignSeg's predicted offsets are normalised before grid_sample (see the AlignSegDecoder header).</summary>
public enum OffsetNormalization
{
    /// <summary>Divisor ((W_out−1)/2, (H_out−1)/2), align_corners true: one unit = one output pixel, zero = identity.</summary>
    Corrected,
    /// <summary>The released code's warp: divisor = input (w, h), align_corners false; zero offset is not an identity.</summary>
    Official,
}

/// <summary>Options of the AlignSeg decoder.</summary>
public sealed record AlignSegOptions : IValidatable
{
    /// <summary>AlignFA (the CAB blocks). Off: each CAB becomes low + bilinear_up(high) (align_corners true), the
    /// in-architecture "bilinear" ablation baseline.</summary>
    public bool AlignFeatures { get; init; } = true;

    /// <summary>AlignCM (the CAM block). Off: the same context module without alignment, context = adapt(C5) +
    /// bilinear_up(pooled 3×3 context) (align_corners true); no offset branch.</summary>
    public bool AlignContext { get; init; } = true;

    public OffsetNormalization OffsetNormalization { get; init; } = OffsetNormalization.Corrected;

    /// <summary>The DSN head on d3 (official: on, loss weight 0.1).</summary>
    public bool DeepSupervision { get; init; } = true;
    public double DeepSupervisionWeight { get; init; } = 0.1;

    public void Validate(string where)
    {
        if (!Enum.IsDefined(OffsetNormalization))
            throw new InputException($"{where}.offsetNormalization", $"unknown value {(int)OffsetNormalization}", "use \"corrected\" or \"official\"");
        if (!(DeepSupervisionWeight >= 0))
            throw new InputException($"{where}.deepSupervisionWeight", $"must be ≥ 0, got {DeepSupervisionWeight}", "use 0.1 (the official loss)");
    }
}

/// <summary>
/// AlignSeg decoder: a stride-4 cascade of Residual Refinement Blocks (RRB) merged by Aligned Feature
/// Aggregation (AlignFA, code name CAB) with Aligned Context Modelling (AlignCM, code name CAM) on C5.
/// Paper: Huang et al., "AlignSeg: Feature-Aligned Segmentation Networks", IEEE TPAMI 44(1), 2022 (arXiv:2003.00872).
/// Official code: speedinghzl/AlignSeg @ ac7582d, networks/alignseg.py (RRB, CAB, CAM, ResNet.forward).
///
///   C2 ─ RRB1a ───────────────────────────────── d1                              (all d* at stride 4)
///   C3 ─ RRB2a ─┐ CAB2(low d1, high) ─ RRB2b ─── d2
///   C4 ─ RRB3a ─┐ CAB3(low d2, high) ─ RRB3b ─── d3 ─ dsn head → auxiliary logits (weight 0.1, training only)
///   C5 ─ RRB4a ─┐ CAB4(low d3, high) ─ RRB4b ─── d4
///   C5 ─ CAM ─ RRB5a ─┐ CAB5(low d4, high) ─ RRB5b ─ d5 ─ head → logits (stride 4)
///
///   RRB(x)     = LReLU(BN(u + conv3×3(LReLU(BN(conv3×3(u)))))),  u = conv1×1(x)   (c → c/4 → c, no biases)
///   CAB(l, h)  = warp(up(h), δ1) + warp(l, δ2),  [δ1 | δ2] = delta_gen1/2([l, up(h)])  (low first; up = bilinear
///                align_corners true; delta_gen = 1×1 2c→c, BN-LReLU, 3×3 c→2 with ZERO-initialised weights)
///   CAM(x)     = warp(ctx, δ) + a,  ctx = pool branch(avgpool 3×3(x)), a = adapt branch(x), δ = delta_gen([a, up(ctx)])
///                (each branch: 1×1 C5→C5, BN-LReLU, 3×3 C5→c, BN-LReLU; ctx is 3×3, warped onto C5's grid)
///   head, dsn  = 3×3 c→c, BN-LReLU, Dropout2d(0.1), 1×1 → classes (bias)
///
/// Widths: c = <see cref="DecoderContext.Channels"/> (paper 256), RRB inner width c/4 (paper 64); CAM's 2048-wide
/// 1×1 convs are C5's channel count (2048 = ResNet-101's C5), so they follow the backbone. Norm: InPlaceABN =
/// BN + LeakyReLU(0.01). Init: PyTorch defaults; BN weight 1, bias 0; only the last offset convs are zero.
///
/// Offset normalisation (<see cref="AlignSegOptions.OffsetNormalization"/>). The code defines two warps. The one
/// forward() actually calls divides the offsets by the INPUT's (w, h) and calls grid_sample without align_corners,
/// which means align_corners false on PyTorch ≥ 1.3 (true before 1.3; the README does not say which PyTorch the
/// authors used). With align_corners false a zero offset is not an identity: the linspace(−1, 1) grid then
/// reaches half a pixel beyond the centres of the edge pixels, so the map is slightly stretched and the borders
/// are blended with the zero padding (edges ×½, corners ×¼), and one offset unit is half an input pixel.
/// "official" reproduces the released code's behaviour on PyTorch ≥ 1.3.
/// "corrected" (default) uses the code's unused "standard" warp: divisor ((W_out−1)/2, (H_out−1)/2) with
/// align_corners true, so zero offsets are exactly the identity / bilinear upsampling and one unit is one output
/// pixel. History (issue #7): until Dec 2021 (fixed in 118fb81 for CAB, ac7582d for CAM) the divisor's axes were
/// swapped ([h, w] for (x, y)); for the square 872² training crops and the 3×3 CAM context that had no numerical
/// effect. Both modes here use the fixed (x ÷ w, y ÷ h) order. Recorded offsets (<see cref="IFlowProducer"/>,
/// "cab2.high", "cab2.low", …, "cam") are in output pixels: as predicted for "corrected", offset·(W_out−1)/(2·w_in)
/// for "official".
///
/// Ablation switches: AlignFeatures = false replaces every CAB by low + up(high); AlignContext = false keeps CAM's
/// pool and adapt branches but adds the pooled context bilinearly upsampled (align_corners true) instead of warped,
/// so exactly the alignment is removed (the natural reading of "without AlignCM"; with "corrected" it equals AlignCM
/// at initialisation).
/// Deviations: the official 3×3 convs of head and dsn have a bias before their BN; dropped (BN cancels it, it would
/// only get zero gradient). Works at any output stride: each CAB resamples onto its low map's (stride-4) grid.
/// </summary>
public sealed class AlignSegDecoder : Decoder, IFlowProducer
{
    const double Slope = 0.01;

    readonly ResidualRefinement rrb1a, rrb2a, rrb2b, rrb3a, rrb3b, rrb4a, rrb4b, rrb5a, rrb5b;
    readonly AlignedFeatureAggregation? cab2, cab3, cab4, cab5;
    readonly AlignedContext cam;
    readonly AlignSegHead head;
    readonly AlignSegHead? dsn;
    readonly double dsnWeight;
    readonly FlowRecorder recorder = new();

    public AlignSegDecoder(DecoderContext context, AlignSegOptions options) : base(nameof(AlignSegDecoder), context)
    {
        long c = context.Channels, c5 = context.InChannels[3];
        rrb1a = new ResidualRefinement(context.InChannels[0], c);
        rrb2a = new ResidualRefinement(context.InChannels[1], c);
        rrb2b = new ResidualRefinement(c, c);
        rrb3a = new ResidualRefinement(context.InChannels[2], c);
        rrb3b = new ResidualRefinement(c, c);
        rrb4a = new ResidualRefinement(c5, c);
        rrb4b = new ResidualRefinement(c, c);
        cam = new AlignedContext(c5, c, options.AlignContext, options.OffsetNormalization);
        rrb5a = new ResidualRefinement(c, c);
        rrb5b = new ResidualRefinement(c, c);
        if (options.AlignFeatures)
        {
            cab2 = new AlignedFeatureAggregation(c, options.OffsetNormalization);
            cab3 = new AlignedFeatureAggregation(c, options.OffsetNormalization);
            cab4 = new AlignedFeatureAggregation(c, options.OffsetNormalization);
            cab5 = new AlignedFeatureAggregation(c, options.OffsetNormalization);
        }
        head = new AlignSegHead(c, context.NumClasses);
        if (options.DeepSupervision) dsn = new AlignSegHead(c, context.NumClasses);
        dsnWeight = options.DeepSupervisionWeight;
        RegisterComponents();
    }

    public bool RecordFlows
    {
        get => recorder.Enabled;
        set => recorder.Enabled = value;
    }

    public IReadOnlyList<FlowField> TakeFlows() => recorder.Take();

    public override DecoderOutput forward(DecoderInput input)
    {
        recorder.BeginPass();
        var x = input.Features;
        var d1 = rrb1a.forward(x[0]);
        var d2 = rrb2b.forward(Merge("cab2", cab2, d1, rrb2a.forward(x[1])));
        var d3 = rrb3b.forward(Merge("cab3", cab3, d2, rrb3a.forward(x[2])));
        var d4 = rrb4b.forward(Merge("cab4", cab4, d3, rrb4a.forward(x[3])));
        var d5 = rrb5b.forward(Merge("cab5", cab5, d4, rrb5a.forward(cam.Forward(x[3], recorder))));
        var logits = head.forward(d5);

        var auxiliary = new List<AuxiliaryLogits>();
        if (training && dsn is not null) auxiliary.Add(new AuxiliaryLogits("dsn.d3", dsn.forward(d3), dsnWeight));
        return new DecoderOutput(logits, auxiliary);
    }

    // AlignFA, or its bilinear ablation baseline.
    Tensor Merge(string name, AlignedFeatureAggregation? cab, Tensor low, Tensor high) =>
        cab is null
            ? Ops.Add(low, Ops.Resize(high, low.shape[2], low.shape[3], alignCorners: true))
            : cab.Forward(low, high, name, recorder);

    static WarpConvention Convention(OffsetNormalization normalization, Tensor input, Tensor offset) =>
        normalization == OffsetNormalization.Official
            ? WarpConvention.AlignSegOfficial(input.shape[2], input.shape[3])
            : WarpConvention.OutputPixels(offset.shape[2], offset.shape[3]);

    /// <summary>RRB: 1×1 unify, then a residual 3×3 (c → c/4) BN-LReLU 3×3 (c/4 → c), BN-LReLU after the sum.</summary>
    public sealed class ResidualRefinement : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d unify, residual_out;
        readonly ConvBnAct residual_in;
        readonly BatchNorm2d norm;

        public ResidualRefinement(long inChannels, long channels) : base(nameof(ResidualRefinement))
        {
            long inner = Math.Max(1, channels / 4);
            unify = new Conv2d(inChannels, channels, 1, init: ConvInit.PyTorchDefault);
            residual_in = new ConvBnAct(channels, inner, 3, activation: Activation.LeakyRelu, leakySlope: Slope, init: ConvInit.PyTorchDefault);
            residual_out = new Conv2d(inner, channels, 3, init: ConvInit.PyTorchDefault);
            norm = new BatchNorm2d(channels);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var unified = unify.forward(x);
            var residual = residual_out.forward(residual_in.forward(unified));
            return Ops.LeakyRelu(norm.forward(Ops.Add(unified, residual)), Slope);
        }
    }

    /// <summary>delta_gen: 1×1 (2c → c) BN-LReLU, then a 3×3 (c → 2) offset conv whose weights start at zero.</summary>
    public sealed class OffsetHead : nn.Module<Tensor, Tensor>
    {
        readonly ConvBnAct reduce;
        readonly Conv2d offset;

        public OffsetHead(long inChannels, long channels) : base(nameof(OffsetHead))
        {
            reduce = new ConvBnAct(inChannels, channels, 1, activation: Activation.LeakyRelu, leakySlope: Slope, init: ConvInit.PyTorchDefault);
            offset = new Conv2d(channels, 2, 3, init: ConvInit.Zeros);
            RegisterComponents();
        }

        /// <summary>The final 3×3 offset conv (tests set its weights to produce known offsets).</summary>
        public Conv2d Offset => offset;

        public override Tensor forward(Tensor x) => offset.forward(reduce.forward(x));
    }

    /// <summary>AlignFA (code name CAB): warps both the upsampled high map and the low map, then adds them.</summary>
    public sealed class AlignedFeatureAggregation : nn.Module<Tensor, Tensor, Tensor>
    {
        readonly OffsetHead delta_gen1, delta_gen2;
        readonly OffsetNormalization normalization;

        public AlignedFeatureAggregation(long channels, OffsetNormalization normalization) : base(nameof(AlignedFeatureAggregation))
        {
            delta_gen1 = new OffsetHead(2 * channels, channels);
            delta_gen2 = new OffsetHead(2 * channels, channels);
            this.normalization = normalization;
            RegisterComponents();
        }

        public override Tensor forward(Tensor low, Tensor high) => Forward(low, high, "cab", null);

        public Tensor Forward(Tensor low, Tensor high, string name, FlowRecorder? recorder)
        {
            var highUp = Ops.Resize(high, low.shape[2], low.shape[3], alignCorners: true);
            var concat = Ops.Cat([low, highUp], 1);
            var highOffset = delta_gen1.forward(concat);
            var lowOffset = delta_gen2.forward(concat);
            var highConvention = Convention(normalization, highUp, highOffset);
            var lowConvention = Convention(normalization, low, lowOffset);
            recorder?.Record($"{name}.high", highOffset, highConvention);
            recorder?.Record($"{name}.low", lowOffset, lowConvention);
            return Ops.Add(FlowWarp.Warp(highUp, highOffset, highConvention), FlowWarp.Warp(low, lowOffset, lowConvention));
        }
    }

    /// <summary>AlignCM (code name CAM): a 3×3 pooled context warped onto C5's grid per pixel, plus a local branch.</summary>
    public sealed class AlignedContext : nn.Module<Tensor, Tensor>
    {
        const int ContextSize = 3;
        readonly ConvBnAct pool_reduce, pool_out, adapt_reduce, adapt_out;
        readonly OffsetHead? delta_gen;
        readonly OffsetNormalization normalization;

        public AlignedContext(long inChannels, long channels, bool align, OffsetNormalization normalization) : base(nameof(AlignedContext))
        {
            ConvBnAct Unit(long cin, long cout, long k) =>
                new(cin, cout, k, activation: Activation.LeakyRelu, leakySlope: Slope, init: ConvInit.PyTorchDefault);
            pool_reduce = Unit(inChannels, inChannels, 1);
            pool_out = Unit(inChannels, channels, 3);
            adapt_reduce = Unit(inChannels, inChannels, 1);
            adapt_out = Unit(inChannels, channels, 3);
            if (align) delta_gen = new OffsetHead(2 * channels, channels);
            this.normalization = normalization;
            RegisterComponents();
        }

        public OffsetHead? Offsets => delta_gen;

        public override Tensor forward(Tensor x) => Forward(x, null);

        public Tensor Forward(Tensor x, FlowRecorder? recorder)
        {
            long height = x.shape[2], width = x.shape[3];
            var context = pool_out.forward(pool_reduce.forward(Ops.AdaptiveAvgPool(x, ContextSize, ContextSize)));
            var local = adapt_out.forward(adapt_reduce.forward(x));
            var contextUp = Ops.Resize(context, height, width, alignCorners: true);
            if (delta_gen is null) return Ops.Add(contextUp, local);

            var offset = delta_gen.forward(Ops.Cat([local, contextUp], 1));
            var convention = Convention(normalization, context, offset);
            recorder?.Record("cam", offset, convention);
            return Ops.Add(FlowWarp.Warp(context, offset, convention), local);
        }
    }

    /// <summary>head / dsn: 3×3 conv BN-LReLU, Dropout2d(0.1), 1×1 classifier with bias.</summary>
    public sealed class AlignSegHead : nn.Module<Tensor, Tensor>
    {
        readonly ConvBnAct conv;
        readonly Conv2d classifier;

        public AlignSegHead(long channels, int numClasses) : base(nameof(AlignSegHead))
        {
            conv = new ConvBnAct(channels, channels, 3, activation: Activation.LeakyRelu, leakySlope: Slope, init: ConvInit.PyTorchDefault);
            classifier = new Conv2d(channels, numClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => classifier.forward(Ops.Dropout2d(conv.forward(x), 0.1, training));
    }
}
