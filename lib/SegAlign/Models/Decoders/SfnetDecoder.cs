using SegAlign.Config;
using SegAlign.Models.Modules;
using SegAlign.Nn;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>A lateral level of the FPN top-down path, named after its pyramid level (P2 = stride 4 … P4 = stride 16).
/// JSON: "p2", "p3", "p4" (or the integers 2, 3, 4).</summary>
public enum FpnLevel
{
    P2 = 2,
    P3 = 3,
    P4 = 4,
}

/// <summary>Options of the SFNet head: the FPN options plus where FAM replaces bilinear upsampling.</summary>
public sealed record SfnetOptions : FpnOptions, IValidatable
{
    /// <summary>Top-down steps that use FAM, named by the lateral level they merge into (P4: PPM → C4, P3: P4 → C3,
    /// P2: P3 → C2); the others stay bilinear. All three = SFNet; none = the "fpn" baseline.</summary>
    public FpnLevel[] Levels { get; init; } = [FpnLevel.P2, FpnLevel.P3, FpnLevel.P4];

    public void Validate(string where)
    {
        foreach (var level in Levels)
            if (!Enum.IsDefined(level))
                throw new InputException($"{where}.levels", $"unknown level {(int)level}", "use \"p2\", \"p3\" and/or \"p4\"");
        if (Levels.Distinct().Count() != Levels.Length)
            throw new InputException($"{where}.levels", "a level is listed twice", "list each of \"p2\", \"p3\", \"p4\" at most once");
    }
}

/// <summary>
/// SFNet head: the baseline FPN+PPM head (<see cref="FpnDecoder"/>) with the Flow Alignment Module (FAM) in
/// place of bilinear upsampling in the top-down path.
/// Paper: Li et al., "Semantic Flow for Fast and Accurate Scene Parsing", ECCV 2020 (arXiv:2002.10120), Fig. 2/3.
/// Official code: lxtGH/SFSegNets, network/sfnet_resnet.py UperNetAlignHead and network/nn/operators.py
/// AlignedModule (FAM) with its flow_warp.
///
///   top-down step at level i (P4, P3, P2), f = the coarser top-down map (starts as PPM(C5)):
///     lateral = fpn_in(C_i)                                              (C, stride s)
///     FAM(lateral, f):  l = down_l(lateral)      1×1, C → C/2, no bias   (stride s)
///                       h = up(down_h(f))        1×1, C → C/2, no bias, bilinear align_corners to stride s
///                       flow = flow_make([h, l]) 3×3, C → 2, no bias      (high first in the concat)
///                       warp(f, flow)            samples the ORIGINAL coarse f on the stride-s grid
///     f = lateral + FAM(lateral, f)  →  fpn_out (3×3) → P_i;   fusion and classifier as in the baseline
///
/// Warp (shared <see cref="FlowWarp"/>, <see cref="WarpConvention.Sfnet"/>): grid = linspace(−1, 1) base grid of
/// the output + flow / (W_out, H_out); grid_sample bilinear, zero padding, align_corners true. So zero flow is
/// exactly the baseline's bilinear upsampling, and one flow unit is (W_out−1)/(2·W_out) ≈ ½ output pixel.
/// Recorded flows (<see cref="IFlowProducer"/>, names "fam.p4", "fam.p3", "fam.p2") are converted to output
/// pixels: dx = flow_x / W_out · (W_out−1)/2.
///
/// Initialisation: flow_make, down_h and down_l keep PyTorch's default (kaiming-uniform) init as the official code
/// does, so the initial flow is small but random, NOT zero; zero it explicitly to start from the baseline.
/// Everything outside FAM is inherited from <see cref="FpnDecoder"/> unchanged (including its init), so an sfnet
/// decoder with zeroed flow_make computes exactly the fpn decoder's function and the learned flow is the only
/// difference. Deep supervision (official fpn_dsn) is the inherited option, on the pre-fpn_out sums.
/// Deviations: <see cref="SfnetOptions.Levels"/> (FAM on a subset of levels) is an extension for ablations;
/// fpn_dim = <see cref="DecoderContext.Channels"/>; the DSN loss weight defaults to FpnOptions' 0.4 (the official
/// CriterionSFNet uses 1.0 with OHEM; set deepSupervisionWeight to 1 to match); the remaining deviations are the
/// baseline's (see FpnDecoder).
/// </summary>
public sealed class SfnetDecoder : FpnDecoder, IFlowProducer
{
    readonly TorchSharp.Modules.ModuleDict<AlignedModule> fpn_out_align;
    readonly FlowRecorder recorder = new();

