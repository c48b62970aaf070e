using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models.Decoders;

namespace SegAlign.Models;

/// <summary>A registered decoder: its name, what it is, its options type and how to build it.</summary>
public sealed class DecoderEntry
{
    DecoderEntry(string name, string paper, Type optionsType, Func<DecoderContext, JsonObject?, string, Decoder> create)
    {
        Name = name; Paper = paper; OptionsType = optionsType; this.create = create;
    }

    readonly Func<DecoderContext, JsonObject?, string, Decoder> create;

    public string Name { get; }
    public string Paper { get; }
    public Type OptionsType { get; }

    public Decoder Create(DecoderContext context, JsonObject? options, string where = "model.decoderOptions") =>
        create(context, options, where);

    /// <summary>The options with every default filled in, as JSON (for resolved configs and hashes).</summary>
    public JsonObject ResolveOptions(JsonObject? options, string where = "model.decoderOptions") =>
        (JsonObject)JsonSerializer.SerializeToNode(Parse(OptionsType, options, where), OptionsType, Json.Options)!;

    public static DecoderEntry Of<TOptions>(string name, string paper, Func<DecoderContext, TOptions, Decoder> factory)
        where TOptions : class, new() =>
        new(name, paper, typeof(TOptions), (context, json, where) => factory(context, (TOptions)Parse(typeof(TOptions), json, where)));

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

/// <summary>Decoders by name. Adding a decoder = one file + one line here + one experiment entry.</summary>
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
        DecoderEntry.Of<DeepLabV3Options>("deeplabv3", "DeepLabV3 ASPP head with image pooling (Chen et al. 2017, torchvision)", (c, o) => new DeepLabV3Decoder(c, o)),
    }.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => entries.Keys;

    public static IEnumerable<DecoderEntry> All => entries.Values;

    public static DecoderEntry Get(string name) =>
        entries.TryGetValue(name, out var entry)
            ? entry
            : throw new InputException("model.decoder", $"unknown decoder '{name}'", $"use one of: {string.Join(", ", entries.Keys)}");
}
