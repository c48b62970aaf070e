using SegAlign.Config;
using SegAlign.Models.Backbones;

namespace SegAlign.Models;

/// <summary>The checks of a model config that need the backbone and decoder registries.</summary>
public static class ModelConfigValidation
{
    public static void Validate(this ModelConfig config)
    {
        config.BackboneOptions.Validate();
        if (config.DecoderChannels is < 8 or > 4096) throw new InputException("model.decoderChannels", $"must be 8..4096, got {config.DecoderChannels}", "omit it for the paper default");
        if (config.ContextInputSize is < 32 or > 4096) throw new InputException("model.contextInputSize", $"must be 32..4096 pixels, got {config.ContextInputSize}", "use the training crop size (e.g. 128), or leave it unset for the papers' settings");
        if (config.AuxWeight < 0) throw new InputException("model.auxWeight", $"must be ≥ 0, got {config.AuxWeight}", "use 0.4 (PSPNet) or turn auxHead off");
        if (!BackboneRegistry.Names.Contains(config.Backbone, StringComparer.OrdinalIgnoreCase))
            throw new InputException("model.backbone", $"unknown backbone '{config.Backbone}'", $"use one of: {string.Join(", ", BackboneRegistry.Names)}");
        DecoderRegistry.Get(config.Decoder).ResolveOptions(config.DecoderOptions);
        // "pretrain:<recipe>" references are checked where the recipes are known (Training.RunConfigRules).
        if (config.BackboneWeights is { } weights && !weights.StartsWith("pretrain:", StringComparison.Ordinal) && !File.Exists(weights))
            throw new InputException("model.backboneWeights", $"no file at {Path.GetFullPath(weights)}",
                "name a pretraining recipe (\"pretrain:fashion-objects\"), export torchvision weights with TorchSharp's exportsd.py (docs/pretraining.md), or remove the setting");
    }
}
