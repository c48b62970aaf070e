using SegAlign.Models.Modules;
using SegAlign.Config;
using SegAlign.Nn;

using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>Options of the DeepLabV3 head.</summary>
public sealed record DeepLabV3Options : IValidatable
{
    /// <summary>Dilation rates of the three 3×3 ASPP branches; null = derived from C5's stride
    /// (6, 12, 18)·16/stride: 12/24/36 at output stride 8, 6/12/18 at 16, 3/6/9 at 32.</summary>
    public int[]? AtrousRates { get; init; }

    /// <summary>Element-wise dropout after the ASPP projection (torchvision: 0.5).</summary>
    public double Dropout { get; init; } = 0.5;

    public void Validate(string where)
    {
        if (AtrousRates is { } rates && (rates.Length == 0 || rates.Any(r => r < 1)))
            throw new InputException($"{where}.atrousRates", $"must be a non-empty list of rates ≥ 1, got [{string.Join(", ", rates)}]",
                "omit it to derive 12/24/36 (output stride 8) or 6/12/18 (output stride 16) from the backbone");
        if (Dropout is < 0 or >= 1)
            throw new InputException($"{where}.dropout", $"must be in [0, 1), got {Dropout}", "use 0.5 (torchvision)");
    }
}

/// <summary>
/// DeepLabV3: atrous spatial pyramid pooling with image pooling on C5, logits at C5's stride.
/// Paper: Chen, Papandreou, Schroff, Adam, "Rethinking Atrous Convolution for Semantic Image Segmentation",
/// arXiv 1706.05587 (2017), Sec. 3.3. Reference code followed: pytorch/vision,
/// torchvision/models/segmentation/deeplabv3.py (DeepLabHead, ASPP, ASPPConv, ASPPPooling).
///
///        ┌ 1×1 conv-BN-ReLU ─────────────────────────┐
///        ├ 3×3 conv-BN-ReLU, dilation r1 ────────────┤
///   C5 ──┼ 3×3 conv-BN-ReLU, dilation r2 ────────────┼ concat (5c) → 1×1 conv-BN-ReLU (project)
///        ├ 3×3 conv-BN-ReLU, dilation r3 ────────────┤   → dropout 0.5 → 3×3 conv-BN-ReLU
///        └ global avg pool → 1×1 conv-BN-ReLU → up ──┘   → 1×1 conv (+bias) → logits at C5's stride
///
/// This is the dilated reference the RSP head (rsp) is compared with: the paper's setting is a ResNet
/// with output stride 8 (model.outputStride 8), where the rates are 12/24/36 as in torchvision.
/// Choices and deviations from torchvision:
/// - Width: every branch has context.Channels channels (torchvision/paper: 256 fixed) so the CPU benchmark
///   can shrink the head uniformly.
/// - Rates follow C5's stride, (6, 12, 18)·16/stride, as the paper prescribes (rates doubled at output
///   stride 8); torchvision hard-codes 12/24/36. AtrousRates overrides. At output stride 32 the head still
///   works with the scaled rates 3/6/9 (no exception), so any backbone runs; it is then no longer the
///   paper's dilated DeepLabV3 and results should say so.
/// - The 3×3 conv-BN-ReLU after the projection is torchvision's; the paper goes straight from the 1×1
///   projection to the classifier. mmseg's ASPPHead differs (pooling branch first, no 1×1 projection: one
///   3×3 conv-BN-ReLU bottleneck on the concat, dropout 0.1 before the classifier); torchvision is kept.
/// - Initialisation: PyTorch defaults (kaiming_uniform a=√5) as torchvision, which sets none itself.
/// - Image pooling upsamples a 1×1 map bilinearly with align_corners=false (a broadcast; counted as
///   bilinear sampling, 4 MACs per output element, as the op it is).
/// - BatchNorm in the pooling branch sees one value per channel per image. With batch 1 in training PyTorch
///   raises an error; here that branch normalises with its running statistics instead (and does not update
///   them), so batch-1 training works; with batch ≥ 2 it behaves exactly as torchvision.
/// </summary>
public sealed class DeepLabV3Decoder : Decoder
{
    readonly Aspp aspp;
    readonly ConvBnAct head_conv;
    readonly ConvLayer classifier;

    public DeepLabV3Decoder(DecoderContext context, DeepLabV3Options options) : base(nameof(DeepLabV3Decoder), context)
    {
        long d = context.Channels;
        AtrousRates = options.AtrousRates ?? ContextScaling.AtrousRates(RatesForStride(context.InStrides[3]), context.InStrides[3], context.ContextMapSide(3));
        aspp = new Aspp(context.InChannels[3], d, AtrousRates, options.Dropout);
        head_conv = new ConvBnAct(d, d, 3, init: ConvInit.PyTorchDefault);
        classifier = new ConvLayer(d, context.NumClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        RegisterComponents();
    }

    /// <summary>The dilation rates in use.</summary>
    public int[] AtrousRates { get; }

    /// <summary>The paper's rates (6, 12, 18) at output stride 16, scaled inversely with C5's stride.</summary>
    public static int[] RatesForStride(int stride) => [.. new[] { 6, 12, 18 }.Select(r => Math.Max(1, r * 16 / stride))];

    public override DecoderOutput forward(DecoderInput input) =>
        new(classifier.forward(head_conv.forward(aspp.forward(input.Features[3]))));

    /// <summary>torchvision's ASPP: parallel branches, concat, 1×1 projection, dropout.</summary>
    sealed class Aspp : nn.Module<Tensor, Tensor>
    {
        readonly TensorModules convs = new();
        readonly ConvBnAct project;
        readonly double dropout;

        public Aspp(long inChannels, long channels, int[] rates, double dropout) : base(nameof(Aspp))
        {
            convs.Add(new ConvBnAct(inChannels, channels, 1, init: ConvInit.PyTorchDefault));
            foreach (int rate in rates)
                convs.Add(new ConvBnAct(inChannels, channels, 3, dilation: rate, init: ConvInit.PyTorchDefault));
            convs.Add(new ImagePooling(inChannels, channels));
            project = new ConvBnAct(convs.Count * channels, channels, 1, init: ConvInit.PyTorchDefault);
            this.dropout = dropout;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var branches = new List<Tensor>(convs.Count);
            foreach (var branch in convs) branches.Add(branch.forward(x));
            return Ops.Dropout(project.forward(Ops.Cat(branches, 1)), dropout, training);
        }
    }

    /// <summary>Image-level features: global average pool → 1×1 conv-BN-ReLU → bilinear upsample.</summary>
    sealed class ImagePooling : nn.Module<Tensor, Tensor>
    {
        readonly ConvLayer conv;
        readonly BatchNorm2d bn;

        public ImagePooling(long inChannels, long channels) : base(nameof(ImagePooling))
        {
            conv = new ConvLayer(inChannels, channels, 1, init: ConvInit.PyTorchDefault);
            bn = new BatchNorm2d(channels);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var pooled = conv.forward(Ops.AdaptiveAvgPool(x, 1, 1));
            // One value per channel (batch 1): batch statistics are undefined (PyTorch refuses; libtorch would
            // zero the gradient and write NaN into running_var), so normalise with the running statistics.
            bool singleValue = training && pooled.shape[0] == 1;
            if (singleValue) bn.eval();
            var normalised = bn.forward(pooled);
            if (singleValue) bn.train();
            return Ops.Resize(Ops.Relu(normalised), x.shape[2], x.shape[3], alignCorners: false);
        }
    }
}
