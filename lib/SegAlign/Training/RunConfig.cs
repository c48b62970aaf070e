using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Data;
using SegAlign.Models;

namespace SegAlign.Training;

/// <summary>Marks a setting that changes how a run is executed or reported, never its result; left out of the config hash.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotHashedAttribute : Attribute;

/// <summary>
/// A setting added after results were committed: left out of the hash while it is unset (null), so adding it
/// does not re-key every earlier run; hashed like any other setting once set.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HashedWhenSetAttribute : Attribute;

/// <summary>Which data a run trains and is evaluated on.</summary>
public sealed record DataConfig
{
    /// <summary>fashion-scenes, cityscapes, ade20k, camvid or pascal-context.</summary>
    public string Dataset { get; init; } = "fashion-scenes";
    /// <summary>Dataset folder (for fashion-scenes: a folder of the Fashion-MNIST IDX files; default: located automatically).</summary>
    [NotHashed] public string? Root { get; init; }
    public FashionScenesOptions FashionScenes { get; init; } = new();
    /// <summary>Training crop for real datasets (square); FashionScenes are generated at their size.</summary>
    public int? CropSize { get; init; }
    public AugmentOptions Augment { get; init; } = new();
}

public enum OptimizerKind { Sgd, AdamW }

/// <summary>How a run optimises.</summary>
public sealed record TrainConfig
{
    /// <summary>sgd (the papers') or adamW.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    public int Iterations { get; init; } = 1000;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 0.01;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    public double PolyPower { get; init; } = 0.9;
    public int WarmupIterations { get; init; }
    /// <summary>Warm-up starts at this fraction of the learning rate (mmseg's warmup_ratio).</summary>
    public double WarmupRatio { get; init; } = 0.1;
    /// <summary>Learning-rate multiplier of the decoder and auxiliary heads (IFA trains them at 10×).</summary>
    public double DecoderLrMultiplier { get; init; } = 1.0;
    public OhemConfig? Ohem { get; init; }
    /// <summary>Evaluate an exponential moving average of the weights with this decay (null: the last iterate).</summary>
    public double? EmaDecay { get; init; }
    /// <summary>Save a checkpoint every N iterations (0 = only at the end).</summary>
    [NotHashed] public int CheckpointEvery { get; init; }
    [NotHashed] public int LogEvery { get; init; } = 10;
    public int EvalBatchSize { get; init; } = 32;
}

/// <summary>Online hard example mining (SFNet/IFA): keep pixels whose true-class probability ≤ max(threshold, the MinKept-th smallest).</summary>
public sealed record OhemConfig
{
    public double Threshold { get; init; } = 0.7;
    public int MinKept { get; init; } = 10000;
}

