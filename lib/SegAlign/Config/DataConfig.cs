namespace SegAlign.Config;

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
    /// <summary>
    /// The split a run is scored on: "validation" (unset; pilots and tuning) or "test" (protocol v3's verdicts: a
    /// FashionScenes split that no pilot or tuning has seen). Left out of the hash while unset, so earlier runs keep their keys.
    /// </summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? EvaluationSplit { get; init; }

    /// <summary>The split name a run is scored on.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string EvaluatedSplit => EvaluationSplit ?? "validation";

    /// <summary>Checks the fields that need no dataset; the dataset itself is checked by the data layer.</summary>
    public void Validate()
    {
        if (EvaluationSplit is not (null or "validation" or "test"))
            throw new InputException("data.evaluationSplit", $"must be \"validation\" or \"test\", got \"{EvaluationSplit}\"", "use \"test\" for verdicts, \"validation\" for pilots and tuning");
        if (EvaluationSplit == "test" && Dataset == "fashion-scenes" && FashionScenes.TestScenes is null)
            throw new InputException("data.fashionScenes.testScenes", "is required when data.evaluationSplit is \"test\"", "set e.g. 1000");
        if (CropSize is < 16) throw new InputException("data.cropSize", $"must be ≥ 16, got {CropSize}", "use e.g. 512");
        Augment.Validate("data.augment");
    }
}

/// <summary>Knobs of the FashionScenes benchmark. Defaults are the CPU benchmark's (see docs/experiments-and-presets.md, "FashionScenes").</summary>
public sealed record FashionScenesOptions : IValidatable
{
    /// <summary>Scene side in pixels (square scenes).</summary>
    public int Size { get; init; } = 64;
    public int MinItems { get; init; } = 2;
    public int MaxItems { get; init; } = 4;
    /// <summary>Item side = 28 px × a scale drawn uniformly from [MinScale, MaxScale].</summary>
    public double MinScale { get; init; } = 1.0;
    public double MaxScale { get; init; } = 1.8;
    /// <summary>Share of items drawn with inverted texture (darker where the garment is bright).</summary>
    public double InvertProbability { get; init; } = 0.3;
    /// <summary>Each item is tinted by a random RGB colour with channels drawn from [MinTint, 1].</summary>
    public double MinTint { get; init; } = 0.1;
    /// <summary>Visible parts of an item smaller than this many pixels are labelled 255: nobody can classify them.</summary>
    public int MinVisiblePixels { get; init; } = 6;
    /// <summary>
    /// Size of the training set: 0 = an unbounded stream whose scenes depend on the run seed; N &gt; 0 = a fixed set
    /// of N scenes (generated from <see cref="TrainSeed"/>) that every run shares and visits in a seed-dependent
    /// order, one shuffle per epoch — like a real dataset, where seeds vary only initialisation and order.
    /// </summary>
    public int TrainScenes { get; init; }
    /// <summary>Seed of the fixed training set (used when <see cref="TrainScenes"/> &gt; 0).</summary>
    public int TrainSeed { get; init; }
    /// <summary>Scenes in the validation split (drawn from the t10k images only).</summary>
    public int ValidationScenes { get; init; } = 500;
    /// <summary>Seed of the validation split; fixed across runs so every run is scored on the same scenes.</summary>
    public int ValidationSeed { get; init; } = 0;
    /// <summary>Scenes in the test split (t10k images only, its own stream and seed; protocol v3). Unset: no test split,
    /// and left out of the hash, so runs made before it existed keep their keys.</summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? TestScenes { get; init; }
    /// <summary>Seed of the test split (with <see cref="TestScenes"/>).</summary>
    [HashedWhenSet]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? TestSeed { get; init; }

    public void Validate(string where)
    {
        if (Size is < 16 or > 2048) throw new InputException($"{where}.size", $"must be 16..2048, got {Size}", "use 64 for the CPU benchmark");
        if (MinItems < 1 || MaxItems < MinItems) throw new InputException($"{where}.minItems/maxItems", $"need 1 ≤ minItems ≤ maxItems, got {MinItems}..{MaxItems}", "e.g. 3 and 6");
        if (MaxItems > 64) throw new InputException($"{where}.maxItems", $"must be ≤ 64, got {MaxItems}", "use fewer items");
        if (!(MinScale > 0) || MaxScale < MinScale) throw new InputException($"{where}.minScale/maxScale", $"need 0 < minScale ≤ maxScale, got {MinScale}..{MaxScale}", "e.g. 0.7 and 1.6");
        if (28 * MaxScale > 2 * Size) throw new InputException($"{where}.maxScale", $"items of {28 * MaxScale:F0} px do not fit a {Size} px scene", "lower maxScale or raise size");
        if (TrainScenes < 0) throw new InputException($"{where}.trainScenes", $"must be ≥ 0, got {TrainScenes}", "use 0 for an unbounded stream or e.g. 16000");
        if (ValidationScenes < 1) throw new InputException($"{where}.validationScenes", $"must be ≥ 1, got {ValidationScenes}", "use e.g. 500");
        if (TestScenes is < 1) throw new InputException($"{where}.testScenes", $"must be ≥ 1, got {TestScenes}", "use e.g. 1000");
        if (InvertProbability is < 0 or > 1) throw new InputException($"{where}.invertProbability", $"must be in [0, 1], got {InvertProbability}", "use e.g. 0.3");
        if (MinTint is < 0 or > 1) throw new InputException($"{where}.minTint", $"must be in [0, 1], got {MinTint}", "use e.g. 0.1");
        if (MinVisiblePixels < 0) throw new InputException($"{where}.minVisiblePixels", $"must be ≥ 0, got {MinVisiblePixels}", "use e.g. 6");
    }
}

/// <summary>Paired image/label augmentation settings (mmseg's RandomResize → RandomCrop → RandomFlip).</summary>
public sealed record AugmentOptions : IValidatable
{
    public double MinScale { get; init; } = 1.0;
    public double MaxScale { get; init; } = 1.0;
    public bool HorizontalFlip { get; init; }

    public bool IsIdentity => MinScale == 1 && MaxScale == 1 && !HorizontalFlip;

    public void Validate(string where)
    {
        if (!(MinScale > 0) || MaxScale < MinScale || MaxScale > 8)
            throw new InputException($"{where}.minScale/maxScale", $"need 0 < minScale ≤ maxScale ≤ 8, got {MinScale}..{MaxScale}", "e.g. 0.5 and 2.0");
    }
}
