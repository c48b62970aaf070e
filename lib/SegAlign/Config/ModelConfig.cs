using System.Text.Json.Nodes;

namespace SegAlign.Config;

/// <summary>Everything that defines a model's architecture.</summary>
public sealed record ModelConfig
{
    public string Backbone { get; init; } = "resnet18";
    public double Width { get; init; } = 1.0;
    public bool DeepStem { get; init; }
    public int OutputStride { get; init; } = 32;
    public int InChannels { get; init; } = 3;
    public string Decoder { get; init; } = "fpn";
    /// <summary>The decoder's working width; null = the papers' default (128 for ResNet-18/34, 256 deeper), times <see cref="Width"/>.</summary>
    public int? DecoderChannels { get; init; }
    public JsonObject? DecoderOptions { get; init; }
    /// <summary>FCN auxiliary head on C4 (PSPNet/mmseg convention), trained with <see cref="AuxWeight"/>.</summary>
    public bool AuxHead { get; init; }
    public double AuxWeight { get; init; } = 0.4;
    /// <summary>
    /// Backbone initialisation: a TorchSharp state file with torchvision's parameter names (e.g. ImageNet
    /// weights exported from PyTorch with TorchSharp's exportsd.py); null = random initialisation.
    /// The classifier (fc.*) of a torchvision checkpoint is ignored.
    /// </summary>
    [HashedWhenSet]
    public string? BackboneWeights { get; init; }

    /// <summary>
    /// How the decoder's logits (and auxiliary logits) are resized to the image for the loss and for inference:
    /// null/false = align_corners=false (mmseg, torchvision, AlignSeg, IFA); true = align_corners=True, as SFNet's
    /// official UperNetAlignHead does (found by comparing the whole head on transplanted weights). Left out of the
    /// config (and its hash) while unset, so runs made before it existed keep their keys.
    /// </summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? LogitsAlignCorners { get; init; }

    /// <summary>
    /// Input size (pixels) the decoders' context modules are sized for — PPM bins, ASPP rates, RSP windows
    /// (Models/Modules/ContextScaling); null = the papers' fixed values. Left out of the config (and its hash) while unset.
    /// </summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextInputSize { get; init; }

    public BackboneOptions BackboneOptions => new()
    {
        Width = Width, DeepStem = DeepStem, OutputStride = OutputStride, InChannels = InChannels,
    };

    public int ResolvedDecoderChannels
    {
        get
        {
            if (DecoderChannels is int explicitChannels) return explicitChannels;
            bool deep = Backbone.Contains("50", StringComparison.Ordinal) || Backbone.Contains("101", StringComparison.Ordinal);
            return Math.Max(8, (int)Math.Round((deep ? 256 : 128) * Width / 8.0) * 8);
        }
    }
}

/// <summary>Options every backbone accepts.</summary>
public sealed record BackboneOptions
{
    /// <summary>Channel multiplier applied to every stage (1 = the published widths).</summary>
    public double Width { get; init; } = 1.0;
    public int InChannels { get; init; } = 3;
    /// <summary>Three 3×3 convs instead of the 7×7 stem (the ResNet-D stem used by SFNet, AlignSeg, IFA).</summary>
    public bool DeepStem { get; init; }
    /// <summary>32 (no dilation), 16 (layer4 dilated) or 8 (layer3 and layer4 dilated).</summary>
    public int OutputStride { get; init; } = 32;

    public void Validate()
    {
        if (!(Width > 0 && Width <= 4)) throw new InputException("model.width", $"must be in (0, 4], got {Width}", "use 1 for the published widths");
        if (InChannels is < 1 or > 64) throw new InputException("model.inChannels", $"must be 1..64, got {InChannels}", "use 3 for RGB");
        if (OutputStride is not (8 or 16 or 32)) throw new InputException("model.outputStride", $"must be 8, 16 or 32, got {OutputStride}", "pick one of 8, 16, 32");
    }
}
