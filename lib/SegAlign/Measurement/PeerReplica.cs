using System.Diagnostics;
using System.Globalization;
using SegAlign.Config;
using SegAlign.Platform;

namespace SegAlign.Measurement;

/// <summary>
/// The reference PyTorch replica of the fpn and sfnet models (shared/peer/pytorch_fpn_sfnet.py beside the checkout, or
/// $SEGALIGN_PEER_REPLICA; run, never copied), driven by the project's environment/peer/serve.py and run with the
/// system Python's torch (Debian's PyTorch 1.13) so the bench can time the same training step in both systems,
/// interleaved round by round.
/// </summary>
public static class PeerReplica
{
    public const string Python = "/usr/bin/python3";

    public const string InstallHint =
        "the PyTorch peer needs torch in " + Python + "; install Debian's PyTorch 1.13 with `sudo apt-get install python3-torch` " +
        "(it also installs libtorch-dev, which SegAlign's build keeps from shadowing TorchSharp's libtorch), then run again";

    /// <summary>Decoders the replica builds.</summary>
    public static readonly IReadOnlyList<string> Decoders = ["fpn", "sfnet"];

    /// <summary>The reference replica itself (its own command line: &lt;threads&gt; &lt;iters&gt; [params]).</summary>
    public static string Script => Environment.GetEnvironmentVariable("SEGALIGN_PEER_REPLICA") is { Length: > 0 } path
        ? path : Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "peer", "pytorch_fpn_sfnet.py"));

    /// <summary>The project's driver that serves the replica's training step to the bench.</summary>
    public static string Server => Path.Combine(Repository.Root, "environment", "peer", "serve.py");

    /// <summary>torch's version in the system Python, or null (with the reason) when there is none.</summary>
    public static string? TorchVersion(out string reason)
    {
        reason = "";
        if (!File.Exists(Python)) { reason = $"{Python} does not exist"; return null; }
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-c", "import torch; print(torch.__version__)" }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            string error = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && output.Length > 0) return output.Split('\n')[^1];
            reason = $"{Python} cannot import torch ({error.Split('\n').LastOrDefault()?.Trim()})";
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            reason = $"{Python} could not be started ({e.Message})";
            return null;
        }
    }

    /// <summary>Stops with how to install torch when the peer cannot run (a requested peer column never silently goes missing).</summary>
    public static string RequireTorch()
    {
        if (TorchVersion(out string reason) is { } version) return version;
        if (!File.Exists(Script)) throw new InputException(Script, "is missing", "put the reference replica there (shared/peer/ beside the checkout) or set SEGALIGN_PEER_REPLICA to its path");
        if (!File.Exists(Server)) throw new InputException(Server, "is missing", "restore environment/peer/ from the repository");
        throw new InputException("PyTorch peer", reason, InstallHint);
    }

    /// <summary>
    /// Starts the replica serving <c>train N</c> for <paramref name="decoder"/> with the config's batch, input size and
    /// classes, warmed up by <paramref name="warmup"/> iterations. READY carries its parameter count, which the bench
    /// compares with SegAlign's model before trusting a ratio.
    /// </summary>
    public static ServedProcess Start(string decoder, RunConfig config, int classes, int size, int threads, int warmup)
    {
        var start = new ProcessStartInfo(Python);
        foreach (var a in new[] { Server, decoder, threads.ToString(CultureInfo.InvariantCulture), config.Train.BatchSize.ToString(CultureInfo.InvariantCulture),
                     size.ToString(CultureInfo.InvariantCulture), classes.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        return ServedProcess.Start(start, $"the PyTorch peer ({decoder})");
    }
}
