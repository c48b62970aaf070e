using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegAlign.Config;
using SegAlign.Platform;

namespace SegAlign.Measurement;

/// <summary>
/// A helper process a bench drives line by line, so its model is built and warmed up once and every timing it
/// reports falls in the window the bench chose. Protocol (also spoken by the PyTorch peer script): the process
/// prints <c>READY &lt;json&gt;</c> when warmed up, then answers each command on stdin (<c>train N</c>,
/// <c>reference</c>) with one <c>RESULT &lt;number&gt;</c> line; <c>quit</c> or end of input ends it.
/// Other output is kept for the error message if the process dies.
/// </summary>
public sealed class ServedProcess : IDisposable
{
    readonly Process process;
    readonly string what;
    readonly ConcurrentQueue<string> tail = new();

    /// <summary>The JSON object the process printed with READY.</summary>
    public JsonElement Ready { get; private set; }

    ServedProcess(Process process, string what)
    {
        this.process = process;
        this.what = what;
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginErrorReadLine();
    }

    static ServedProcess Launch(ProcessStartInfo start, string what)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return new ServedProcess(ChildProcesses.Start(start), what);
    }

    void AwaitReady() => Ready = JsonDocument.Parse(Await("READY")).RootElement.Clone();

    /// <summary>Starts the process and waits until it is READY. Call from a thread that outlives it: a worker dies with
    /// the thread that started it (Linux's parent-death signal follows the creating thread, not the process).</summary>
    public static ServedProcess Start(ProcessStartInfo start, string what) => StartAll([(start, what)])[0];

    /// <summary>Starts every process from this thread, then waits until each is READY (they warm up side by side).</summary>
    public static List<ServedProcess> StartAll(IReadOnlyList<(ProcessStartInfo Start, string What)> starts)
    {
        var started = new List<ServedProcess>();
        try
        {
            foreach (var (start, what) in starts) started.Add(Launch(start, what));
            foreach (var p in started) p.AwaitReady();
            return started;
        }
        catch
        {
            foreach (var p in started) p.Dispose();
            throw;
        }
    }

    /// <summary>Sends a command without waiting, so several processes can work on it at the same time.</summary>
    public void Send(string command)
    {
        try
        {
            process.StandardInput.WriteLine(command);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // It has gone: what it printed on the way out says why.
            process.WaitForExit();
            throw new InvalidOperationException($"{what} exited ({process.ExitCode}) before taking '{command}': {string.Join(" | ", tail)}");
        }
    }

    /// <summary>Waits for the answer to the last command sent.</summary>
    public double Answer() => double.Parse(Await("RESULT"), CultureInfo.InvariantCulture);

    public double Ask(string command)
    {
        Send(command);
        return Answer();
    }

    /// <summary>Sends <paramref name="command"/> to every process, then collects every answer (they work concurrently).</summary>
    public static double[] Broadcast(IReadOnlyList<ServedProcess> processes, string command)
    {
        foreach (var p in processes) p.Send(command);
        return processes.Select(p => p.Answer()).ToArray();
    }

    string Await(string tag)
    {
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(tag + " ", StringComparison.Ordinal)) return line[(tag.Length + 1)..];
            Keep(line);
        }
        process.WaitForExit();
        throw new InvalidOperationException($"{what} exited ({process.ExitCode}) before answering: {string.Join(" | ", tail)}");
    }

    void Keep(string? line)
    {
        if (line is null) return;
        tail.Enqueue(line);
        while (tail.Count > 12) tail.TryDequeue(out _);
    }

    public void Dispose()
    {
        try
        {
            Send("quit");
            if (!process.WaitForExit(5000)) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
        ChildProcesses.Exited(process);
        process.Dispose();
    }
}

/// <summary>What a bench asks a worker process to train: the sweep's worker, minus the run folder.</summary>
public sealed record BenchWorkerRequest
{
    public required RunConfig Config { get; init; }
    /// <summary>libtorch threads of the worker (1 when it stands for one of a sweep's parallel runs).</summary>
    public required int Threads { get; init; }
    public int Seed { get; init; }
    /// <summary>Untimed iterations before READY.</summary>
    public int Warmup { get; init; }

    public string SaveIn(string folder)
    {
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, $"bench-request-{Seed}.json");
        AtomicFile.WriteAllText(file, Json.Serialize(this));
        return file;
    }

    public static BenchWorkerRequest Load(string file)
    {
        if (!File.Exists(file)) throw new InputException(file, "does not exist", "bench workers are started by `segalign bench`, which writes the request");
        try
        {
            return JsonSerializer.Deserialize<BenchWorkerRequest>(File.ReadAllText(file), Json.StrictOptions)
                   ?? throw new InputException(file, "is empty", "rerun `segalign bench`");
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"is not a bench worker request ({e.Message})", "rerun `segalign bench`");
        }
    }
}

/// <summary>The worker side: a real process with its own libtorch threads, as `ablation run` trains.</summary>
public static class BenchWorker
{
    /// <summary>Matrix size of the interleaved reference: large enough to reach the BLAS's sustained rate, small enough to repeat every round.</summary>
    public const int ReferenceSize = 1024;

    public static int Serve(string requestFile, TextReader input, TextWriter output)
    {
        ChildProcesses.DieWithParent();
        var request = BenchWorkerRequest.Load(requestFile);
        TorchRuntime.Initialise(request.Threads);
        using var session = new TrainingSession(request.Config, request.Seed);
        session.Train(request.Warmup);
        output.WriteLine("READY " + JsonSerializer.Serialize(new { dataMsPerBatch = session.DataMsPerBatch, threads = TorchSharp.torch.get_num_threads() }));
        output.Flush();
        while (input.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            double value = words[0] switch
            {
                "quit" => double.NaN,
                "reference" => Benchmarks.MatmulPeakGflops(ReferenceSize, 5),
                "train" when words.Length == 2 && int.TryParse(words[1], CultureInfo.InvariantCulture, out int n) && n > 0 => session.Train(n),
                _ => throw new InputException("bench worker input", $"has an unknown command '{line}'", "send `train N`, `reference` or `quit`"),
            };
            if (double.IsNaN(value)) break;
            output.WriteLine("RESULT " + value.ToString("R", CultureInfo.InvariantCulture));
            output.Flush();
        }
        return 0;
    }
}
