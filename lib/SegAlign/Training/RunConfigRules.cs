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
    }

    /// <summary>The config with every default and every decoder option spelled out.</summary>
    public static JsonObject Resolved(this RunConfig config)
    {
        var node = (JsonObject)JsonSerializer.SerializeToNode(config, Json.Options)!;
        var model = (JsonObject)node["model"]!;
        model["decoderOptions"] = DecoderRegistry.Get(config.Model.Decoder).ResolveOptions(config.Model.DecoderOptions);
        model["decoderChannels"] = config.Model.ResolvedDecoderChannels;
        return node;
    }

    /// <summary>SHA-256 (first 12 hex digits) of the resolved config without the [NotHashed] settings.</summary>
    public static string Hash(this RunConfig config) => RunConfig.HashOf(config.Resolved());
}
