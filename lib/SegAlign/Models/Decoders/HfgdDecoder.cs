using SegAlign.Config;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>
/// Options of the HFGD head. The ablations of the paper map onto them as:
/// baseline (upsampler with its own classifier, no high-level branch) = guidance false and both detach
/// switches false; guidance without stop-gradient = guidance true, both detach switches false;
/// HFGD = the defaults; output stride 2 = outputStride 2.
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
    }
}

/// <summary>
/// HFGD: class kernels learnt only from the high-level features, reused under stop-gradient by a
/// pyramid upsampler that cannot contaminate the backbone.
/// Paper: Huang, Kang, Gao, Li, Duan, "HFGD: High-level Feature Guided Decoder for Semantic Segmentation",
/// arXiv 2303.08646 (v3 "High-Level Feature Guided Decoding…", IEEE TCSVT 2024). No official code was
/// available (github.com/edwardyehuang/HFGD is announced; no snapshot could be had), so this is a
/// reconstruction from the abstracts (v1–v3) and the caption of Fig. 1; the method section could not be read.
///
///   C5 → CAE (width C, stride 32) → F ──→ Dropout → · Kᵀ → high logits (aux "hfgd.high", weight 1)
///                                   │                ▲
///                                   sg       class kernels K (K×C), trained only here
///                                   │                │ sg
///                                   ▼                ▼
///   C4 ─ sg → ┐ Semantic FPN with F on top: 1×1 laterals, top-down ⊕ (nearest), 3×3 convs,
///   C3 ─ sg → ┤ scale heads (3×3 conv-BN-ReLU + 2× bilinear per octave) summed at the output
///   C2 ─ sg → ┤ stride → Dropout → · sg(K)ᵀ → logits (the prediction, main loss)
///   C1 ─ sg → ┘ (output stride 2 only)
///   sg = stop-gradient; each is a switch.
///
/// What the paper says, what is reconstructed, and why:
/// - Class kernels "co-evolve only with the high-level features and are reused in the upsampling head"
///   (v1), "only the high-level features from the backbone are used to train the class tokens" (v3):
///   here a K×C parameter; high logits = F·kernelsᵀ (a bias-free 1×1 conv whose weight is the kernel
///   matrix); the upsampler's features are classified by the same matrix under stop-gradient
///   (<see cref="HfgdOptions.DetachKernels"/>). No bias, no normalisation of kernels or features (not
///   mentioned). Initialised as a 1×1 conv (uniform ±1/√C).
/// - "Proper stop-gradient operations so that the backbone does not update according to the gradient
///   from the upsampler" (v2/v3): the backbone features entering the upsampler are detached
///   (<see cref="HfgdOptions.DetachBackboneFeatures"/>). The upsampler is "guided" by the high-level
///   features ("uses isolated high-level features to guide low-level features and upsampling process";
///   Fig. 1: "the better high-level pretrained features (i.e. CAE) to guide (i.e. HFGM) the upsampling
///   process (U-SFPN)"), so it takes the CAE output F as its top pyramid level. F is detached by the same
///   switch, because otherwise the upsampler's gradient would reach the backbone through the CAE and
///   C5 — exactly what the stop-gradient is for — and would also train the CAE that feeds the kernels.
/// - Upsampler ("U-SFPN", built on SemanticFPN): a Semantic FPN (Kirillov et al., mmseg FPN neck +
///   FPNHead) over C2–C4 plus F, or C1–C4 plus F for output stride 2 (v1: "upsample the feature maps
///   to a previously unseen output stride (OS) of 2"). Each level: 1×1 lateral, top-down sum with
///   nearest upsampling (mmseg), 3×3 output conv, then a scale head of max(1, log2(stride/OS)) 3×3
///   conv-BN-ReLU stages each followed by 2× bilinear upsampling (align_corners=false) to the next
///   finer level's exact size; the heads are summed. Deviations from mmseg: laterals and output convs
///   are conv-BN-ReLU without bias (mmseg: plain convs with bias, xavier init), as in this suite's FPN
///   baseline, and every width is C (mmseg: 256 neck, 128 head) because the summed features must
///   match the C-dimensional kernels.
/// - CAE ("context augmentation encoder that can efficiently and effectively operate on the
///   low-resolution high-level feature"): its structure is not in the abstracts. Reconstructed as a
///   small transformer encoder at stride 32: 1×1 conv-BN-ReLU C5 → C, then <see cref="HfgdOptions.CaeLayers"/>
///   blocks of multi-head self-attention (1×1 q/k/v/out projections, softmax(qᵀk/√d)) and a
///   C → 2C → C feed-forward, each residual with BN on the branch (BN instead of LayerNorm: the suite
///   has no LayerNorm op and every other head uses BN). No positional embedding (the conv features
///   carry position through zero padding). The projections have no bias: a key bias cancels in the
///   softmax, and value/output biases are removed by the branch BN, so they could not learn.
/// - Loss: high-level CE (weight <see cref="HfgdOptions.HighLevelWeight"/>, 1.0) + upsampler CE; the
///   prediction is the upsampler's. The high logits are returned in evaluation as well (visualisation).
/// - Baseline (<see cref="HfgdOptions.Guidance"/> false): the same CAE + upsampler trained end to end
///   with its own 1×1 classifier (with bias), no kernels and no high-level loss.
/// Dropout2d(0.1) precedes both classifications (mmseg decode-head default); widths map as paper 256 → C.
/// </summary>
public sealed class HfgdDecoder : Decoder
{
    readonly ContextAugmentationEncoder cae;
    readonly TorchSharp.Modules.Parameter? class_kernels;
    readonly ConvLayer? cls_seg;
    readonly TensorModules lateral_convs = new(), fpn_convs = new();
    readonly TorchSharp.Modules.ModuleList<ScaleHead> scale_heads = new();
    readonly int[] strides;   // of the upsampler's inputs, finest first; the last is F's
    readonly HfgdOptions options;

