using System.Globalization;
using System.Text;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Platform;
using SegAlign.Training;
using TorchSharp;

namespace SegAlign.Measurement;

/// <summary>One line of `segalign bench`: a decoder's size, cost and speed on this machine.</summary>
/// <param name="Throughput">One training run using every thread.</param>
/// <param name="Sweep">As many 1-thread trainings side by side as there are threads (how `ablation run` trains).</param>
public sealed record BenchRow(string Decoder, string ConfigHash, int Size, long Parameters, long DecoderParameters, double GMacs,
    Timing Latency, ThroughputResult Throughput, ThroughputResult Sweep);

/// <summary>Builds and saves the benchmark table; CSVs are named by environment (processor, threads, TorchSharp), as timm does.</summary>
public static class BenchTable
{
    public static BenchRow Measure(string decoder, RunConfig config, int trainIterations, double peakGflops)
    {
        var validation = Data.DatasetRegistry.CreateValidation(config.Data);
        var sample = validation.Get(0);
        TorchSharp.torch.manual_seed(0);
        using var model = new Segmentor(config.Model, validation.NumClasses);
        model.to(TorchRuntime.Device);
        var parameters = ModelStats.Parameters(model);
        var flops = ModelStats.CountMacs(model, sample.Height, sample.Width, sample.Channels);
        var latency = Benchmarks.Latency(model, sample.Height, sample.Width);
        var throughput = Benchmarks.TrainingThroughput(config, peakGflops, 1, iterations: trainIterations);
        int threads = TorchSharp.torch.get_num_threads();
        var sweep = threads > 1 ? Benchmarks.TrainingThroughput(config, peakGflops, threads, iterations: trainIterations) : throughput;
        return new BenchRow(decoder, config.Hash(), sample.Height, parameters["total"], parameters["decoder"], flops.GMacs, latency, throughput, sweep);
    }

    public static string EnvironmentName(RuntimeInfo runtime)
    {
        string cpu = new string(runtime.Processor.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (cpu.Contains("--", StringComparison.Ordinal)) cpu = cpu.Replace("--", "-", StringComparison.Ordinal);
        return $"{cpu.Trim('-')}_{runtime.Threads}t_{runtime.Device.Split(' ')[0]}_torchsharp-{runtime.TorchSharp}";
    }

    const string Header = "decoder,config_hash,size,params,params_decoder,gmacs,latency_ms_median,latency_ms_p25,latency_ms_p75,train_images_per_second,achieved_gflops,fraction_of_peak,sweep_runs,sweep_images_per_second,sweep_gflops,sweep_fraction_of_peak,matmul_peak_gflops,runtime\n";

    /// <summary>
    /// Writes <paramref name="folder"/>/&lt;environment&gt;_&lt;size&gt;px.csv. Rows of decoders measured earlier
    /// into the same file (same environment, preset folder and size) are kept, so measuring a subset
    /// updates the table instead of truncating it.
    /// </summary>
    public static string Save(IReadOnlyList<BenchRow> rows, RuntimeInfo runtime, string folder)
    {
        string path = Path.Combine(folder, $"{EnvironmentName(runtime)}_{rows[0].Size}px.csv");
        var text = new StringBuilder(Header);
        var measured = rows.Select(r => r.Decoder).ToHashSet();
        if (File.Exists(path) && File.ReadLines(path).FirstOrDefault() + "\n" == Header)
            foreach (var line in File.ReadLines(path).Skip(1))
                if (line.Length > 0 && !measured.Contains(line[..line.IndexOf(',', StringComparison.Ordinal)]))
                    text.Append(line).Append('\n');
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture,
                $"{r.Decoder},{r.ConfigHash},{r.Size},{r.Parameters},{r.DecoderParameters},{r.GMacs:R},{r.Latency.MedianMs:R},{r.Latency.P25Ms:R},{r.Latency.P75Ms:R},{r.Throughput.ImagesPerSecond:R},{r.Throughput.AchievedGflops:R},{r.Throughput.FractionOfPeak:R},{runtime.Threads},{r.Sweep.ImagesPerSecond:R},{r.Sweep.AchievedGflops:R},{r.Sweep.FractionOfPeak:R},{r.Throughput.PeakGflops:R},\"{runtime}\"\n");
        AtomicFile.WriteAllText(path, text.ToString());
        return path;
    }
}
