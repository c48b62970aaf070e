using static TorchSharp.torch;

namespace SegAlign.Models.Decoders;

/// <summary>What every decoder is built from: the encoder's pyramid and the task.</summary>
/// <param name="InChannels">Channels of C2..C5.</param>
/// <param name="InStrides">Strides of C2..C5.</param>
/// <param name="NumClasses">Output classes.</param>
/// <param name="Channels">The decoder's working width (SFNet's fpn_dim, ASPP's 256, …).</param>
/// <param name="StemChannels">Channels of the stride-2 stem feature C1 (for output stride 2).</param>
/// <param name="ContextInputSize">Input size the context modules are sized for (<see cref="Modules.ContextScaling"/>); null = the published settings.</param>
public sealed record DecoderContext(long[] InChannels, int[] InStrides, int NumClasses, int Channels, long StemChannels, int? ContextInputSize = null)
{
    /// <summary>Side of the C(2+level) map at <see cref="ContextInputSize"/>, or null when context is not scaled.</summary>
    public int? ContextMapSide(int level) => ContextInputSize is int size ? Modules.ContextScaling.MapSide(size, InStrides[level]) : null;
}

/// <summary>
/// The pyramid C2..C5 (<see cref="Features"/>), the stride-2 stem feature C1 (<see cref="Stem"/>, used only
/// by decoders that go to output stride 2), the input's size, and optionally the size the caller wants
/// logits at (honoured by decoders with <see cref="Decoder.SupportsArbitraryOutputSize"/>).
/// </summary>
public sealed record DecoderInput(Tensor[] Features, Tensor Stem, long ImageHeight, long ImageWidth, (long Height, long Width)? OutputSize = null);

/// <summary>A named extra prediction trained with its own loss weight (deep supervision, HFGD's high-level branch).</summary>
public sealed record AuxiliaryLogits(string Name, Tensor Logits, double Weight);

/// <summary>Logits at the decoder's own resolution (or the requested one) plus any auxiliary predictions.</summary>
public sealed record DecoderOutput(Tensor Logits, IReadOnlyList<AuxiliaryLogits> Auxiliary)
{
    public DecoderOutput(Tensor logits) : this(logits, []) { }
}

/// <summary>Base of every decoder head: features in, class logits out.</summary>
public abstract class Decoder : nn.Module<DecoderInput, DecoderOutput>
{
    protected Decoder(string name, DecoderContext context) : base(name)
    {
        Context = context;
    }

    public DecoderContext Context { get; }

    /// <summary>True when the decoder can produce logits directly at any requested size (IFA).</summary>
    public virtual bool SupportsArbitraryOutputSize => false;
}

/// <summary>A flow or offset field that warped features in the last forward pass, for visualisation.</summary>
/// <param name="Name">Which module and level produced it (e.g. "fam.p3").</param>
/// <param name="Flow">[N, 2, H, W]: (dx, dy) displacement in pixels of the output grid.</param>
public sealed record FlowField(string Name, Tensor Flow);

/// <summary>Implemented by decoders that warp features with learned flow (FAM, AlignFA, AlignCM).</summary>
public interface IFlowProducer
{
    /// <summary>When true, the next forward passes keep detached copies of their flow fields.</summary>
    bool RecordFlows { get; set; }

    /// <summary>Fields of the last forward pass with <see cref="RecordFlows"/> on; the caller owns and disposes them.</summary>
    IReadOnlyList<FlowField> TakeFlows();
}
