using SegAlign.Models.Decoders;
using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models.Modules;

/// <summary>
/// How a predicted offset field is turned into a sampling grid: grid = base + offset / divisor, where the base
/// grid holds linspace(−1, 1) over the output's columns (x) and rows (y), offset channel 0 is x and channel 1 is
/// y, and grid_sample runs bilinear with zero padding and the given align_corners. The three conventions the
/// flow-alignment papers use differ only in the divisor and align_corners.
/// </summary>
/// <param name="DivisorX">What the x offset is divided by before it is added to the [−1, 1] base grid.</param>
/// <param name="DivisorY">Same for y.</param>
/// <param name="AlignCorners">grid_sample's align_corners.</param>
public readonly record struct WarpConvention(double DivisorX, double DivisorY, bool AlignCorners)
{
    /// <summary>SFNet's flow_warp: divisor = output size (W_out, H_out), align_corners true. One flow unit is
    /// (W_out−1)/(2·W_out) ≈ ½ output pixel; zero flow is bilinear upsampling with align_corners true.</summary>
    public static WarpConvention Sfnet(long outHeight, long outWidth) => new(outWidth, outHeight, true);

    /// <summary>One unit = one output pixel: divisor (W_out−1)/2, align_corners true (AlignSeg's unused
    /// "standard" warp); zero offset is an exact identity / align-corners upsampling. A one-pixel axis has no
    /// pixel spacing; its divisor is taken as 1 so nothing divides by zero.</summary>
    public static WarpConvention OutputPixels(long outHeight, long outWidth) => new(HalfSpan(outWidth), HalfSpan(outHeight), true);

    /// <summary>The warp AlignSeg's released code calls: divisor = the INPUT's (w, h), grid_sample with
    /// align_corners unset, i.e. false on PyTorch ≥ 1.3. Zero offset is not an identity.</summary>
    public static WarpConvention AlignSegOfficial(long inHeight, long inWidth) => new(inWidth, inHeight, false);

    static double HalfSpan(long size) => size > 1 ? (size - 1) / 2.0 : 1.0;

    /// <summary>Output pixels per offset unit along x for an output <paramref name="outWidth"/> wide: a normalised
    /// displacement δ moves a sample by δ·(W_out−1)/2 steps of the base grid (one step = one output pixel).</summary>
    public double PixelsPerUnitX(long outWidth) => (outWidth - 1) / 2.0 / DivisorX;

    public double PixelsPerUnitY(long outHeight) => (outHeight - 1) / 2.0 / DivisorY;
}

/// <summary>The warp shared by FAM (SFNet), AlignFA and AlignCM (AlignSeg), built only from <see cref="Ops"/>.</summary>
public static class FlowWarp
{
    /// <summary>[1, H, W, 2] grid of (x, y) = (linspace(−1, 1, W)[j], linspace(−1, 1, H)[i]); a single-pixel axis
    /// sits at −1, as torch.linspace(−1, 1, 1) does. A constant, built per call (no tensor outlives a scope).</summary>
    public static Tensor BaseGrid(long height, long width, Device device)
    {
        var values = new float[height * width * 2];
        for (long i = 0; i < height; i++)
        {
            float y = Coordinate(i, height);
            for (long j = 0; j < width; j++)
            {
                long at = (i * width + j) * 2;
                values[at] = Coordinate(j, width);
                values[at + 1] = y;
            }
        }
        return Ops.Constant(values, [1, height, width, 2], device);
    }

    // Computed in double and rounded once: the ends are exactly ±1, so zero offset hits the corner pixels exactly.
    static float Coordinate(long index, long count) => count > 1 ? (float)(-1.0 + 2.0 * index / (count - 1)) : -1f;

    /// <summary>
    /// Samples <paramref name="input"/> [N, C, h, w] on the output grid given by <paramref name="offset"/>
    /// [N, 2, H, W] (channel 0 = x, 1 = y, in the convention's units). Returns [N, C, H, W].
    /// Cost: divide and add on the [N, H, W, 2] grid, then bilinear grid_sample.
    /// </summary>
    public static Tensor Warp(Tensor input, Tensor offset, WarpConvention convention)
    {
        long height = offset.shape[2], width = offset.shape[3];
        var divisor = Ops.Constant([(float)convention.DivisorX, (float)convention.DivisorY], [1, 1, 1, 2], offset.device);
        var normalised = Ops.Div(Ops.Permute(offset, 0, 2, 3, 1), divisor);
        var grid = Ops.Add(BaseGrid(height, width, offset.device), normalised);
        return Ops.GridSample(input, grid, convention.AlignCorners);
    }

    /// <summary>A detached copy of <paramref name="offset"/> converted to output pixels (dx, dy), released from
    /// every dispose scope so it outlives the caller's; whoever takes it disposes it.</summary>
    public static Tensor ToOutputPixels(Tensor offset, WarpConvention convention)
    {
        long height = offset.shape[2], width = offset.shape[3];
        var scale = Ops.Constant([(float)convention.PixelsPerUnitX(width), (float)convention.PixelsPerUnitY(height)], [1, 2, 1, 1], offset.device);
        return Ops.Mul(Ops.Detach(offset), scale).DetachFromDisposeScope();
    }
}

/// <summary>
/// The <see cref="IFlowProducer"/> bookkeeping shared by the flow decoders: while <see cref="Enabled"/>, a
/// forward pass starts with <see cref="BeginPass"/> (dropping fields nobody took) and each warp calls
/// <see cref="Record"/>; nothing is computed when disabled.
/// </summary>
public sealed class FlowRecorder
{
    readonly List<FlowField> fields = new();

    public bool Enabled { get; set; }

    public void BeginPass()
    {
        foreach (var field in fields) field.Flow.Dispose();
        fields.Clear();
    }

    public void Record(string name, Tensor offset, WarpConvention convention)
    {
        if (Enabled) fields.Add(new FlowField(name, FlowWarp.ToOutputPixels(offset, convention)));
    }

    /// <summary>Hands the fields over; the caller disposes them.</summary>
    public IReadOnlyList<FlowField> Take()
    {
        var taken = fields.ToList();
        fields.Clear();
        return taken;
    }
}
