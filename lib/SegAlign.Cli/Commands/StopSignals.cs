using System.Runtime.InteropServices;

namespace SegAlign.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (kill, a scheduler's preemption) both cancel a command cleanly: the last checkpoint stays,
/// and the command says how to resume instead of ending in silence (SIGTERM's default ends the process at once).
/// </summary>
public sealed class StopSignals : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly ConsoleCancelEventHandler interrupt;
    readonly PosixSignalRegistration? terminate;

    /// <summary>The signal that stopped the command (SIGINT or SIGTERM), or null.</summary>
    public string? Received { get; private set; }

    public CancellationToken Token => source.Token;

    public StopSignals()
    {
        interrupt = (_, e) => { e.Cancel = true; Stop("SIGINT"); };
        Console.CancelKeyPress += interrupt;
        if (!OperatingSystem.IsWindows()) terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; Stop("SIGTERM"); });
    }

    void Stop(string signal)
    {
        Received ??= signal;
        source.Cancel();
    }

    /// <summary>Prints "stopped; resume with …" and returns the shell's code for the signal (130 SIGINT, 143 SIGTERM).</summary>
    public int ReportStopped(string resume)
    {
        Console.Error.WriteLine($"stopped by {Received ?? "a signal"}; resume with {resume}");
        return Received == "SIGTERM" ? 143 : 130;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= interrupt;
        terminate?.Dispose();
        source.Dispose();
    }
}
