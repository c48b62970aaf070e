using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Nn;

/// <summary>
/// Mixed precision for the ops that carry almost all the arithmetic. TorchSharp has no autocast, but every model op
/// goes through <see cref="Ops"/>, so the cast sits there: while a scope is open on this thread, Conv2d, Linear and
/// MatMul cast their float32 operands (input, weight, bias) to the scope's type, compute, and cast the result back to
/// float32 — PyTorch's CPU autocast list (convolution, linear, matmul). Everything else (normalisation, activations,
/// resizing, the loss) stays float32, and so do the parameters: the casts are differentiable, so gradients reach the
/// float32 master weights as float32. Counted MACs and op names do not change: cost does not depend on precision.
/// </summary>
public sealed class AutocastScope : IDisposable
{
    [ThreadStatic] static ScalarType? current;

    readonly ScalarType? previous;
    bool disposed;

    internal AutocastScope(ScalarType? type)
    {
        if (type is { } t && t != ScalarType.BFloat16 && t != ScalarType.Float16)
            throw new ArgumentException($"autocast computes in a reduced float type (BFloat16 or Float16), not {t}", nameof(type));
        previous = current;
        current = type;
    }

    /// <summary>The reduced type the current thread computes Conv2d, Linear and MatMul in; null: float32 as given.</summary>
    public static ScalarType? Current => current;

    /// <summary>The operand in the scope's type when it is float32 and a scope is open; otherwise the operand itself.</summary>
    internal static Tensor? Lower(Tensor? operand) =>
        current is { } type && operand is not null && operand.dtype == ScalarType.Float32 ? operand.to(type) : operand;

    /// <summary>True when an op with these operands computes in the scope's type (all float32, a scope open).</summary>
    internal static bool Applies(Tensor a, Tensor b) =>
        current is not null && a.dtype == ScalarType.Float32 && b.dtype == ScalarType.Float32;

    /// <summary>Closes the scope: the thread gets back the precision it had when the scope was opened.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        current = previous;
    }
}
