using SegAlign.Config;
using SegAlign.Nn;
using SegAlign.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>What <see cref="TrainConfig.Precision"/> means for a training step, and what it costs on this machine.</summary>
public static class MixedPrecision
{
    /// <summary>The autocast scope the forward pass and loss run under; null for fp32 (a null `using` is a no-op).</summary>
    public static AutocastScope? ForwardScope(TrainConfig train) =>
        train.Precision == TrainPrecision.Bf16 ? Ops.Autocast(ScalarType.BFloat16) : null;

    /// <summary>
    /// One line for start-up output when bf16 is asked where it cannot be fast: without AVX-512 BF16 or AMX, libtorch
    /// emulates bfloat16 (measured on AVX2: a convolution's forward and backward 19× slower than in float32). Null otherwise.
    /// </summary>
    public static string? EmulationWarning(TrainConfig train, Device device) =>
        train.Precision == TrainPrecision.Bf16 && device.type == DeviceType.CPU && !TorchRuntime.HasNativeBFloat16()
            ? $"warning: train.precision = bf16 on a CPU without native bfloat16 ({TorchRuntime.InstructionSet()}): libtorch emulates it, " +
              "so training runs much slower than fp32 (its results are still valid); bf16 pays off only with avx512_bf16 or AMX"
            : null;
}
