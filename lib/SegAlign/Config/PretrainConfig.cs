namespace SegAlign.Config;

/// <summary>
/// A backbone pretraining recipe (experiments/pretraining/&lt;name&gt;.json): image classification of single
/// Fashion-MNIST <b>train</b> items composited on FashionScenes backgrounds, at the scales the scenes use. The
/// validation scenes draw only t10k images, so no validation image is ever seen in pretraining; accuracy is
/// measured on train images held out from pretraining (the last <see cref="HeldOutImages"/> of the train file).
/// </summary>
public sealed record PretrainConfig : IValidatable
{
    /// <summary>Must equal the file name; keys the cache folder.</summary>
    public required string Name { get; init; }
    /// <summary>What the recipe is for, shown in its report.</summary>
    [NotHashed] public string Description { get; init; } = "";
    /// <summary>The segmentation backbone this initialises (name, width and stem must match the presets that use it).</summary>
    public string Backbone { get; init; } = "resnet18";
    public double Width { get; init; } = 1.0;
    public bool DeepStem { get; init; }
    /// <summary>Square image side in pixels.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>Item side = 28 px × a scale drawn uniformly from [MinScale, MaxScale].</summary>
    public double MinScale { get; init; } = 0.5;
    public double MaxScale { get; init; } = 2.0;
    /// <summary>Fashion-MNIST class indices (0-9) to pretrain on; null = all ten. A subset is the disjoint-label control.</summary>
    public int[]? Classes { get; init; }
    /// <summary>The last N train images never enter pretraining; top-1 accuracy is measured on them.</summary>
    public int HeldOutImages { get; init; } = 5000;
    /// <summary>How many held-out images the accuracy curve and the final accuracy use.</summary>
    public int EvalImages { get; init; } = 2000;
    public int Iterations { get; init; } = 2000;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.003;
    public double WeightDecay { get; init; } = 0.05;
    public int WarmupIterations { get; init; } = 50;
    public int Seed { get; init; }
    /// <summary>Accuracy on the held-out images every N iterations (the curve in the report).</summary>
    [NotHashed] public int EvalEvery { get; init; } = 250;
    [NotHashed] public int CheckpointEvery { get; init; } = 250;
    /// <summary>
    /// libtorch threads the recipe trains with (0 = every core). Parallel reductions add in an order that depends on the
    /// thread count, so the same recipe on another count trains a different, equally valid backbone: pinning it makes
    /// every machine build the committed prior bit for bit (given the instruction set). Not hashed: it is how, not what.
    /// </summary>
    [NotHashed] public int Threads { get; init; }

    /// <summary>The Fashion-MNIST classes used, in label order.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public int[] ClassList => Classes ?? [.. Enumerable.Range(0, 10)];

    public void Validate(string where)
    {
        if (!(Width > 0 && Width <= 4)) throw new InputException($"{where}: width", $"must be in (0, 4], got {Width}", "use the width of the presets that load it, e.g. 0.5");
        if (ImageSize is < 16 or > 512) throw new InputException($"{where}: imageSize", $"must be 16..512, got {ImageSize}", "use e.g. 64");
        if (!(MinScale > 0) || MaxScale < MinScale) throw new InputException($"{where}: minScale/maxScale", $"need 0 < minScale ≤ maxScale, got {MinScale}..{MaxScale}", "e.g. 0.5 and 2.0");
        if (28 * MaxScale > ImageSize) throw new InputException($"{where}: maxScale", $"items of {28 * MaxScale:F0} px do not fit a {ImageSize} px image", "lower maxScale or raise imageSize");
        if (Classes is { } classes)
        {
            if (classes.Length < 2) throw new InputException($"{where}: classes", $"needs at least two classes, got {classes.Length}", "list e.g. [0, 1, 2, 3, 4], or omit it for all ten");
            if (classes.Any(c => c is < 0 or > 9) || classes.Distinct().Count() != classes.Length)
                throw new InputException($"{where}: classes", $"must be distinct Fashion-MNIST classes 0..9, got [{string.Join(", ", classes)}]", "list e.g. [0, 1, 2, 3, 4]");
        }
        if (HeldOutImages is < 100 or > 30000) throw new InputException($"{where}: heldOutImages", $"must be 100..30000, got {HeldOutImages}", "use e.g. 5000");
        if (EvalImages < 1 || EvalImages > HeldOutImages) throw new InputException($"{where}: evalImages", $"must be 1..heldOutImages ({HeldOutImages}), got {EvalImages}", "use e.g. 2000");
        if (Iterations < 1) throw new InputException($"{where}: iterations", $"must be ≥ 1, got {Iterations}", "use e.g. 2000");
        if (BatchSize < 2) throw new InputException($"{where}: batchSize", $"must be ≥ 2 (batch norm), got {BatchSize}", "use e.g. 64");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new InputException($"{where}: learningRate", $"must be a finite number > 0, got {LearningRate}", "use e.g. 0.003");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new InputException($"{where}: weightDecay", $"must be a finite number ≥ 0, got {WeightDecay}", "use e.g. 0.05");
        if (WarmupIterations < 0 || WarmupIterations >= Iterations) throw new InputException($"{where}: warmupIterations", $"must be in [0, iterations), got {WarmupIterations}", "use e.g. 50");
        if (EvalEvery < 1) throw new InputException($"{where}: evalEvery", $"must be ≥ 1, got {EvalEvery}", "use e.g. 250");
        if (Threads is < 0 or > 256) throw new InputException($"{where}: threads", $"must be 0 (every core) or 1..256, got {Threads}", "use the thread count the committed prior was built with, e.g. 2");
        if (CheckpointEvery < 0) throw new InputException($"{where}: checkpointEvery", $"must be ≥ 0, got {CheckpointEvery}", "use e.g. 250");
    }

    /// <summary>The learning-rate schedule (AdamW, linear warm-up, poly decay) as the segmentation trainer's.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public TrainConfig Schedule => new()
    {
        Optimizer = OptimizerKind.AdamW, Iterations = Iterations, BatchSize = BatchSize, LearningRate = LearningRate,
        WeightDecay = WeightDecay, WarmupIterations = WarmupIterations,
    };

    [System.Text.Json.Serialization.JsonIgnore] public BackboneOptions BackboneOptions => new() { Width = Width, DeepStem = DeepStem };
}
