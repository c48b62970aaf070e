using SegAlign.Config;
using SegAlign.Nn;
using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Models.Backbones;

/// <summary>
/// ResNet-18/34/50/101 with torchvision's module structure and parameter names
/// (conv1, bn1, layer1.0.conv1, …, layer2.0.downsample.0, fc), so a state dict exported from
/// torchvision loads unchanged when <see cref="BackboneOptions.DeepStem"/> is off and width is 1.
/// Returns C1 (stem, stride 2) and C2–C5. Extensions: width multiplier, input channels, deep stem (3×3 convs, as the
/// ResNet-D stems of SFNet, AlignSeg and IFA), dilation for output stride 16 or 8 (torchvision's
/// replace_stride_with_dilation rule; unlike torchvision, BasicBlock accepts dilation, as mmseg does).
/// </summary>
public sealed class ResNet : Backbone
{
    readonly nn.Module<Tensor, Tensor> conv1;
    readonly BatchNorm2d bn1;
    readonly TensorModules layer1, layer2, layer3, layer4;
    readonly Linear? fc;

    public ResNet(string name, bool bottleneck, int[] blocks, BackboneOptions options, int classifierClasses = 0) : base(name)
    {
        options.Validate();
        int Scale(int c) => Math.Max(8, (int)Math.Round(c * options.Width / 8.0) * 8);
        int expansion = bottleneck ? 4 : 1;
        int stemChannels = Scale(64);
        int inplanes = options.DeepStem ? 2 * stemChannels : stemChannels;

        conv1 = options.DeepStem
            ? Stages.DeepStem(options.InChannels, stemChannels)
            : new ConvLayer(options.InChannels, stemChannels, 7, stride: 2, padding: 3);
        bn1 = new BatchNorm2d(inplanes);
        bn1Channels = inplanes;

        // Output stride 32: no dilation; 16: layer4 dilated; 8: layer3 and layer4 dilated.
        bool dilate3 = options.OutputStride == 8, dilate4 = options.OutputStride <= 16;
        int dilation = 1;
        TensorModules MakeLayer(int planes, int count, int stride, bool dilate)
        {
            int previousDilation = dilation;
            if (dilate) { dilation *= stride; stride = 1; }
            var layer = new TensorModules();
            layer.Add(MakeBlock(inplanes, planes, stride, previousDilation, bottleneck));
            inplanes = planes * expansion;
            for (int i = 1; i < count; i++) layer.Add(MakeBlock(inplanes, planes, 1, dilation, bottleneck));
            return layer;
        }
        layer1 = MakeLayer(Scale(64), blocks[0], 1, false);
        layer2 = MakeLayer(Scale(128), blocks[1], 2, false);
        layer3 = MakeLayer(Scale(256), blocks[2], 2, dilate3);
        layer4 = MakeLayer(Scale(512), blocks[3], 2, dilate4);

        Channels = [Scale(64) * expansion, Scale(128) * expansion, Scale(256) * expansion, Scale(512) * expansion];
        Strides = [4, 8, dilate3 ? 8 : 16, options.OutputStride];
        if (classifierClasses > 0) fc = new Linear(Channels[3], classifierClasses);
        RegisterComponents();
    }

    static nn.Module<Tensor, Tensor> MakeBlock(int inplanes, int planes, int stride, int dilation, bool bottleneck) =>
        bottleneck ? new Bottleneck(inplanes, planes, stride, dilation) : new BasicBlock(inplanes, planes, stride, dilation);

    public override long[] Channels { get; }
    public override int[] Strides { get; }
    public override long StemChannels => bn1Channels;
    readonly long bn1Channels;

    /// <summary>[C1, C2, C3, C4, C5].</summary>
    public override Tensor[] forward(Tensor x)
    {
        var c1 = Ops.Relu(bn1.forward(conv1.forward(x)));
        var c2 = Run(layer1, Ops.MaxPool(c1, 3, 2, 1));
        var c3 = Run(layer2, c2);
        var c4 = Run(layer3, c3);
        var c5 = Run(layer4, c4);
        return [c1, c2, c3, c4, c5];
    }

