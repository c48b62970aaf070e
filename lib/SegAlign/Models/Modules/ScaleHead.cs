using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models.Modules;

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
