using System.Globalization;
using System.Text;
using SegAlign.Config;
using SegAlign.Platform;

namespace SegAlign.Measurement;

/// <summary>Training speed over a bench's rounds, each round beside its own matmul reference.</summary>
/// <param name="Processes">Processes training side by side (each with its own libtorch threads).</param>
/// <param name="ImagesPerSecond">Images trained per second by all processes together, per round.</param>
/// <param name="ReferenceGflops">fp32 matmul GFLOP/s measured in the same round with the same processes and threads.</param>
/// <param name="FractionOfPeak">Per round: counted GFLOP/s of training ÷ that round's reference.</param>
public sealed record SpeedFigures(int Processes, int ThreadsPerProcess, Spread ImagesPerSecond, Spread ReferenceGflops, Spread FractionOfPeak);

/// <summary>The PyTorch replica's speed in the same rounds, and SegAlign ÷ PyTorch per round.</summary>
public sealed record PeerFigures(string Torch, Spread ImagesPerSecond, Spread Ratio);

/// <summary>One line of `segalign bench`: a decoder's size, cost and speed on this machine.</summary>
/// <param name="DataMsPerBatch">What the data pipeline needs per batch on one thread, measured apart from training.</param>
/// <param name="Training">One process with every thread, on pre-generated batches.</param>
/// <param name="Sweep">As many 1-thread worker processes as threads (how `ablation run` trains); null with one thread.</param>
/// <param name="Peer">The PyTorch replica in the same rounds as <paramref name="Training"/>; null when not measured.</param>
public sealed record BenchRow(string Decoder, string ConfigHash, int Size, long Parameters, long DecoderParameters, double GMacs, int BatchSize,
    Timing Latency, double DataMsPerBatch, int Rounds, int IterationsPerRound, SpeedFigures Training, SpeedFigures? Sweep, PeerFigures? Peer)
{
    public double DataImagesPerSecond => BatchSize * 1000 / DataMsPerBatch;
}

/// <summary>Saves the benchmark table; CSVs are named by environment (processor, threads, TorchSharp), as timm does.</summary>
public static class BenchTable
{
    public static string EnvironmentName(RuntimeInfo runtime)
    {
        string cpu = new string(runtime.Processor.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (cpu.Contains("--", StringComparison.Ordinal)) cpu = cpu.Replace("--", "-", StringComparison.Ordinal);
        return $"{cpu.Trim('-')}_{runtime.Threads}t_{runtime.Device.Split(' ')[0]}_torchsharp-{runtime.TorchSharp}";
    }

    static string SpreadColumns(string prefix) => $"{prefix}_min,{prefix}_median,{prefix}_max";

    static string SpeedColumns(string prefix) =>
        $"{prefix}_processes,{prefix}_threads_per_process,{SpreadColumns(prefix + "_images_per_second")},{prefix}_matmul_gflops_median,{SpreadColumns(prefix + "_fraction_of_peak")}";

    public static readonly string Header =
        "decoder,config_hash,size,params,params_decoder,gmacs,batch,latency_ms_median,latency_ms_p25,latency_ms_p75,data_ms_per_batch,data_images_per_second," +
        $"rounds,iterations_per_round,{SpeedColumns("train")},{SpeedColumns("sweep")},peer_torch,{SpreadColumns("peer_images_per_second")},{SpreadColumns("segalign_over_pytorch")},runtime\n";

    static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    static string Cells(Spread? s) => s is null ? ",," : $"{R(s.Min)},{R(s.Median)},{R(s.Max)}";
    static string Cells(SpeedFigures? f) => f is null ? ",,,,,,,," :
        $"{f.Processes},{f.ThreadsPerProcess},{Cells(f.ImagesPerSecond)},{R(f.ReferenceGflops.Median)},{Cells(f.FractionOfPeak)}";

    public static string Line(BenchRow r, RuntimeInfo runtime) =>
        $"{r.Decoder},{r.ConfigHash},{r.Size},{r.Parameters},{r.DecoderParameters},{R(r.GMacs)},{r.BatchSize},{R(r.Latency.MedianMs)},{R(r.Latency.P25Ms)},{R(r.Latency.P75Ms)}," +
        $"{R(r.DataMsPerBatch)},{R(r.DataImagesPerSecond)},{r.Rounds},{r.IterationsPerRound},{Cells(r.Training)},{Cells(r.Sweep)}," +
        $"{r.Peer?.Torch},{Cells(r.Peer?.ImagesPerSecond)},{Cells(r.Peer?.Ratio)},\"{runtime}\"\n";

    /// <summary>
    /// Writes <paramref name="folder"/>/&lt;environment&gt;_&lt;size&gt;px.csv (…px_bf16.csv for a bf16 training step, so
    /// the two precisions never replace each other's rows). Rows of decoders measured earlier into the same file (same
    /// environment, preset folder, size, precision and columns) are kept, so measuring a subset updates the table
    /// instead of truncating it.
    /// </summary>
    public static string Save(IReadOnlyList<BenchRow> rows, RuntimeInfo runtime, string folder, TrainPrecision precision = TrainPrecision.Fp32)
    {
        string suffix = precision == TrainPrecision.Fp32 ? "" : "_" + precision.ToString().ToLowerInvariant();
        string path = Path.Combine(folder, $"{EnvironmentName(runtime)}_{rows[0].Size}px{suffix}.csv");
        Directory.CreateDirectory(folder);
        // Read, merge and write under the table's lock: two benches finishing together keep both their rows.
        Platform.FileLock.Exclusive(path, () =>
        {
            var text = new StringBuilder(Header);
            var measured = rows.Select(r => r.Decoder).ToHashSet();
            if (File.Exists(path) && File.ReadLines(path).FirstOrDefault() + "\n" == Header)
                foreach (var line in File.ReadLines(path).Skip(1))
                    if (line.Length > 0 && !measured.Contains(line[..line.IndexOf(',', StringComparison.Ordinal)]))
                        text.Append(line).Append('\n');
            foreach (var r in rows) text.Append(Line(r, runtime));
            AtomicFile.WriteAllText(path, text.ToString());
        });
        return path;
    }
}
