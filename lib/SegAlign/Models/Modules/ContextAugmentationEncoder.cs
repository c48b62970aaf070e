using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models.Modules;

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
