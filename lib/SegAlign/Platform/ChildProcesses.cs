using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SegAlign.Platform;

/// <summary>
/// Worker processes die with the sweep that started them. The parent names itself in the child's environment; the
/// child asks Linux to SIGKILL it when the parent goes (prctl PR_SET_PDEATHSIG — which covers kill -9 of the parent,
/// which no handler in the parent can), and the parent kills the workers it still has when it exits normally.
/// </summary>
public static partial class ChildProcesses
{
    /// <summary>Set by a sweep in each worker's environment: the sweep's process id.</summary>
    public const string ParentVariable = "SEGALIGN_PARENT_PID";

    static readonly ConcurrentDictionary<int, Process> live = new();
    static int hooked;

    /// <summary>Starts <paramref name="start"/> as a worker of this process.</summary>
    public static Process Start(ProcessStartInfo start)
    {
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Interlocked.Exchange(ref hooked, 1) == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a training process");
        live[process.Id] = process;
        return process;
    }

    /// <summary>Forgets a worker that has exited.</summary>
    public static void Exited(Process process) => live.TryRemove(process.Id, out _);

    static void KillAll()
    {
        foreach (var process in live.Values)
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>
    /// In a worker (the variable is set): die with the parent. Called first thing, before any work; exits at once when the
    /// parent is already gone (it died between starting this process and this call).
    /// </summary>
    public static void DieWithParent()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(ParentVariable) is not { Length: > 0 } text
            || !int.TryParse(text, out int parent)) return;
        const int PR_SET_PDEATHSIG = 1, SIGKILL = 9;
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return;
        if (getppid() != parent) Environment.Exit(137);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc")]
    private static partial int getppid();
}