    public HfgdDecoder(DecoderContext context, HfgdOptions options) : base(nameof(HfgdDecoder), context)
    {
        options.Validate("model.decoderOptions");
        this.options = options;
        long c = context.Channels;
        if (c % options.CaeHeads != 0)
            throw new InputException("model.decoderOptions.caeHeads", $"the decoder width {c} is not divisible by {options.CaeHeads} heads",
                "choose a head count that divides model.decoderChannels");
        cae = new ContextAugmentationEncoder(context.InChannels[3], c, options.CaeLayers, options.CaeHeads);

        var inChannels = new List<long>();
        var levelStrides = new List<int>();
        if (options.OutputStride == 2) { inChannels.Add(context.StemChannels); levelStrides.Add(2); }
        for (int i = 0; i < 3; i++) { inChannels.Add(context.InChannels[i]); levelStrides.Add(context.InStrides[i]); }
        inChannels.Add(c); levelStrides.Add(context.InStrides[3]);
        strides = [.. levelStrides];
        for (int i = 0; i < strides.Length; i++)
        {
            lateral_convs.Add(new ConvBnAct(inChannels[i], c, 1));
            fpn_convs.Add(new ConvBnAct(c, c, 3));
            scale_heads.Add(new ScaleHead(c, Octaves(strides[i], options.OutputStride)));
        }

        if (options.Guidance)
        {
            class_kernels = new TorchSharp.Modules.Parameter(empty(context.NumClasses, c));
            using (no_grad()) nn.init.kaiming_uniform_(class_kernels, Math.Sqrt(5));
            register_parameter("class_kernels", class_kernels);
        }
        else cls_seg = new ConvLayer(c, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    static int Octaves(int stride, int outputStride)
    {
        int octaves = 0;
        for (int s = stride; s > outputStride; s /= 2) octaves++;
        if (outputStride << octaves != stride)
            throw new InvalidOperationException($"HFGD needs pyramid strides that are power-of-two multiples of the output stride, got {stride} for {outputStride}");
        return octaves;
    }

    public override DecoderOutput forward(DecoderInput input)
    {
        var c = input.Features;
        var high = cae.forward(c[3]);
        Tensor Cut(Tensor t) => options.DetachBackboneFeatures ? Ops.Detach(t) : t;

        var inputs = new List<Tensor>(5);
        if (options.OutputStride == 2) inputs.Add(Cut(input.Stem));
        for (int i = 0; i < 3; i++) inputs.Add(Cut(c[i]));
        inputs.Add(Cut(high));

        // Exact sizes per stride, so odd feature sizes resample to the right shape.
        var sizes = new Dictionary<int, (long, long)>();
        for (int i = 0; i < inputs.Count; i++) sizes.TryAdd(strides[i], (inputs[i].shape[2], inputs[i].shape[3]));

        int n = inputs.Count;
        var laterals = new Tensor[n];
        for (int i = 0; i < n; i++) laterals[i] = lateral_convs[i].forward(inputs[i]);
        for (int i = n - 2; i >= 0; i--)
            laterals[i] = Ops.Add(laterals[i], Ops.Resize(laterals[i + 1], laterals[i].shape[2], laterals[i].shape[3], alignCorners: false, nearest: true));
        Tensor? fused = null;
        for (int i = 0; i < n; i++)
        {
            var level = scale_heads[i].Forward(fpn_convs[i].forward(laterals[i]), strides[i], sizes);
            fused = fused is null ? level : Ops.Add(fused, level);
        }
        var features = Ops.Dropout2d(fused!, options.Dropout, training);

        if (class_kernels is null) return new DecoderOutput(cls_seg!.forward(features));

        var highLogits = Classify(Ops.Dropout2d(high, options.Dropout, training), class_kernels);
        var kernels = options.DetachKernels ? Ops.Detach(class_kernels) : class_kernels;
        return new DecoderOutput(Classify(features, kernels), [new AuxiliaryLogits("hfgd.high", highLogits, options.HighLevelWeight)]);
    }

    // features [B, C, H, W] · kernels [K, C]ᵀ → [B, K, H, W]: a bias-free 1×1 conv with the kernel matrix as weight.
    static Tensor Classify(Tensor features, Tensor kernels) =>
        Ops.Conv2d(features, Ops.Reshape(kernels, kernels.shape[0], kernels.shape[1], 1, 1), null);
}

/// <summary>
/// Semantic FPN scale head (mmseg FPNHead): per octave between the level and the output stride one 3×3
/// conv-BN-ReLU followed by 2× bilinear upsampling (align_corners=false) to the next finer level's
/// exact size; a level already at the output stride gets one conv and no upsampling.
/// </summary>
public sealed class ScaleHead : nn.Module
{
    readonly TensorModules convs = new();
    readonly int octaves;

    public ScaleHead(long channels, int octaves) : base(nameof(ScaleHead))
    {
        this.octaves = octaves;
        for (int i = 0; i < Math.Max(1, octaves); i++) convs.Add(new ConvBnAct(channels, channels, 3));
        RegisterComponents();
    }

    /// <param name="x">the level's features</param>
    /// <param name="stride">the level's stride</param>
    /// <param name="sizes">spatial size of each stride present in the pyramid</param>
    public Tensor Forward(Tensor x, int stride, IReadOnlyDictionary<int, (long Height, long Width)> sizes)
    {
        for (int i = 0; i < convs.Count; i++)
        {
            x = convs[i].forward(x);
            if (i >= octaves) continue;
            stride /= 2;
            if (!sizes.TryGetValue(stride, out var size))
                throw new InvalidOperationException($"HFGD's scale head needs a pyramid level at stride {stride}");
            x = Ops.Resize(x, size.Height, size.Width, alignCorners: false);
        }
        return x;
    }
}

/// <summary>
/// HFGD's context augmentation encoder as reconstructed here: 1×1 conv-BN-ReLU to the decoder width,
/// then <c>layers</c> transformer-style blocks (multi-head self-attention, feed-forward C → 2C → C),
/// each sub-block residual with BN on its branch. Runs at the backbone's lowest resolution.
/// </summary>
public sealed class ContextAugmentationEncoder : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct proj;
    readonly TensorModules blocks = new();

    public ContextAugmentationEncoder(long inChannels, long channels, int layers, int heads) : base(nameof(ContextAugmentationEncoder))
    {
        proj = new ConvBnAct(inChannels, channels, 1);
        for (int i = 0; i < layers; i++) blocks.Add(new SelfAttentionBlock(channels, heads));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = proj.forward(x);
        foreach (var block in blocks) x = block.forward(x);
        return x;
    }
}

/// <summary>x + BN(W_o · MHSA(x)), then x + BN(W_2 · ReLU(BN(W_1 · x))); all projections 1×1 and bias-free.</summary>
public sealed class SelfAttentionBlock : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer query, key, value, out_proj;
    readonly BatchNorm2d norm;
    readonly ConvBnAct ffn1, ffn2;
    readonly int heads;

