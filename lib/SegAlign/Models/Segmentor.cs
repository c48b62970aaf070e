using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models.Backbones;
using SegAlign.Models.Decoders;
using SegAlign.Models.Modules;
using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Models;

/// <summary>Full-resolution logits plus auxiliary logits (also at full resolution) with their loss weights.</summary>
public sealed record SegmentorOutput(Tensor Logits, IReadOnlyList<AuxiliaryLogits> Auxiliary);

/// <summary>
/// A segmentation model: backbone → decoder (→ optional auxiliary head on C4). Knows nothing about
/// losses or optimisation (that is the trainer's job).
/// </summary>
public sealed class Segmentor : nn.Module<Tensor, SegmentorOutput>
{
    readonly Backbone backbone;
    readonly Decoder decoder;
    readonly ClassifierHead? aux_head;

    public Segmentor(ModelConfig config, int numClasses) : base(nameof(Segmentor))
    {
        config.Validate();
        Config = config;
        NumClasses = numClasses;
        backbone = BackboneRegistry.Create(config.Backbone, config.BackboneOptions);
        var context = new DecoderContext(backbone.Channels, backbone.Strides, numClasses, config.ResolvedDecoderChannels, backbone.StemChannels, config.ContextInputSize);
        decoder = DecoderRegistry.Get(config.Decoder).Create(context, config.DecoderOptions);
        if (config.AuxHead) aux_head = new ClassifierHead(backbone.Channels[2], config.ResolvedDecoderChannels, numClasses);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public int NumClasses { get; }
    public Backbone Backbone => backbone;
    public Decoder Decoder => decoder;
    public nn.Module? AuxHead => aux_head;

    public override SegmentorOutput forward(Tensor image) => Forward(image, null);

    /// <summary>
    /// Logits at the input size, or at <paramref name="outputSize"/>. Decoders that can be queried at any
    /// resolution (IFA) produce that size directly; the others are resized bilinearly.
    /// </summary>
    public SegmentorOutput Forward(Tensor image, (long Height, long Width)? outputSize)
    {
        long h = image.shape[2], w = image.shape[3];
        var (outH, outW) = outputSize ?? (h, w);
        var counter = FlopCounter.Current;
        bool alignLogitCorners = Config.LogitsAlignCorners ?? false;

        if (counter is not null) counter.Section = "backbone";
        var levels = backbone.forward(image);
        Tensor[] features = levels[1..];

        if (counter is not null) counter.Section = "decoder";
        // Only an explicit request reaches a decoder that can answer at any size (IFA): by default every decoder
        // predicts at its own resolution and is resized here, as the papers evaluate.
        var decoded = decoder.forward(new DecoderInput(features, levels[0], h, w, decoder.SupportsArbitraryOutputSize ? outputSize : null));
        var logits = Ops.Resize(decoded.Logits, outH, outW, alignCorners: alignLogitCorners);

        // Training: every auxiliary prediction at full size for its loss. Evaluation: whatever the decoder
        // chose to return (e.g. HFGD's high-level logits, for visualisation), at its own resolution.
        var auxiliary = new List<AuxiliaryLogits>(decoded.Auxiliary.Count + 1);
        if (!training) auxiliary.AddRange(decoded.Auxiliary);
        else
        {
            foreach (var a in decoded.Auxiliary)
                auxiliary.Add(a with { Logits = Ops.Resize(a.Logits, outH, outW, alignCorners: alignLogitCorners) });
            if (aux_head is not null)
            {
                if (counter is not null) counter.Section = "auxiliary";
                auxiliary.Add(new AuxiliaryLogits("aux.c4", Ops.Resize(aux_head.forward(features[2]), outH, outW, alignCorners: alignLogitCorners), Config.AuxWeight));
            }
        }
        if (counter is not null) counter.Section = "model";
        return new SegmentorOutput(logits, auxiliary);
    }
}
