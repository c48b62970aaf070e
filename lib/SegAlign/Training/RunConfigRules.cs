using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;

namespace SegAlign.Training;

/// <summary>
/// What a run config means beyond its own fields: the checks that need the dataset and model registries, the
/// resolved form (every decoder default spelled out) and the hash that keys every result.
/// </summary>
public static class RunConfigRules
{
    /// <summary>Checks every field; throws <see cref="InputException"/> naming the first bad one.</summary>
    public static void Validate(this RunConfig config)
    {
        config.Train.Validate();
        config.Data.Validate();
        DatasetRegistry.Validate(config.Data);
        config.Model.Validate();
        if (config.Data.Dataset == "fashion-scenes" && config.Data.FashionScenes.TrainScenes is > 0 and var scenes && config.Train.BatchSize > scenes)
            throw new InputException("train.batchSize", $"is {config.Train.BatchSize}, more than the {scenes} training scenes (data.fashionScenes.trainScenes)",
                $"use at most {scenes}, or raise data.fashionScenes.trainScenes");
        if (PretrainRecipes.IsReference(config.Model.BackboneWeights)) CheckPretrainReference(config.Model);
    }

    /// <summary>A pretrained backbone must be the model's backbone: same network, width and stem.</summary>
    static void CheckPretrainReference(ModelConfig model)
    {
        var (name, _) = PretrainRecipes.Parse(model.BackboneWeights!);
        var recipe = PretrainRecipes.Load(name);
        if (!recipe.Backbone.Equals(model.Backbone, StringComparison.OrdinalIgnoreCase) || recipe.Width != model.Width || recipe.DeepStem != model.DeepStem)
            throw new InputException("model.backboneWeights", $"recipe '{name}' pretrains {recipe.Backbone} at width {recipe.Width}{(recipe.DeepStem ? " with the deep stem" : "")}, " +
                $"but the model is {model.Backbone} at width {model.Width}{(model.DeepStem ? " with the deep stem" : "")}", "use a recipe made for this backbone, or add one to experiments/pretraining/");
    }

    /// <summary>The config with every default and every decoder option spelled out.</summary>
    public static JsonObject Resolved(this RunConfig config)
    {
        var node = (JsonObject)JsonSerializer.SerializeToNode(config, Json.Options)!;
        var model = (JsonObject)node["model"]!;
        model["decoderOptions"] = DecoderRegistry.Get(config.Model.Decoder).ResolveOptions(config.Model.DecoderOptions);
        model["decoderChannels"] = config.Model.ResolvedDecoderChannels;
        // A pretraining reference is pinned to its recipe's hash, so a changed recipe re-keys the runs that load it.
        if (PretrainRecipes.IsReference(config.Model.BackboneWeights)) model["backboneWeights"] = PretrainRecipes.Pin(config.Model.BackboneWeights);
        return node;
    }

    /// <summary>SHA-256 (first 12 hex digits) of the resolved config without the [NotHashed] settings.</summary>
    public static string Hash(this RunConfig config) => RunConfig.HashOf(config.Resolved());
}