    public SfnetDecoder(DecoderContext context, SfnetOptions options) : base(nameof(SfnetDecoder), context, options)
    {
        // The base constructor has already registered its components (this field was still null then), so the
        // filled dictionary is registered by hand; its keys become the parameter names (fpn_out_align.p4.…).
        fpn_out_align = new();
        foreach (var level in options.Levels.Order())
            fpn_out_align.Add(Key(level), new AlignedModule(context.Channels, context.Channels / 2));
        register_module(nameof(fpn_out_align), fpn_out_align);
    }

    static string Key(FpnLevel level) => level.ToString().ToLowerInvariant();

    /// <summary>Levels that use FAM, in pyramid order.</summary>
    public IReadOnlyList<string> AlignedLevels => fpn_out_align.keys().ToList();

    public bool RecordFlows
    {
        get => recorder.Enabled;
        set => recorder.Enabled = value;
    }

    public IReadOnlyList<FlowField> TakeFlows() => recorder.Take();

    public override DecoderOutput forward(DecoderInput input)
    {
        recorder.BeginPass();
        return base.forward(input);
    }

    protected override Tensor TopDown(int level, Tensor lateral, Tensor coarser)
    {
        string key = Key((FpnLevel)(level + 2));
        if (!fpn_out_align.ContainsKey(key)) return base.TopDown(level, lateral, coarser);
        var (aligned, flow, convention) = fpn_out_align[key].Align(lateral, coarser);
        recorder.Record($"fam.{key}", flow, convention);
        return Ops.Add(lateral, aligned);
    }
}

/// <summary>FAM (official name AlignedModule): predicts a flow from the reduced low and upsampled high maps and
/// warps the original high map onto the low map's grid. Does not add the low map (the head does).</summary>
public sealed class AlignedModule : nn.Module<Tensor, Tensor, Tensor>
{
    readonly ConvLayer down_h, down_l, flow_make;

    public AlignedModule(long channels, long reduced) : base(nameof(AlignedModule))
    {
        down_h = new ConvLayer(channels, reduced, 1, init: ConvInit.PyTorchDefault);
        down_l = new ConvLayer(channels, reduced, 1, init: ConvInit.PyTorchDefault);
        flow_make = new ConvLayer(2 * reduced, 2, 3, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    /// <summary>The 3×3 flow predictor (tests zero it to get the identity warp).</summary>
    public ConvLayer FlowMake => flow_make;

    public override Tensor forward(Tensor low, Tensor high) => Align(low, high).Aligned;

    /// <summary>The warped high map, the raw flow (SFNet units) and the convention that reads it.</summary>
    public (Tensor Aligned, Tensor Flow, WarpConvention Convention) Align(Tensor low, Tensor high)
    {
        long height = low.shape[2], width = low.shape[3];
        var reducedLow = down_l.forward(low);
        var reducedHigh = Ops.Resize(down_h.forward(high), height, width, alignCorners: true);
        var flow = flow_make.forward(Ops.Cat([reducedHigh, reducedLow], 1));
        var convention = WarpConvention.Sfnet(height, width);
        return (FlowWarp.Warp(high, flow, convention), flow, convention);
    }
}
