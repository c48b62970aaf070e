using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Nn;

/// <summary>
/// The only door through which model code computes. Each op is the plain libtorch call plus, when a
/// <see cref="FlopCounter"/> is active on this thread, a record of its cost (convention on
/// <see cref="FlopCounter"/>). Out-of-place only: an in-place op would create no tensor and so could
/// escape the counter's coverage check.
/// </summary>
public static class Ops
{
    static FlopCounter? Begin()
    {
        var counter = FlopCounter.Current;
        counter?.Enter();
        return counter;
    }

    static Tensor End(FlopCounter? counter, string op, Tensor output, long macs)
    {
        counter?.Exit(op, macs, output);
        return output;
    }

    /// <summary>
    /// Until disposed, this thread computes Conv2d, Linear and MatMul in <paramref name="type"/> (bfloat16) from float32
    /// operands and returns float32 (see <see cref="AutocastScope"/>). Scopes nest; disposing restores the outer one.
    /// </summary>
    public static AutocastScope Autocast(ScalarType type) => new(type);

    // A lowered op hands back float32, so every op downstream sees the types it would see without the scope.
    static Tensor Raised(Tensor y, bool lowered) => lowered ? y.to(ScalarType.Float32) : y;

    // ---- linear algebra ----------------------------------------------------------------------

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
    {
        var c = Begin();
        // The counted cost is that of the real convolution, whatever padding the kernels below need.
        long perOutput = weight.shape[1] * weight.shape[2] * weight.shape[3] + (bias is null ? 0 : 1);
        bool lowered = AutocastScope.Applies(x, weight);
        if (lowered) (x, weight, bias) = (AutocastScope.Lower(x)!, AutocastScope.Lower(weight)!, AutocastScope.Lower(bias));
        // Only where an input gradient is computed: the stem's 3-channel image needs none, and padding it would be costly.
        if (lowered && x.requires_grad && NeedsChannelPadding(x, weight, groups, dim: 1)) (x, weight) = PadInputChannels(x, weight);
        var y = Raised(NeedsChannelPadding(x, weight, groups, dim: 0)
            ? Conv2dPaddedOutput(x, weight, bias, stride, padding, dilation)
            : F.conv2d(x, weight, bias, [stride, stride], [padding, padding], [dilation, dilation], groups), lowered);
        if (c is null) return y;
        return End(c, "conv2d", y, y.numel() * perOutput);
    }

    // Workaround for libtorch 2.10 / oneDNN 3.7.1 on CPU: when a k×k (k > 1) convolution takes the oneDNN path
    // (batch > 1, or a large input) and its output channel count is not a multiple of the SIMD block (16 with
    // AVX-512, 8 with AVX2), the gradient w.r.t. its INPUT is wrong (relative error ~0.5-1) or NaN; the forward
    // output and the weight gradient are right. Flow/offset heads (2 channels) always hit it. Padding the
    // filters with zero filters to a multiple of the block and slicing the output is exact and avoids that kernel; the
    // counted cost stays that of the real convolution (MACs come from the unpadded weight and output).
    // In bfloat16 the block is 32 (a 512-bit register holds 32 bf16 values), and the INPUT channels need it too: on an
    // avx512_bf16 CPU an 8→16-channel bf16 convolution's input gradient was off by 14 % (PyTorch 1.13's: 0.3 %) until
    // both the filters and the input channels were zero-padded to multiples of 32 (AutocastTests). Exact: zero
    // channels add nothing, and their gradients are sliced away by the cat's backward.
    static long ChannelBlock(Tensor x) => x.dtype == ScalarType.BFloat16 ? 32 : 16;

    // Whether a k×k (k > 1) CPU convolution's filter dimension `dim` (0: output channels, 1: input channels) is off the block.
    static bool NeedsChannelPadding(Tensor x, Tensor weight, long groups, int dim) =>
        groups == 1 && x.device_type == DeviceType.CPU && weight.shape[2] * weight.shape[3] > 1 && weight.shape[dim] % ChannelBlock(x) != 0;

    // t with `extra` zero slices appended along `dim`.
    static Tensor ZeroPadded(Tensor t, int dim, long extra)
    {
        var shape = t.shape.ToArray();
        shape[dim] = extra;
        return torch.cat([t, torch.zeros(shape, t.dtype, t.device)], dim);
    }

    static (Tensor X, Tensor Weight) PadInputChannels(Tensor x, Tensor weight)
    {
        long block = ChannelBlock(x), extra = block - weight.shape[1] % block;
        return (ZeroPadded(x, 1, extra), ZeroPadded(weight, 1, extra));
    }

