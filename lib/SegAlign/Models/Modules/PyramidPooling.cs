using SegAlign.Nn;

using static TorchSharp.torch;

namespace SegAlign.Models.Modules;

/// <summary>
/// Pyramid pooling (PSPNet) in SFNet's form (SFSegNets network/nn/operators.py PSPModule): for each
/// bin b ∈ {1, 2, 3, 6}: adaptive average pool to b×b → 1×1 conv (no bias) → BN (no activation, as in
/// the official code); upsample each bilinearly (align_corners true) to the input size; concatenate
/// with the input; 1×1 conv-BN-ReLU; Dropout2d(0.1).
/// </summary>
public sealed class PyramidPooling : nn.Module<Tensor, Tensor>
{
    readonly int[] bins;

    /// <summary>The pooling bins in use.</summary>
    public IReadOnlyList<int> Bins => bins;
    readonly TensorModules stages = new();
    readonly ConvBnAct bottleneck;
    readonly double dropout;

    public PyramidPooling(long inChannels, long outChannels, int[]? bins = null, double dropout = 0.1) : base(nameof(PyramidPooling))
    {
        this.bins = bins ?? [1, 2, 3, 6];
        foreach (var _ in this.bins)
            stages.Add(new ConvBnAct(inChannels, outChannels, 1, activation: Activation.None));
        bottleneck = new ConvBnAct(inChannels + this.bins.Length * outChannels, outChannels, 1);
        this.dropout = dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        var priors = new List<Tensor>(bins.Length + 1);
        for (int i = 0; i < bins.Length; i++)
        {
            var pooled = stages[i].forward(Ops.AdaptiveAvgPool(x, bins[i], bins[i]));
            priors.Add(Ops.Resize(pooled, h, w, alignCorners: true));
        }
        priors.Add(x);
        return Ops.Dropout2d(bottleneck.forward(Ops.Cat(priors, 1)), dropout, training);
    }
}
