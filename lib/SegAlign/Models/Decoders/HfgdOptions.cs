using System.Text.Json.Serialization;
using SegAlign.Config;

namespace SegAlign.Models.Decoders;

/// <summary>How the shared class kernels meet the features they classify (see <see cref="HfgdOptions.KernelProjection"/>).</summary>
public enum HfgdKernelProjection { None, Linear, Cosine }

/// <summary>
/// Options of the HFGD head. The ablations of the paper map onto them as:
/// baseline (upsampler with its own classifier, no high-level branch) = guidance false and both detach
/// switches false; guidance without stop-gradient = guidance true, both detach switches false;
/// HFGD = the defaults; output stride 2 = outputStride 2. The diagnostic controls (not in the paper):
/// kernelProjection linear / cosine, and highLevelOnly.
/// </summary>
public sealed record HfgdOptions : IValidatable
{
    /// <summary>
    /// True: class kernels are trained by the high-level branch (CAE → kernels, auxiliary loss
    /// "hfgd.high") and reused to classify the upsampler's features. False: the baseline — the
    /// upsampler has its own 1×1 classifier and there is no high-level loss or kernel.
    /// </summary>
    public bool Guidance { get; init; } = true;

    /// <summary>Stop-gradient on everything the upsampler reads: C1–C4 and the CAE output. The upsampler's
    /// loss then updates neither the backbone nor the CAE.</summary>
    public bool DetachBackboneFeatures { get; init; } = true;

    /// <summary>Stop-gradient on the class kernels where the upsampler uses them: only the high-level loss trains them.</summary>
    public bool DetachKernels { get; init; } = true;

    /// <summary>4 (C2 finest, the paper's default) or 2 (adds the stem feature C1, the paper's "unseen" OS 2).</summary>
    public int OutputStride { get; init; } = 4;

    /// <summary>Self-attention blocks in the context augmentation encoder (0 = projection only).</summary>
    public int CaeLayers { get; init; } = 2;

    /// <summary>Attention heads per CAE block; the decoder width must be divisible by it.</summary>
    public int CaeHeads { get; init; } = 8;

    /// <summary>Loss weight of the high-level prediction (the paper trains both branches with equal weight).</summary>
    public double HighLevelWeight { get; init; } = 1.0;

    /// <summary>Dropout2d before each classification (mmseg decode-head default).</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>
    /// A diagnosis of the reconstruction, not in the paper. Null or none: the kernels fitted to the CAE output
    /// (no sign constraint) classify the upsampler's sum of BN-ReLU heads (≥ 0) as they are. Linear: a learned 1×1
    /// projection with bias (no BN, no ReLU) maps the upsampler's features before the shared kernels, so they
    /// can reach the kernels' space. Cosine: both branches classify L2-normalised features (per pixel) with
    /// L2-normalised kernels (per class), scaled by a learned temperature per branch (initialised to
    /// <see cref="HfgdDecoder.InitialTemperature"/>, as in cosine classifiers). Left out of the config while
    /// unset, so the hashes of runs made before it existed stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HfgdKernelProjection? KernelProjection { get; init; }

    /// <summary>
    /// The "high-level branch alone" control (not in the paper): the prediction is the high-level branch's
    /// (CAE → kernels at stride 32, resized to the image by the segmentor), trained with the main loss; no
    /// upsampler is built and there is no auxiliary loss. Left out of the config while unset (hashes unchanged).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? HighLevelOnly { get; init; }

    internal HfgdKernelProjection Projection => KernelProjection ?? HfgdKernelProjection.None;

    internal bool UsesUpsampler => HighLevelOnly != true;

    public void Validate(string where)
    {
        if (OutputStride is not (2 or 4))
            throw new InputException($"{where}.outputStride", $"must be 2 or 4, got {OutputStride}", "use 4 (the paper's default) or 2");
        if (CaeLayers is < 0 or > 8)
            throw new InputException($"{where}.caeLayers", $"must be 0..8, got {CaeLayers}", "use 2");
        if (CaeHeads is < 1 or > 64)
            throw new InputException($"{where}.caeHeads", $"must be 1..64, got {CaeHeads}", "use 8");
        if (!(HighLevelWeight >= 0))
            throw new InputException($"{where}.highLevelWeight", $"must be ≥ 0, got {HighLevelWeight}", "use 1");
        if (!(Dropout is >= 0 and < 1))
            throw new InputException($"{where}.dropout", $"must be in [0, 1), got {Dropout}", "use 0.1");
        if (!Guidance && (DetachBackboneFeatures || DetachKernels))
            throw new InputException(where, "guidance is off, so there is no high-level branch to protect and a stop-gradient would only freeze the backbone or refer to kernels that do not exist",
                "set detachBackboneFeatures and detachKernels to false for the baseline");
        if (!Guidance && Projection != HfgdKernelProjection.None)
            throw new InputException($"{where}.kernelProjection", $"{Projection.ToString().ToLowerInvariant()} acts on the shared class kernels, which do not exist with guidance off",
                "drop kernelProjection, or set guidance to true");
        if (HighLevelOnly == true)
        {
            if (!Guidance)
                throw new InputException($"{where}.highLevelOnly", "the high-level branch is the CAE and the class kernels, which guidance false removes",
                    "set guidance to true (or drop highLevelOnly for the upsampler baseline)");
            if (DetachBackboneFeatures || DetachKernels)
                throw new InputException($"{where}.highLevelOnly", "there is no upsampler, so the stop-gradients between it and the backbone or the kernels would cut nothing",
                    "set detachBackboneFeatures and detachKernels to false with highLevelOnly");
            if (Projection == HfgdKernelProjection.Linear)
                throw new InputException($"{where}.kernelProjection", "linear projects the upsampler's features, and highLevelOnly builds no upsampler",
                    "use none or cosine with highLevelOnly");
            if (OutputStride != 4)
                throw new InputException($"{where}.outputStride", "highLevelOnly predicts at the backbone's stride 32 and builds no upsampler to reach another output stride",
                    "leave outputStride at 4 with highLevelOnly");
        }
    }
}