    /// <summary>Image classification head (global pool + fc), for parameter/FLOP parity with torchvision.</summary>
    public Tensor Classify(Tensor x)
    {
        if (fc is null) throw new InvalidOperationException("This ResNet was built without a classifier.");
        var c5 = forward(x)[4];
        var pooled = Ops.AdaptiveAvgPool(c5, 1, 1);
        return fc.forward(Ops.Reshape(pooled, pooled.shape[0], pooled.shape[1]));
    }

    static Tensor Run(TensorModules layer, Tensor x)
    {
        foreach (var block in layer) x = block.forward(x);
        return x;
    }
}

/// <summary>torchvision BasicBlock (two 3×3 convs), with dilation support.</summary>
sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer conv1, conv2;
    readonly BatchNorm2d bn1, bn2;
    readonly nn.Module<Tensor, Tensor>? downsample;

    public BasicBlock(int inplanes, int planes, int stride, int dilation) : base(nameof(BasicBlock))
    {
        conv1 = new ConvLayer(inplanes, planes, 3, stride, dilation: dilation);
        bn1 = new BatchNorm2d(planes);
        conv2 = new ConvLayer(planes, planes, 3, 1, dilation: dilation);
        bn2 = new BatchNorm2d(planes);
        if (stride != 1 || inplanes != planes) downsample = Stages.Downsample(inplanes, planes, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = Ops.Relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        var identity = downsample is null ? x : downsample.forward(x);
        return Ops.Relu(Ops.Add(y, identity));
    }
}

/// <summary>torchvision Bottleneck (ResNet v1.5: stride on the 3×3 conv).</summary>
sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer conv1, conv2, conv3;
    readonly BatchNorm2d bn1, bn2, bn3;
    readonly nn.Module<Tensor, Tensor>? downsample;

    public Bottleneck(int inplanes, int planes, int stride, int dilation) : base(nameof(Bottleneck))
    {
        conv1 = new ConvLayer(inplanes, planes, 1);
        bn1 = new BatchNorm2d(planes);
        conv2 = new ConvLayer(planes, planes, 3, stride, dilation: dilation);
        bn2 = new BatchNorm2d(planes);
        conv3 = new ConvLayer(planes, planes * 4, 1);
        bn3 = new BatchNorm2d(planes * 4);
        if (stride != 1 || inplanes != planes * 4) downsample = Stages.Downsample(inplanes, planes * 4, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = Ops.Relu(bn1.forward(conv1.forward(x)));
        y = Ops.Relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        var identity = downsample is null ? x : downsample.forward(x);
        return Ops.Relu(Ops.Add(y, identity));
    }
}

static class Stages
{
    /// <summary>1×1 strided conv + BN, named downsample.0 / downsample.1 as in torchvision.</summary>
    public static nn.Module<Tensor, Tensor> Downsample(int inplanes, int outplanes, int stride) =>
        nn.Sequential(("0", new ConvLayer(inplanes, outplanes, 1, stride)), ("1", new BatchNorm2d(outplanes)));

    /// <summary>
    /// Deep stem: three 3×3 convs (stride 2 on the first), channels c, c, 2c, named conv1.0 … conv1.6 as in the
    /// ResNet-D stems of SFSegNets/AlignSeg; the last BN/ReLU is the ResNet's bn1.
    /// </summary>
    public static nn.Module<Tensor, Tensor> DeepStem(int inChannels, int channels) =>
        nn.Sequential(
            ("0", new ConvLayer(inChannels, channels, 3, 2)), ("1", new BatchNorm2d(channels)), ("2", new Relu()),
            ("3", new ConvLayer(channels, channels, 3, 1)), ("4", new BatchNorm2d(channels)), ("5", new Relu()),
            ("6", new ConvLayer(channels, 2 * channels, 3, 1)));
}
