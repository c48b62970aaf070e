using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Platform;

/// <summary>What this process computes on, and with which software.</summary>
public sealed record RuntimeInfo(string Device, string Processor, int Threads, string DotNet, string TorchSharp, string LibTorch, string Os)
{
    public override string ToString() =>
        $"{Device} · {Processor} · {Threads} threads · .NET {DotNet} · TorchSharp {TorchSharp} · libtorch {LibTorch} · {Os}";
}

/// <summary>
/// Starts libtorch once per process: makes sure its native library can load (see <see cref="ElfVersionPatch"/>),
/// turns the misleading TorchSharp load failure into a message that says what is wrong, sets the C heap's
/// policy for tensor memory (<see cref="NativeHeap"/>), picks the device (CUDA when available, else CPU) and the thread count.
/// </summary>
public static class TorchRuntime
{
    static readonly object gate = new();
    static Device? device;

    /// <summary>The device models and batches live on.</summary>
    public static Device Device => device ?? Initialise();

    /// <summary>Idempotent. <paramref name="threads"/> ≤ 0 keeps libtorch's choice (all cores).</summary>
    public static Device Initialise(int threads = 0)
    {
        lock (gate)
        {
            if (device is null)
            {
                NativeHeap.KeepFreedMemory();
                RepairNativeLibraryIfNeeded();
                PackagedLibTorch.Load();
                try
                {
                    device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
                }
                catch (TypeInitializationException e)
                {
                    throw new InvalidOperationException(DescribeLoadFailure(e), e);
                }
                SilenceNativeWarnings();
            }
            if (threads > 0 && torch.get_num_threads() != threads) torch.set_num_threads(threads);
            return device;
        }
    }

    // libtorch logs "Could not initialize NNPACK! Reason: Unsupported hardware." on every eligible convolution of
    // CPUs without NNPACK support. c10's log threshold is a plain exported int; raising it to ERROR (2) keeps
    // real errors and drops that noise. Environment variables cannot do this from .NET (it keeps its own copy).
    static void SilenceNativeWarnings()
    {
        if (NativeLibrary.TryLoad("libc10.so", typeof(torch).Assembly, null, out var c10)
            && NativeLibrary.TryGetExport(c10, "FLAGS_caffe2_log_level", out var level))
            Marshal.WriteInt32(level, 2);
    }

    public static RuntimeInfo Describe()
    {
        var d = Device;
        string torchSharp = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        return new RuntimeInfo(
            d.type == DeviceType.CUDA ? $"cuda ({torch.cuda.device_count()} GPU)" : "cpu",
            ProcessorName(), torch.get_num_threads(), Environment.Version.ToString(), torchSharp,
            torch.__version__, RuntimeInformation.OSDescription);
    }

    /// <summary>
    /// The processor's name with its widest vector instruction set, e.g. "AMD EPYC (avx512-bf16)": machines that share a
    /// name can differ in ISA (two "AMD EPYC" hosts here: one AVX-512 with BF16, one AVX2 only), libtorch/oneDNN choose
    /// kernels by it, so throughput and even the last bits of a loss curve are per ISA, not per name.
    /// </summary>
    public static string ProcessorName() => $"{ProcessorModel()} ({InstructionSet()})";

    /// <summary>The widest vector extension the CPU reports: amx, avx512-bf16, avx512, avx2, avx or the architecture.</summary>
    public static string InstructionSet() => instructionSet.Value;

    // The CPU does not change under a process: read /proc/cpuinfo once, not on every runtime description or warning.
    static readonly Lazy<string> instructionSet = new(WidestInstructionSet);

    static string WidestInstructionSet()
    {
        var flags = CpuFlags();
        if (flags.Contains("amx_tile")) return "amx";
        if (flags.Contains("avx512f")) return flags.Contains("avx512_bf16") ? "avx512-bf16" : "avx512";
        if (flags.Contains("avx2")) return "avx2";
        if (flags.Contains("avx")) return "avx";
        return RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
    }

    /// <summary>True when the CPU computes bfloat16 natively (AVX-512 BF16 or AMX); otherwise libtorch emulates it.</summary>
    public static bool HasNativeBFloat16() => InstructionSet() is "amx" or "avx512-bf16";

    static HashSet<string> CpuFlags()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("flags", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        catch (IOException) { }
        return [];
    }

    static string ProcessorModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    // The build patches the copies it knows; this covers a copy loaded from elsewhere (e.g. a NuGet cache
    // populated by another tool). Patching an already-patched or unneeded file is a no-op.
    static void RepairNativeLibraryIfNeeded()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var candidate in NativeLibraryCandidates())
        {
            try { ElfVersionPatch.EnsureLoadable(candidate); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* read-only location: the load error below explains */ }
        }
    }

    static IEnumerable<string> NativeLibraryCandidates()
    {
        string name = ElfVersionPatch.TorchSharpNativeLibrary;
        string? assemblyDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        var dirs = new List<string> { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") };
        if (assemblyDir is not null)
        {
            dirs.Add(assemblyDir);
            // NuGet layout: <pkg>/lib/net8.0/TorchSharp.dll next to <pkg>/runtimes/linux-x64/native/.
            dirs.Add(Path.GetFullPath(Path.Combine(assemblyDir, "..", "..", "runtimes", "linux-x64", "native")));
        }
        return dirs.Distinct().Select(d => Path.Combine(d, name)).Where(File.Exists);
    }

    static string DescribeLoadFailure(Exception e)
    {
        string? libstdcxx = ElfVersionPatch.FindSystemLibStdCxx();
        bool hasVersion = libstdcxx is not null && ElfVersionPatch.LibraryDefinesVersion(libstdcxx, ElfVersionPatch.MissingVersion);
        var inner = e.InnerException?.Message ?? e.Message;
        string? loaded = PackagedLibTorch.Loaded();
        if (loaded is not null && !PackagedLibTorch.NativeFolders().Any(f => loaded.StartsWith(f + "/", StringComparison.Ordinal)))
            return $"TorchSharp could not start libtorch: this process loaded {loaded}, not the libtorch that TorchSharp's package ships " +
                   "(a system libtorch, e.g. Debian's libtorch-dev, was found first). Rebuild (environment/setup) so the packaged one sits next to " +
                   $"the program, or remove the system one from LD_LIBRARY_PATH. (TorchSharp said: {inner})";
        return hasVersion
            ? $"TorchSharp could not load libtorch: {inner}. Rebuild (dotnet build) so the native packages are restored next to the program."
            : $"TorchSharp could not load its native library because {libstdcxx ?? "the system libstdc++"} lacks {ElfVersionPatch.MissingVersion}, " +
              "and the automatic fix could not be applied (is the library read-only?). Run `dotnet build` in the repository, " +
              $"which patches the copies it uses, or install GCC 13's libstdc++. (TorchSharp said: {inner})";
    }
}
