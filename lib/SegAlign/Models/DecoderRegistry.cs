using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models.Decoders;

namespace SegAlign.Models;

/// <summary>
/// Model settings a decoder is defined with unless a config says otherwise (as timm's <c>default_cfg</c>):
/// e.g. DeepLabV3 runs on a backbone dilated to output stride 8. Experiments, bench and tests read them here.
/// </summary>
public sealed record DecoderDefaults
{
    /// <summary>The backbone's output stride (null: the config's, 32 by default).</summary>
    public int? OutputStride { get; init; }

    /// <summary>The defaults as config paths and values (what an experiment variant would write in its <c>set</c>).</summary>
    public IReadOnlyDictionary<string, JsonNode?> AsSettings()
    {
        var settings = new Dictionary<string, JsonNode?>();
        if (OutputStride is int stride) settings["model.outputStride"] = stride;
        return settings;
    }

    public ModelConfig ApplyTo(ModelConfig model) => OutputStride is int stride ? model with { OutputStride = stride } : model;
}

/// <summary>A registered decoder: its name, what it is, its defaults, its options type and how to build it.</summary>
public sealed class DecoderEntry
{
    DecoderEntry(string name, string paper, DecoderDefaults defaults, Type optionsType, Func<DecoderContext, JsonObject?, string, Decoder> create)
    {
        Name = name; Paper = paper; Defaults = defaults; OptionsType = optionsType; this.create = create;
    }

    readonly Func<DecoderContext, JsonObject?, string, Decoder> create;

    public string Name { get; }
    public string Paper { get; }
    public DecoderDefaults Defaults { get; }
    public Type OptionsType { get; }

    public Decoder Create(DecoderContext context, JsonObject? options, string where = "model.decoderOptions") =>
        create(context, options, where);

    /// <summary>The options with every default filled in, as JSON (for resolved configs and hashes).</summary>
    public JsonObject ResolveOptions(JsonObject? options, string where = "model.decoderOptions") =>
        (JsonObject)JsonSerializer.SerializeToNode(Parse(OptionsType, options, where), OptionsType, Json.Options)!;

    public static DecoderEntry Of<TOptions>(string name, string paper, Func<DecoderContext, TOptions, Decoder> factory, DecoderDefaults? defaults = null)
        where TOptions : class, new() =>
        new(name, paper, defaults ?? new(), typeof(TOptions), (context, json, where) => factory(context, (TOptions)Parse(typeof(TOptions), json, where)));

    static object Parse(Type type, JsonObject? json, string where)
    {
        object options;
        try
        {
            options = json is null ? Activator.CreateInstance(type)! : json.Deserialize(type, Json.StrictOptions)!;
        }
        catch (JsonException e)
        {
            var problem = JsonErrors.Describe(e, type, json?.ToJsonString() ?? "{}");
            throw new InputException($"{where}.{problem.Field}".TrimEnd('.'), problem.What, problem.Fix);
        }
        if (options is IValidatable validatable) validatable.Validate(where);
        return options;
    }
}

/// <summary>Decoders by name. Adding a decoder = one file + one line here (with its defaults) + one experiment entry.</summary>
public static class DecoderRegistry
{
    static readonly Dictionary<string, DecoderEntry> entries = new DecoderEntry[]
    {
        DecoderEntry.Of<FpnOptions>("fpn", "SFNet FPN+PPM head, bilinear top-down (baseline)", (c, o) => new FpnDecoder(c, o)),
        DecoderEntry.Of<SfnetOptions>("sfnet", "SFNet: FPN+PPM head with the Flow Alignment Module (FAM) in the top-down path", (c, o) => new SfnetDecoder(c, o)),
        DecoderEntry.Of<AlignSegOptions>("alignseg", "AlignSeg: RRB cascade with AlignFA (CAB) and AlignCM (CAM)", (c, o) => new AlignSegDecoder(c, o)),
        DecoderEntry.Of<IfaOptions>("ifa", "IFA: implicit feature alignment, queries at any resolution (ECCV 2022)", (c, o) => new IfaDecoder(c, o)),
        DecoderEntry.Of<HfgdOptions>("hfgd", "HFGD: high-level feature guided decoder, stop-gradient upsampler (TCSVT 2024)", (c, o) => new HfgdDecoder(c, o)),
        DecoderEntry.Of<RspOptions>("rsp", "RSP head: FPN with cross-scale pixel-to-region relation propagators (Bai et al. 2021)", (c, o) => new RspDecoder(c, o)),
        DecoderEntry.Of<DeepLabV3Options>("deeplabv3", "DeepLabV3 ASPP head with image pooling (Chen et al. 2017, torchvision)", (c, o) => new DeepLabV3Decoder(c, o),
            new DecoderDefaults { OutputStride = 8 }),
    }.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => entries.Keys;

    public static IEnumerable<DecoderEntry> All => entries.Values;

    public static bool Contains(string name) => entries.ContainsKey(name);

    public static DecoderEntry Get(string name) =>
        entries.TryGetValue(name, out var entry)
            ? entry
            : throw new InputException("model.decoder", $"unknown decoder '{name}'", $"use one of: {string.Join(", ", entries.Keys)}");
}
