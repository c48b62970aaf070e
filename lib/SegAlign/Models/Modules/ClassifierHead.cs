using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models.Modules;

/// <summary>
/// 3×3 conv-BN-ReLU → Dropout2d → 1×1 classifier: the FCN-style head used for auxiliary / deep
/// supervision outputs (mmseg FCNHead with one conv; SFNet and AlignSeg DSN heads).
/// </summary>
public sealed class ClassifierHead : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct conv;
    readonly ConvLayer classifier;
    readonly double dropout;

    public ClassifierHead(long inChannels, long channels, int numClasses, double dropout = 0.1) : base(nameof(ClassifierHead))
    {
        conv = new ConvBnAct(inChannels, channels, 3);
        classifier = new ConvLayer(channels, numClasses, 1, bias: true, init: ConvInit.PyTorchDefault);
        this.dropout = dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => classifier.forward(Ops.Dropout2d(conv.forward(x), dropout, training));
}