    static Tensor Conv2dPaddedOutput(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long dilation)
    {
        long block = ChannelBlock(x), outChannels = weight.shape[0], extra = block - outChannels % block;
        var paddedWeight = ZeroPadded(weight, 0, extra);
        var paddedBias = bias is null ? null : ZeroPadded(bias, 0, extra);
        return F.conv2d(x, paddedWeight, paddedBias, [stride, stride], [padding, padding], [dilation, dilation])
            .narrow(1, 0, outChannels);
    }

    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        var c = Begin();
        bool lowered = AutocastScope.Applies(x, weight);
        if (lowered) (x, weight, bias) = (AutocastScope.Lower(x)!, AutocastScope.Lower(weight)!, AutocastScope.Lower(bias));
        var y = Raised(F.linear(x, weight, bias), lowered);
        return End(c, "linear", y, c is null ? 0 : y.numel() * (weight.shape[1] + (bias is null ? 0 : 1)));
    }

    /// <summary>Batched matrix product: [..., M, K] × [..., K, N].</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        var c = Begin();
        bool lowered = AutocastScope.Applies(a, b);
        var y = lowered ? Raised(torch.matmul(AutocastScope.Lower(a)!, AutocastScope.Lower(b)!), true) : torch.matmul(a, b);
        return End(c, "matmul", y, c is null ? 0 : y.numel() * a.shape[^1]);
    }

    // ---- normalisation and activations -------------------------------------------------------

    public static Tensor BatchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor? weight, Tensor? bias, bool training, double momentum, double eps)
    {
        var c = Begin();
        var y = F.batch_norm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
        return End(c, "batch_norm", y, c is null ? 0 : y.numel());
    }

    public static Tensor Relu(Tensor x)
    {
        var c = Begin();
        var y = F.relu(x);
        return End(c, "relu", y, c is null ? 0 : y.numel());
    }

    public static Tensor LeakyRelu(Tensor x, double slope)
    {
        var c = Begin();
        using var negativeSlope = Scalars.Of(slope); // F.leaky_relu would make a temporary Scalar (see Scalars)
        var y = x.leaky_relu(negativeSlope);
        return End(c, "leaky_relu", y, c is null ? 0 : y.numel());
    }

    public static Tensor Softmax(Tensor x, long dim)
    {
        var c = Begin();
        var y = F.softmax(x, dim);
        return End(c, "softmax", y, c is null ? 0 : 3 * y.numel());
    }

    public static Tensor Dropout2d(Tensor x, double p, bool training)
    {
        if (!training || p <= 0) return x;
        var c = Begin();
        var y = F.dropout2d(x, p, training);
        return End(c, "dropout2d", y, c is null ? 0 : y.numel());
    }

    /// <summary>Element-wise dropout (torch.nn.Dropout, e.g. torchvision's ASPP); identity at evaluation.</summary>
    public static Tensor Dropout(Tensor x, double p, bool training)
    {
        if (!training || p <= 0) return x;
        var c = Begin();
        var y = F.dropout(x, p, training);
        return End(c, "dropout", y, c is null ? 0 : y.numel());
    }

    // ---- elementwise ---------------------------------------------------------------------------

    public static Tensor Add(Tensor a, Tensor b)
    {
        var c = Begin();
        var y = torch.add(a, b, Scalars.One);
        return End(c, "add", y, c is null ? 0 : y.numel());
    }

    public static Tensor Sub(Tensor a, Tensor b)
    {
        var c = Begin();
        var y = torch.sub(a, b);
        return End(c, "sub", y, c is null ? 0 : y.numel());
    }

    public static Tensor Mul(Tensor a, Tensor b)
    {
        var c = Begin();
        var y = torch.mul(a, b);
        return End(c, "mul", y, c is null ? 0 : y.numel());
    }

    public static Tensor Div(Tensor a, Tensor b)
    {
        var c = Begin();
        var y = torch.div(a, b);
        return End(c, "div", y, c is null ? 0 : y.numel());
    }

    /// <summary>a·scale + shift, one MAC per element.</summary>
    public static Tensor Affine(Tensor x, double scale, double shift)
    {
        var c = Begin();
        using var scaleScalar = Scalars.Of(scale);
        using var shiftScalar = Scalars.Of(shift);
        var y = torch.add(torch.mul(x, scaleScalar), shiftScalar, Scalars.One);
        return End(c, "affine", y, c is null ? 0 : y.numel());
    }

    public static Tensor Sin(Tensor x)
    {
        var c = Begin();
        var y = torch.sin(x);
        return End(c, "sin", y, c is null ? 0 : y.numel());
    }

    public static Tensor Cos(Tensor x)
    {
        var c = Begin();
        var y = torch.cos(x);
        return End(c, "cos", y, c is null ? 0 : y.numel());
    }

    public static Tensor Sum(Tensor x, long dim, bool keepDim = false)
    {
        var c = Begin();
        var y = x.sum(dim, keepDim);
        return End(c, "sum", y, c is null ? 0 : x.numel());
    }

    /// <summary>
    /// x / max(‖x‖₂, eps) along <paramref name="dim"/> (torch's F.normalize). Counted as executed: a square and a
    /// sum per element, a square root per norm, a divide per element.
    /// </summary>
    public static Tensor L2Normalize(Tensor x, long dim, double eps = 1e-12)
    {
        var c = Begin();
        var y = F.normalize(x, p: 2, dim: dim, eps: eps);
        return End(c, "l2normalize", y, c is null ? 0 : 3 * x.numel() + x.numel() / x.shape[dim < 0 ? dim + x.dim() : dim]);
    }

    public static Tensor Mean(Tensor x, long[] dims, bool keepDim = false)
    {
        var c = Begin();
        var y = x.mean(dims, keepDim);
        return End(c, "mean", y, c is null ? 0 : x.numel());
    }

    // ---- resampling ----------------------------------------------------------------------------

    /// <summary>Bilinear (or nearest) resize to an explicit size.</summary>
    public static Tensor Resize(Tensor x, long height, long width, bool alignCorners, bool nearest = false)
    {
        if (x.shape[2] == height && x.shape[3] == width) return x;
        var c = Begin();
        var y = nearest
            ? F.interpolate(x, [height, width], mode: InterpolationMode.Nearest)
            : SeparableResize.Worthwhile(x, height, width)
                ? SeparableResize.Resize(x, height, width, alignCorners)
                : F.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        return End(c, nearest ? "interpolate_nearest" : "interpolate_bilinear", y, c is null || nearest ? 0 : 4 * y.numel());
    }

    /// <summary>grid_sample; grid is [N, Hout, Wout, 2] in (x, y) order, normalised to [-1, 1].</summary>
    public static Tensor GridSample(Tensor x, Tensor grid, bool alignCorners, bool nearest = false)
    {
        var c = Begin();
        var y = F.grid_sample(x, grid, nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear,
            GridSamplePaddingMode.Zeros, alignCorners);
        return End(c, nearest ? "grid_sample_nearest" : "grid_sample_bilinear", y, c is null || nearest ? 0 : 4 * y.numel());
    }

    public static Tensor AdaptiveAvgPool(Tensor x, long height, long width)
    {
        var c = Begin();
        var y = F.adaptive_avg_pool2d(x, [height, width]);
        if (c is null) return y;
        long window = AdaptiveWindowTotal(x.shape[2], height) * AdaptiveWindowTotal(x.shape[3], width);
        return End(c, "adaptive_avg_pool", y, x.shape[0] * x.shape[1] * window);
    }

    public static Tensor MaxPool(Tensor x, long kernel, long stride, long padding)
    {
        var c = Begin();
        var y = F.max_pool2d(x, [kernel, kernel], [stride, stride], [padding, padding]);
        return End(c, "max_pool", y, c is null ? 0 : y.numel() * kernel * kernel);
    }

    /// <summary>Sliding k×k neighbourhoods: [N, C, H, W] → [N, C·k·k, L] (a gather, no arithmetic).</summary>
    public static Tensor Unfold(Tensor x, long kernel, long dilation, long padding, long stride)
    {
        var c = Begin();
        var y = F.unfold(x, (kernel, kernel), (dilation, dilation), (padding, padding), (stride, stride));
        return End(c, "unfold", y, 0);
    }

    // Sum over output cells of the adaptive window length along one axis (PyTorch's start/end rule).
    internal static long AdaptiveWindowTotal(long input, long output)
    {
        long total = 0;
        for (long i = 0; i < output; i++)
        {
            long start = i * input / output, end = ((i + 1) * input + output - 1) / output;
            total += end - start;
        }
        return total;
    }

    // ---- layout (no arithmetic, still recorded so coverage stays provable) --------------------

    public static Tensor Cat(IList<Tensor> xs, long dim)
    {
        var c = Begin();
        var y = torch.cat(xs, dim);
        return End(c, "cat", y, 0);
    }

    public static Tensor Reshape(Tensor x, params long[] shape)
    {
        var c = Begin();
        var y = x.reshape(shape);
        return End(c, "reshape", y, 0);
    }

    public static Tensor Permute(Tensor x, params long[] dims)
    {
        var c = Begin();
        var y = x.permute(dims);
        return End(c, "permute", y, 0);
    }

    /// <summary>Zero padding of the last two dims (F.pad, constant 0): a copy, no arithmetic. Returns x itself when all are 0.</summary>
    public static Tensor Pad(Tensor x, long left, long right, long top, long bottom)
    {
        if (left == 0 && right == 0 && top == 0 && bottom == 0) return x;
        var c = Begin();
        var y = F.pad(x, [left, right, top, bottom]);
        return End(c, "pad", y, 0);
    }

    public static Tensor Slice(Tensor x, long dim, long start, long length)
    {
        var c = Begin();
        var y = x.narrow(dim, start, length);
        return End(c, "slice", y, 0);
    }

    public static Tensor Detach(Tensor x)
    {
        var c = Begin();
        var y = x.detach();
        return End(c, "detach", y, 0);
    }

    public static Tensor Expand(Tensor x, params long[] shape)
    {
        var c = Begin();
        var y = x.expand(shape);
        return End(c, "expand", y, 0);
    }

    /// <summary>A constant built from values (grids, coordinates); recorded at zero cost.</summary>
    public static Tensor Constant(float[] values, long[] shape, Device device)
    {
        var c = Begin();
        var y = torch.tensor(values, shape, device: device);
        return End(c, "constant", y, 0);
    }
}
