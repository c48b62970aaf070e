using TorchSharp;

using static TorchSharp.torch;

namespace SegAlign.Nn;

/// <summary>How a convolution's weights start.</summary>
public enum ConvInit
{
    /// <summary>PyTorch's nn.Conv2d default: kaiming_uniform(a=√5), bias U(±1/√fan_in).</summary>
    PyTorchDefault,
    /// <summary>kaiming_normal(fan_out, relu), bias 0 — torchvision ResNet, mmseg decode heads.</summary>
    KaimingNormalFanOut,
    /// <summary>All zeros — offset/flow predictors that must start as the identity warp.</summary>
    Zeros,
}

public enum Activation { None, Relu, LeakyRelu }

/// <summary>2-D convolution with torch's parameter names (weight, bias).</summary>
public sealed class ConvLayer : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter weight;
    readonly TorchSharp.Modules.Parameter? bias;
    public long InChannels { get; }
    public long OutChannels { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    public ConvLayer(long inChannels, long outChannels, long kernel, long stride = 1, long? padding = null, long dilation = 1,
        long groups = 1, bool bias = false, ConvInit init = ConvInit.KaimingNormalFanOut) : base("ConvLayer")
    {
        InChannels = inChannels; OutChannels = outChannels; Kernel = kernel; Stride = stride;
        Dilation = dilation; Groups = groups; Padding = padding ?? dilation * (kernel - 1) / 2;
        weight = new TorchSharp.Modules.Parameter(empty(outChannels, inChannels / groups, kernel, kernel));
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = new TorchSharp.Modules.Parameter(empty(outChannels));
            register_parameter("bias", this.bias);
        }
        Initialise(init);
    }

    public Tensor Weight => weight;

    void Initialise(ConvInit init)
    {
        using var _ = no_grad();
        long fanIn = weight.shape[1] * Kernel * Kernel;
        switch (init)
        {
            case ConvInit.Zeros:
                nn.init.zeros_(weight);
                if (bias is not null) nn.init.zeros_(bias);
                break;
            case ConvInit.KaimingNormalFanOut:
                nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                if (bias is not null) nn.init.zeros_(bias);
                break;
            default:
                nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
                if (bias is not null)
                {
                    double bound = 1 / Math.Sqrt(fanIn);
                    nn.init.uniform_(bias, -bound, bound);
                }
                break;
        }
    }

    public override Tensor forward(Tensor x) => Ops.Conv2d(x, weight, bias, Stride, Padding, Dilation, Groups);
}

/// <summary>BatchNorm2d with torch's parameter and buffer names (weight, bias, running_mean, running_var, num_batches_tracked).</summary>
public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter weight, bias;
    readonly Tensor running_mean, running_var, num_batches_tracked;
    readonly double momentum, eps;

    public BatchNorm2d(long channels, double momentum = 0.1, double eps = 1e-5, bool zeroInitWeight = false) : base(nameof(BatchNorm2d))
    {
        this.momentum = momentum; this.eps = eps;
        weight = new TorchSharp.Modules.Parameter(zeroInitWeight ? zeros(channels) : ones(channels));
        bias = new TorchSharp.Modules.Parameter(zeros(channels));
        running_mean = zeros(channels);
        running_var = ones(channels);
        // Kept for state-dict compatibility with PyTorch; unused because momentum is fixed.
        num_batches_tracked = tensor(0L);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    public override Tensor forward(Tensor x) =>
        Ops.BatchNorm(x, running_mean, running_var, weight, bias, training, momentum, eps);
}

/// <summary>Fully connected layer (weight, bias), PyTorch default initialisation.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter weight;
    readonly TorchSharp.Modules.Parameter? bias;

    public Linear(long inFeatures, long outFeatures, bool bias = true) : base(nameof(Linear))
    {
        weight = new TorchSharp.Modules.Parameter(empty(outFeatures, inFeatures));
        register_parameter("weight", weight);
        using var _ = no_grad();
        nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias)
        {
            this.bias = new TorchSharp.Modules.Parameter(empty(outFeatures));
            register_parameter("bias", this.bias);
            double bound = 1 / Math.Sqrt(inFeatures);
            nn.init.uniform_(this.bias, -bound, bound);
        }
    }

    public override Tensor forward(Tensor x) => Ops.Linear(x, weight, bias);
}

/// <summary>ReLU as a module (for Sequential containers).</summary>
public sealed class Relu() : nn.Module<Tensor, Tensor>(nameof(Relu))
{
    public override Tensor forward(Tensor x) => Ops.Relu(x);
}

/// <summary>conv → BN → activation, the unit every decoder in this suite is built from.</summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    readonly ConvLayer conv;
    readonly BatchNorm2d bn;
    readonly Activation activation;
    readonly double slope;

    public ConvBnAct(long inChannels, long outChannels, long kernel, long stride = 1, long dilation = 1,
        Activation activation = Activation.Relu, double leakySlope = 0.01, ConvInit init = ConvInit.KaimingNormalFanOut)
        : base(nameof(ConvBnAct))
    {
        conv = new ConvLayer(inChannels, outChannels, kernel, stride, dilation: dilation, init: init);
        bn = new BatchNorm2d(outChannels);
        this.activation = activation;
        slope = leakySlope;
        RegisterComponents();
    }

    public long OutChannels => conv.OutChannels;

    public override Tensor forward(Tensor x)
    {
        var y = bn.forward(conv.forward(x));
        return activation switch
        {
            Activation.Relu => Ops.Relu(y),
            Activation.LeakyRelu => Ops.LeakyRelu(y, slope),
            _ => y,
        };
    }
}