    public SelfAttentionBlock(long channels, int heads) : base(nameof(SelfAttentionBlock))
    {
        this.heads = heads;
        query = new ConvLayer(channels, channels, 1, init: ConvInit.PyTorchDefault);
        key = new ConvLayer(channels, channels, 1, init: ConvInit.PyTorchDefault);
        value = new ConvLayer(channels, channels, 1, init: ConvInit.PyTorchDefault);
        out_proj = new ConvLayer(channels, channels, 1, init: ConvInit.PyTorchDefault);
        norm = new BatchNorm2d(channels);
        ffn1 = new ConvBnAct(channels, 2 * channels, 1);
        ffn2 = new ConvBnAct(2 * channels, channels, 1, activation: Activation.None);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], d = c / heads;
        var q = Ops.Permute(Ops.Reshape(query.forward(x), b, heads, d, h * w), 0, 1, 3, 2);   // [B, heads, N, d]
        var k = Ops.Reshape(key.forward(x), b, heads, d, h * w);                              // [B, heads, d, N]
        var v = Ops.Permute(Ops.Reshape(value.forward(x), b, heads, d, h * w), 0, 1, 3, 2);   // [B, heads, N, d]
        var attention = Ops.Softmax(Ops.Affine(Ops.MatMul(q, k), 1 / Math.Sqrt(d), 0), -1);    // [B, heads, N, N]
        var mixed = Ops.Reshape(Ops.Permute(Ops.MatMul(attention, v), 0, 1, 3, 2), b, c, h, w);
        x = Ops.Add(x, norm.forward(out_proj.forward(mixed)));
        return Ops.Add(x, ffn2.forward(ffn1.forward(x)));
    }
}
