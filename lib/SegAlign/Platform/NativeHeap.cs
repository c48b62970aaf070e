using System.Runtime.InteropServices;

namespace SegAlign.Platform;

/// <summary>
/// How the C heap that libtorch allocates tensors from treats freed memory. libtorch's CPU allocator keeps no cache:
/// every tensor is a fresh <c>posix_memalign</c> and a <c>free</c> when it dies. glibc serves blocks above its
/// mmap threshold (128 KiB, raised dynamically up to 32 MiB) with fresh pages from the kernel and unmaps them on free,
/// and trims the heap's top whenever more than twice that is free, so a training step page-faults much of its
/// working set again every iteration: measured at 128 px, batch 8, one thread, a 50-step fpn process took 400 k minor
/// page faults against 180 k with fixed thresholds, and its step was 1.2–1.4× slower (interleaved runs). Fixed thresholds
/// keep freed blocks in the heap for the next step. Only where memory comes from changes; every value computed is
/// the same (docs/speed.md).
/// </summary>
public static class NativeHeap
{
    /// <summary>Environment variable: set to <c>default</c> to keep the C library's own policy (for before/after measurements).</summary>
    public const string PolicyVariable = "SEGALIGN_NATIVE_HEAP";

    // Far above every tensor of the CPU presets (at 128 px the largest, an evaluation batch's logits, is ≈ 11 MiB), small
    // enough that a process holds at most this much freed memory beyond its peak.
    const int PreferredThreshold = 256 << 20;
    // glibc versions that cap M_MMAP_THRESHOLD at HEAP_MAX_SIZE / 2 accept this one.
    const int FallbackThreshold = 32 << 20;
    const int TrimThresholdOption = -1, MmapThresholdOption = -3; // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)

    static readonly object gate = new();
    static string? policy;

    /// <summary>What <see cref="KeepFreedMemory"/> did in this process: "retain (… MiB)", "partial (…)", "default (…)", or null before it ran.</summary>
    public static string? Policy => policy;

    /// <summary>Idempotent: fixes glibc's mmap and trim thresholds so freed tensor memory is reused, unless
    /// <see cref="PolicyVariable"/> says <c>default</c>. A no-op (with the reason in <see cref="Policy"/>) off Linux or without glibc's mallopt.</summary>
    public static string KeepFreedMemory()
    {
        lock (gate)
            return policy ??= Apply(Environment.GetEnvironmentVariable(PolicyVariable));
    }

    /// <summary>True when <see cref="PolicyVariable"/>'s value asks for the C library's own policy.</summary>
    public static bool KeepsDefault(string? requested) => string.Equals(requested, "default", StringComparison.OrdinalIgnoreCase);

    static string Apply(string? requested)
    {
        if (KeepsDefault(requested)) return $"default ({PolicyVariable}=default)";
        if (!OperatingSystem.IsLinux()) return "default (not Linux)";
        try
        {
            int threshold = mallopt(MmapThresholdOption, PreferredThreshold) == 1 ? PreferredThreshold
                : mallopt(MmapThresholdOption, FallbackThreshold) == 1 ? FallbackThreshold : 0;
            if (threshold == 0) return "default (mallopt refused the mmap threshold)";
            // Without the trim threshold the heap's top would still go back to the kernel: say so rather than claim "retain".
            return mallopt(TrimThresholdOption, threshold) == 1
                ? $"retain ({threshold >> 20} MiB)"
                : $"partial ({threshold >> 20} MiB mmap threshold; mallopt refused the trim threshold)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "default (no glibc mallopt)";
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int parameter, int value);
}