/// <summary>A complete, hashable description of one training run (the seed is kept apart: run key = hash + seed).</summary>
public sealed record RunConfig
{
    public DataConfig Data { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainConfig Train { get; init; } = new();

    /// <summary>Checks every field; throws <see cref="InputException"/> naming the first bad one.</summary>
    public void Validate()
    {
        var t = Train;
        // Infinity passes every range check below ("> 0"), and NaN fails them with a confusing message.
        foreach (var (name, value) in new[] { ("learningRate", t.LearningRate), ("momentum", t.Momentum), ("weightDecay", t.WeightDecay), ("polyPower", t.PolyPower),
                     ("warmupRatio", t.WarmupRatio), ("decoderLrMultiplier", t.DecoderLrMultiplier), ("emaDecay", t.EmaDecay ?? 0), ("ohem.threshold", t.Ohem?.Threshold ?? 0.7) })
            if (!double.IsFinite(value)) throw new InputException($"train.{name}", $"must be a finite number, got {value}", "use an ordinary number such as 0.01");
        if (t.Iterations < 1) throw new InputException("train.iterations", $"must be ≥ 1, got {t.Iterations}", "use e.g. 1000");
        if (t.BatchSize < 1) throw new InputException("train.batchSize", $"must be ≥ 1, got {t.BatchSize}", "use e.g. 16");
        if (t.EvalBatchSize < 1) throw new InputException("train.evalBatchSize", $"must be ≥ 1, got {t.EvalBatchSize}", "use e.g. 32");
        if (!(t.LearningRate > 0)) throw new InputException("train.learningRate", $"must be > 0, got {t.LearningRate}", "use e.g. 0.01");
        if (t.Momentum is < 0 or >= 1) throw new InputException("train.momentum", $"must be in [0, 1), got {t.Momentum}", "use 0.9");
        if (t.WeightDecay < 0) throw new InputException("train.weightDecay", $"must be ≥ 0, got {t.WeightDecay}", "use e.g. 1e-4");
        if (t.PolyPower < 0) throw new InputException("train.polyPower", $"must be ≥ 0, got {t.PolyPower}", "use 0.9");
        if (t.WarmupIterations < 0 || t.WarmupIterations >= t.Iterations)
            throw new InputException("train.warmupIterations", $"must be in [0, iterations), got {t.WarmupIterations}", "use 0 or a small fraction of the iterations");
        if (t.WarmupRatio is <= 0 or > 1) throw new InputException("train.warmupRatio", $"must be in (0, 1], got {t.WarmupRatio}", "use 0.1");
        if (!(t.DecoderLrMultiplier > 0)) throw new InputException("train.decoderLrMultiplier", $"must be > 0, got {t.DecoderLrMultiplier}", "use 1 (or 10 as IFA)");
        if (t.CheckpointEvery < 0) throw new InputException("train.checkpointEvery", $"must be ≥ 0, got {t.CheckpointEvery}", "use 0 for a checkpoint at the end only");
        if (t.LogEvery < 1) throw new InputException("train.logEvery", $"must be ≥ 1, got {t.LogEvery}", "use e.g. 10");
        if (t.EmaDecay is < 0 or >= 1) throw new InputException("train.emaDecay", $"must be in [0, 1), got {t.EmaDecay}", "use e.g. 0.99, or omit it");
        if (t.Ohem is { } ohem && (ohem.Threshold is <= 0 or > 1 || ohem.MinKept < 1))
            throw new InputException("train.ohem", $"needs threshold in (0, 1] and minKept ≥ 1, got {ohem.Threshold} / {ohem.MinKept}", "use threshold 0.7, minKept 10000");
        if (Data.CropSize is < 16) throw new InputException("data.cropSize", $"must be ≥ 16, got {Data.CropSize}", "use e.g. 512");
        Data.Augment.Validate("data.augment");
        DatasetFactory.Validate(Data);
        Model.Validate();
    }

    /// <summary>The config with every default and every decoder option spelled out.</summary>
    public JsonObject Resolved()
    {
        var node = (JsonObject)JsonSerializer.SerializeToNode(this, Json.Options)!;
        var model = (JsonObject)node["model"]!;
        model["decoderOptions"] = DecoderRegistry.Get(Model.Decoder).ResolveOptions(Model.DecoderOptions);
        model["decoderChannels"] = Model.ResolvedDecoderChannels;
        return node;
    }

    /// <summary>SHA-256 (first 12 hex digits) of the resolved config without the [NotHashed] settings.</summary>
    public string Hash()
    {
        var node = Resolved();
        RemoveNotHashed(node, typeof(RunConfig));
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Json.Canonical(node)));
        return Convert.ToHexStringLower(bytes)[..12];
    }

    static void RemoveNotHashed(JsonObject node, Type type)
    {
        foreach (var property in type.GetProperties())
        {
            string name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (property.GetCustomAttributes(typeof(NotHashedAttribute), false).Length > 0) node.Remove(name);
            else if (property.GetCustomAttributes(typeof(HashedWhenSetAttribute), false).Length > 0 && node[name] is null) node.Remove(name);
            else if (node[name] is JsonObject child && property.PropertyType.IsClass && property.PropertyType != typeof(JsonObject)
                     && property.PropertyType.Namespace?.StartsWith("SegAlign", StringComparison.Ordinal) == true)
                RemoveNotHashed(child, property.PropertyType);
        }
    }

    // A null where the type has no null ("dataset": null) is refused while parsing, naming the field, not later as a crash.
    static readonly JsonSerializerOptions configOptions = new(Json.StrictOptions) { RespectNullableAnnotations = true };

    /// <param name="json">The config as JSON.</param>
    /// <param name="where">Where the JSON came from (a file, a preset).</param>
    /// <param name="blame">Who set which dotted path (e.g. "train.batchSize" → "--set"): a bad value is blamed on them, not on <paramref name="where"/>.</param>
    public static RunConfig FromJson(string json, string where, IReadOnlyDictionary<string, string>? blame = null)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, configOptions)
                   ?? throw new InputException(where, "is empty", "write a JSON object");
        }
        catch (JsonException e)
        {
            var problem = JsonErrors.Describe(e, typeof(RunConfig), json);
            string? culprit = blame?.FirstOrDefault(b => problem.Field.Equals(b.Key, StringComparison.OrdinalIgnoreCase)
                                                        || problem.Field.StartsWith(b.Key + ".", StringComparison.OrdinalIgnoreCase)).Value;
            throw new InputException($"{culprit ?? where}: {problem.Field}", problem.What, problem.Fix);
        }
    }
}
