namespace SegAlign.Config;

public enum OptimizerKind { Sgd, AdamW }

/// <summary>Number format of training's forward pass: fp32 throughout, or bf16 for convolutions, linear layers and matrix products.</summary>
public enum TrainPrecision { Fp32, Bf16 }

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
    /// <summary>
    /// Keep the (pretrained) backbone fixed: no gradient, no update, batch-norm statistics frozen (eval mode); only the
    /// decoder and heads train. Measures HFGD's premise that fine-tuning disturbs good high-level features. Left out of
    /// the hash while unset.
    /// </summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? FreezeBackbone { get => freezeBackbone; init => freezeBackbone = value == true ? true : null; }
    readonly bool? freezeBackbone;
    /// <summary>Evaluate an exponential moving average of the weights with this decay (null: the last iterate).</summary>
    public double? EmaDecay { get; init; }
    /// <summary>Save a checkpoint every N iterations (0 = only at the end).</summary>
    [NotHashed] public int CheckpointEvery { get; init; }
    [NotHashed] public int LogEvery { get; init; } = 10;
    public int EvalBatchSize { get; init; } = 32;
    /// <summary>
    /// fp32 (unset) or bf16: mixed precision as PyTorch's CPU autocast — the training forward pass and loss compute
    /// convolutions, linear layers and matrix products in bfloat16 from float32 inputs, everything else in float32;
    /// parameters, gradients and the optimiser stay float32 (master weights); evaluation is always float32. Faster only
    /// where the CPU computes bfloat16 natively (AVX-512 BF16 or AMX); elsewhere libtorch emulates it, much slower.
    /// Left out of the config (and its hash) while unset, so runs made before it existed keep their keys; an explicit
    /// "fp32" is stored as unset, so the same training has one key however it was written.
    /// </summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public TrainPrecision? Precision { get => precision; init => precision = value == TrainPrecision.Fp32 ? null : value; }
    readonly TrainPrecision? precision;

    public void Validate()
    {
        // Infinity passes every range check below ("> 0"), and NaN fails them with a confusing message.
        foreach (var (name, value) in new[] { ("learningRate", LearningRate), ("momentum", Momentum), ("weightDecay", WeightDecay), ("polyPower", PolyPower),
                     ("warmupRatio", WarmupRatio), ("decoderLrMultiplier", DecoderLrMultiplier), ("emaDecay", EmaDecay ?? 0), ("ohem.threshold", Ohem?.Threshold ?? 0.7) })
            if (!double.IsFinite(value)) throw new InputException($"train.{name}", $"must be a finite number, got {value}", "use an ordinary number such as 0.01");
        if (Iterations < 1) throw new InputException("train.iterations", $"must be ≥ 1, got {Iterations}", "use e.g. 1000");
        if (BatchSize < 1) throw new InputException("train.batchSize", $"must be ≥ 1, got {BatchSize}", "use e.g. 16");
        if (EvalBatchSize < 1) throw new InputException("train.evalBatchSize", $"must be ≥ 1, got {EvalBatchSize}", "use e.g. 32");
        if (!(LearningRate > 0)) throw new InputException("train.learningRate", $"must be > 0, got {LearningRate}", "use e.g. 0.01");
        if (Momentum is < 0 or >= 1) throw new InputException("train.momentum", $"must be in [0, 1), got {Momentum}", "use 0.9");
        if (WeightDecay < 0) throw new InputException("train.weightDecay", $"must be ≥ 0, got {WeightDecay}", "use e.g. 1e-4");
        if (PolyPower < 0) throw new InputException("train.polyPower", $"must be ≥ 0, got {PolyPower}", "use 0.9");
        if (WarmupIterations < 0 || WarmupIterations >= Iterations)
            throw new InputException("train.warmupIterations", $"must be in [0, iterations), got {WarmupIterations}", "use 0 or a small fraction of the iterations");
        if (WarmupRatio is <= 0 or > 1) throw new InputException("train.warmupRatio", $"must be in (0, 1], got {WarmupRatio}", "use 0.1");
        if (!(DecoderLrMultiplier > 0)) throw new InputException("train.decoderLrMultiplier", $"must be > 0, got {DecoderLrMultiplier}", "use 1 (or 10 as IFA)");
        if (CheckpointEvery < 0) throw new InputException("train.checkpointEvery", $"must be ≥ 0, got {CheckpointEvery}", "use 0 for a checkpoint at the end only");
        if (LogEvery < 1) throw new InputException("train.logEvery", $"must be ≥ 1, got {LogEvery}", "use e.g. 10");
        if (EmaDecay is < 0 or >= 1) throw new InputException("train.emaDecay", $"must be in [0, 1), got {EmaDecay}", "use e.g. 0.99, or omit it");
        // The enum reader also takes numbers ("train.precision": 7): only the named formats mean anything.
        if (Precision is { } precision && !Enum.IsDefined(precision))
            throw new InputException("train.precision", $"must be one of {string.Join(", ", Enum.GetNames<TrainPrecision>().Select(n => n.ToLowerInvariant()))}, got {(int)precision}",
                "write \"fp32\" (the default) or \"bf16\" (mixed precision), e.g. --set train.precision=bf16");
        if (Ohem is { } ohem && (ohem.Threshold is <= 0 or > 1 || ohem.MinKept < 1))
            throw new InputException("train.ohem", $"needs threshold in (0, 1] and minKept ≥ 1, got {ohem.Threshold} / {ohem.MinKept}", "use threshold 0.7, minKept 10000");
    }
}

/// <summary>Online hard example mining (SFNet/IFA): keep pixels whose true-class probability ≤ max(threshold, the MinKept-th smallest).</summary>
public sealed record OhemConfig
{
    public double Threshold { get; init; } = 0.7;
    public int MinKept { get; init; } = 10000;
}
