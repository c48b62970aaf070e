using System.Text.Json;
using SegAlign.Config;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>
/// What a sweep asks a worker process to do: train (or resume) one run into the run folder that holds this
/// request. The runner writes it and <see cref="Run"/> reads and executes it; the command line only exposes
/// that entry point (`segalign worker &lt;request&gt;`), so no CLI option is spelled in the library.
/// </summary>
public sealed record WorkerRequest
{
    public required RunConfig Config { get; init; }
    public required int Seed { get; init; }
    /// <summary>libtorch threads (≤ 0: libtorch's choice, all cores).</summary>
    public int Threads { get; init; }

    /// <summary>Writes the request into the run folder (atomically) and returns its path.</summary>
    public string SaveIn(RunFolder folder)
    {
        Directory.CreateDirectory(folder.Path);
        AtomicFile.WriteAllText(folder.RequestFile, Json.Serialize(this));
        return folder.RequestFile;
    }

    public static WorkerRequest Load(string file)
    {
        if (!File.Exists(file))
            throw new InputException(file, "does not exist", "start workers through `segalign ablation run`, which writes the request into the run folder");
        try
        {
            return JsonSerializer.Deserialize<WorkerRequest>(File.ReadAllText(file), Json.StrictOptions)
                   ?? throw new InputException(file, "is empty", "rerun `segalign ablation run` to write it again");
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"is not a worker request ({e.Message})", "rerun `segalign ablation run` to write it again");
        }
    }

    /// <summary>The worker entry point: trains the requested run into the folder the request lies in.</summary>
    public static TrainOutcome Run(string requestFile, IProgress<TrainProgress>? progress = null, CancellationToken cancellation = default)
    {
        var request = Load(requestFile);
        string folder = Path.GetDirectoryName(Path.GetFullPath(requestFile))!;
        return Trainer.Run(request.Config, request.Seed, folder, new TrainOptions { Resume = true, Threads = request.Threads }, progress, cancellation);
    }
}
