using System.Diagnostics;
using SegAlign.Experiments;
using SegAlign.Measurement;
using SegAlign.Models;
using SegAlign.Platform;

namespace SegAlign.Tests.Measurement;

/// <summary>
/// A test that needs the PyTorch peer: skipped, with the reason and how to install torch, when /usr/bin/python3 has
/// none (the check runs once, when the tests are discovered).
/// </summary>
public sealed class PeerFactAttribute : FactAttribute
{
    static readonly Lazy<string?> missing = new(() => PeerReplica.TorchVersion(out string reason) is null ? $"{reason}; {PeerReplica.InstallHint}" : null);

    public PeerFactAttribute()
    {
        if (missing.Value is { } reason) Skip = reason;
    }
}

/// <summary>The PyTorch replica stays the model SegAlign trains, so the bench's SegAlign/PyTorch ratio compares like with like.</summary>
public class PeerReplicaTests
{
    static readonly string[] decoders = ["fpn", "sfnet"];

    static Dictionary<string, string> SegAlignParameters(string decoder)
    {
        var config = ExperimentPlan.ConfigForDecoder(decoder, "v1", null);
        var classes = SegAlign.Data.DatasetRegistry.CreateValidation(config.Data).NumClasses;
        using var model = new Segmentor(config.Model, classes);
        return model.named_parameters().ToDictionary(p => p.name, p => string.Join("x", p.parameter.shape));
    }

    [PeerFact]
    public void The_replica_has_the_parameter_names_and_shapes_of_the_v1_preset_models()
    {
        string folder = Directory.CreateTempSubdirectory("segalign-peer-").FullName;
        try
        {
            var start = new ProcessStartInfo(PeerReplica.Python) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { PeerReplica.Script, "1", "0", "params" }) start.ArgumentList.Add(a);
            using var python = Process.Start(start)!;
            string error = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, error);
            foreach (var decoder in decoders)
            {
                var replica = File.ReadAllLines(Path.Combine(folder, $"params_pytorch_{decoder}.txt"))
                    .Select(l => l.Split(' ')).ToDictionary(f => f[0], f => f[1]);
                var segAlign = SegAlignParameters(decoder);
                Assert.Equal(segAlign.Keys.Order(), replica.Keys.Order());
                foreach (var (name, shape) in segAlign) Assert.True(replica[name] == shape, $"{decoder} {name}: SegAlign {shape}, replica {replica[name]}");
            }
        }
        finally { Directory.Delete(folder, true); }
    }

    [PeerFact]
    public void The_replica_serves_training_rounds_of_the_model_the_bench_compares_with()
    {
        TorchRuntime.Initialise();
        var config = ExperimentPlan.ConfigForDecoder("sfnet", "v1", null);
        using var peer = PeerReplica.Start("sfnet", config, classes: 11, size: 64, threads: 1, warmup: 0);
        using var model = new Segmentor(config.Model, 11);
        Assert.Equal(ModelStats.Parameters(model)["total"], peer.Ready.GetProperty("params").GetInt64());
        Assert.True(peer.Ask("train 1") > 0);
    }
}
