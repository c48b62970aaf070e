using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Evaluation;
using SegAlign.Platform;

namespace SegAlign.Training;

/// <summary>
/// A run's folder: config.json (resolved config, hash, seed), train_log.csv, checkpoint.ckpt, and — last,
/// marking completion — per_image_counts.csv, per_class_iou.csv, confusion_matrix.csv and metrics.json. Every file is written atomically.
/// </summary>
public sealed class RunFolder(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.json");
    public string CheckpointFile => System.IO.Path.Combine(Path, "checkpoint.ckpt");
    public string LogFile => System.IO.Path.Combine(Path, "train_log.csv");
    public string PerClassFile => System.IO.Path.Combine(Path, "per_class_iou.csv");
    public string ConfusionFile => System.IO.Path.Combine(Path, "confusion_matrix.csv");
    /// <summary>Each validation image's per-class intersection and union (for the bootstrap over images); runs made
    /// before it existed do not have it.</summary>
    public string PerImageFile => System.IO.Path.Combine(Path, "per_image_counts.csv");
    /// <summary>Each evaluated image's alignment counts (protocol v3; <see cref="AlignmentMetrics"/>).</summary>
    public string PerImageAlignmentFile => System.IO.Path.Combine(Path, "per_image_alignment.csv");
    /// <summary>The arg-max predictions on the evaluation split (protocol v3; <see cref="PredictionArchive"/>).</summary>
    public string PredictionsFile => System.IO.Path.Combine(Path, "predictions.bin");
    /// <summary>What a sweep asked a worker process to train here, and that worker's console output.</summary>
    public string RequestFile => System.IO.Path.Combine(Path, "request.json");
    public string WorkerLogFile => System.IO.Path.Combine(Path, "train.out");

    public bool IsComplete => File.Exists(MetricsFile);
    public bool HasCheckpoint => File.Exists(CheckpointFile);
    public bool IsEmpty => !Directory.Exists(Path) || !Directory.EnumerateFileSystemEntries(Path).Any();

    public void WriteConfig(RunConfig config, int seed, string hash, string runtime)
    {
        var node = new JsonObject
        {
            ["configHash"] = hash,
            ["seed"] = seed,
            ["runtime"] = runtime,
            ["config"] = config.Resolved(),
        };
        AtomicFile.WriteAllText(ConfigFile, node.ToJsonString(Json.Options));
    }

    /// <summary>The hash and seed recorded in config.json, or null when there is none.</summary>
    public (string Hash, int Seed)? ReadIdentity()
    {
        if (!File.Exists(ConfigFile)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(ConfigFile));
            return (node!["configHash"]!.GetValue<string>(), node["seed"]!.GetValue<int>());
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException)
        {
            throw new InputException(ConfigFile, "is not a readable run config", "delete the run folder or choose another output folder");
        }
    }

    /// <summary>The libtorch threads the run trained with, from config.json's runtime line ("… · 1 threads · …"), or null.</summary>
    public int? ReadThreads()
    {
        if (!File.Exists(ConfigFile)) return null;
        try
        {
            string runtime = JsonNode.Parse(File.ReadAllText(ConfigFile))?["runtime"]?.GetValue<string>() ?? "";
            var match = System.Text.RegularExpressions.Regex.Match(runtime, @"(\d+) threads?\b");
            return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return null; }
    }

    /// <summary>The resolved config recorded in config.json.</summary>
    public RunConfig ReadConfig()
    {
        if (!File.Exists(ConfigFile)) throw new InputException(Path, "has no config.json", "point at a run folder written by segalign train");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(ConfigFile))?["config"]
                       ?? throw new InputException(ConfigFile, "has no \"config\" object", "point at a run folder written by segalign train");
            return RunConfig.FromJson(node.ToJsonString(), ConfigFile);
        }
        catch (JsonException e)
        {
            throw new InputException(ConfigFile, $"is not readable ({e.Message})", "restore or retrain the run");
        }
    }

    /// <summary>metrics.json, checked to be plausible (percentages within [0, 100]) and, when given, to be the expected run's.</summary>
    public RunMetrics ReadMetrics(string? expectedHash = null, int? expectedSeed = null)
    {
        RunMetrics metrics;
        try
        {
            metrics = JsonSerializer.Deserialize<RunMetrics>(File.ReadAllText(MetricsFile), Json.Options)
                      ?? throw new InputException(MetricsFile, "is empty", "delete the run folder and run again");
        }
        catch (JsonException e)
        {
            var problem = JsonErrors.Describe(e, typeof(RunMetrics), File.ReadAllText(MetricsFile));
            throw new InputException(MetricsFile, $"is not readable ({problem.Field} {problem.What})", "delete the run folder and run again");
        }
        const string fix = "the file was edited or belongs to another run: delete the run folder and run again";
        var percentages = new List<(string Name, double Value)>
            { ("meanIoU", metrics.MeanIoU), ("meanAccuracy", metrics.MeanAccuracy), ("pixelAccuracy", metrics.PixelAccuracy), ("boundaryF", metrics.BoundaryF) };
        percentages.AddRange((metrics.TrimapMeanIoU ?? new Dictionary<string, double>()).Select(t => ($"trimapMeanIoU.{t.Key}", t.Value)));
        percentages.AddRange(metrics.Alignment?.Named().Select(n => ($"alignment.{n.Name}", n.Value)) ?? []);
        percentages.AddRange((metrics.Classes ?? []).SelectMany(c => new[] { ($"classes.{c.Name}.iou", c.IoU), ($"classes.{c.Name}.boundaryF", c.BoundaryF) })
            .Where(c => c.Item2 is not null).Select(c => (c.Item1, c.Item2!.Value)));
        foreach (var (name, value) in percentages)
            if (!(value is >= 0 and <= 100))
                throw new InputException(MetricsFile, $"records {name} = {value}, outside [0, 100] %", fix);
        MetricsConsistency.Check(metrics, MetricsFile);
        if (expectedHash is not null && metrics.ConfigHash != expectedHash)
            throw new InputException(MetricsFile, $"records config {metrics.ConfigHash}, but its folder is keyed {expectedHash}", fix);
        if (expectedSeed is int seed && metrics.Seed != seed)
            throw new InputException(MetricsFile, $"records seed {metrics.Seed}, but its folder is keyed seed {seed}", fix);
        return metrics;
    }

    public void WriteLog(IEnumerable<LogRow> rows) => WriteLog(LogFile, rows);

    public List<LogRow> ReadLog() => ReadLog(LogFile);

    /// <summary>A training log as CSV (iteration, loss, learning rate, seconds), written atomically; pretraining logs share the format.</summary>
    internal static void WriteLog(string file, IEnumerable<LogRow> rows)
    {
        var text = new StringBuilder("iteration,loss,learning_rate,seconds\n");
        foreach (var r in rows) text.Append(CultureInfo.InvariantCulture, $"{r.Iteration},{r.Loss:R},{r.LearningRate:R},{r.Seconds:F3}\n");
        AtomicFile.WriteAllText(file, text.ToString());
    }

    internal static List<LogRow> ReadLog(string file)
    {
        if (!File.Exists(file)) return [];
        return File.ReadLines(file).Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split(',');
            return new LogRow(int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
        }).ToList();
    }

    /// <summary>Writes the result files; metrics.json goes last so its presence means the run is complete.</summary>
    public void WriteResults(RunMetrics metrics, ConfusionMatrix confusion, IReadOnlyList<string> classNames, PerImageCounts? perImage = null,
        AlignmentMetrics? alignment = null, PredictionArchive.Writer? predictions = null)
    {
        if (perImage is not null) AtomicFile.WriteAllText(PerImageFile, perImage.ToCsv());
        if (alignment is not null) AtomicFile.WriteAllText(PerImageAlignmentFile, alignment.ToCsv());
        predictions?.Save(PredictionsFile);

        var perClass = new StringBuilder("class,iou,accuracy,boundary_f,gt_pixels,predicted_pixels\n");
        foreach (var c in metrics.Classes)
            perClass.Append(CultureInfo.InvariantCulture, $"{Csv(c.Name)},{Number(c.IoU)},{Number(c.Accuracy)},{Number(c.BoundaryF)},{c.GroundTruthPixels},{c.PredictedPixels}\n");
        AtomicFile.WriteAllText(PerClassFile, perClass.ToString());

        var matrix = new StringBuilder("ground_truth\\prediction," + string.Join(",", classNames.Select(Csv)) + "\n");
        for (int g = 0; g < confusion.NumClasses; g++)
            matrix.Append(Csv(classNames[g])).Append(',').AppendJoin(',', Enumerable.Range(0, confusion.NumClasses).Select(p => confusion[g, p])).Append('\n');
        AtomicFile.WriteAllText(ConfusionFile, matrix.ToString());

        AtomicFile.WriteAllText(MetricsFile, JsonSerializer.Serialize(metrics, Json.Options));
    }

    /// <summary>The per-image alignment counts, or null for a run made before protocol v3.</summary>
    public IReadOnlyList<AlignmentCounts>? ReadPerImageAlignment() =>
        File.Exists(PerImageAlignmentFile) ? AlignmentMetrics.Parse(File.ReadAllText(PerImageAlignmentFile), PerImageAlignmentFile) : null;

    /// <summary>The per-image counts, or null for a run made before they were recorded.</summary>
    public PerImageCounts? ReadPerImage() =>
        File.Exists(PerImageFile) ? PerImageCounts.Parse(File.ReadAllText(PerImageFile), PerImageFile) : null;

    static string Number(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    static string Csv(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;

    /// <summary>Reads confusion_matrix.csv (rows = ground truth, columns = prediction, a header of class names).</summary>
    public ConfusionMatrix ReadConfusion(int numClasses)
    {
        if (!File.Exists(ConfusionFile))
            throw new InputException(ConfusionFile, "does not exist", "the run is unfinished or was written by an older version; rerun it");
        var lines = File.ReadAllLines(ConfusionFile).Where(l => l.Length > 0).Skip(1).ToList();
        if (lines.Count != numClasses)
            throw new InputException(ConfusionFile, $"has {lines.Count} class rows, expected {numClasses}", "delete the run folder and rerun it");
        var counts = new long[numClasses * numClasses];
        for (int g = 0; g < numClasses; g++)
        {
            // The first field is the class name (quoted when it holds a comma); the counts follow.
            var line = lines[g];
            int start = line.StartsWith('"') ? line.IndexOf("\",", 1, StringComparison.Ordinal) + 2 : line.IndexOf(',', StringComparison.Ordinal) + 1;
            var values = line[start..].Split(',');
            if (values.Length != numClasses)
                throw new InputException(ConfusionFile, $"row {g + 1} has {values.Length} counts, expected {numClasses}", "delete the run folder and rerun it");
            for (int p = 0; p < numClasses; p++) counts[g * numClasses + p] = long.Parse(values[p], CultureInfo.InvariantCulture);
        }
        return ConfusionMatrix.FromCounts(numClasses, counts);
    }
}

/// <summary>One line of train_log.csv.</summary>
public sealed record LogRow(int Iteration, double Loss, double LearningRate, double Seconds);
