using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Nn;

/// <summary>One counted operation: what it was, where, its cost and its output shape.</summary>
public sealed record CountedOp(string Op, string Section, long Macs, long[] OutputShape);

/// <summary>
/// Counts multiply-accumulates (MACs) of every operation a model executes through <see cref="Ops"/>,
/// and proves that nothing escaped: every tensor created while counting must have been produced
/// inside an <see cref="Ops"/> call, otherwise it shows up in <see cref="Uncounted"/>.
///
/// Convention (stated once, used everywhere; see docs in README "How FLOPs are counted"):
/// <list type="bullet">
/// <item>convolution / linear / matmul: one MAC per multiply-add; bias adds one per output element;</item>
/// <item>batch norm: one per element (an affine scale-and-shift, as folded at inference);</item>
/// <item>elementwise arithmetic and activations (add, mul, relu, sigmoid, exp, sin, cos): one per output element;</item>
/// <item>softmax: three per element (exp, sum, divide); reductions (sum, mean): one per input element;</item>
/// <item>bilinear sampling (interpolate, grid_sample): four per output element (one per corner weight, as fvcore);
///       nearest sampling: zero (a gather);</item>
/// <item>average pooling: one per element of each pooling window; max pooling: one comparison per window element;</item>
/// <item>layout ops (view, permute, cat, slice, zero padding, detach, constants): zero, but still recorded.</item>
/// </list>
/// Papers print multiply-adds as "FLOPs"; we report GMACs and say so.
/// </summary>
public sealed class FlopCounter : IDisposable
{
    [ThreadStatic] static FlopCounter? current;

    readonly DisposeScope scope;
    readonly FlopCounter? previous;
    readonly HashSet<IDisposable> attributed = new(ReferenceEqualityComparer.Instance);
    readonly List<IDisposable> foreign = new();
    readonly List<CountedOp> ops = new();
    int depth;

    FlopCounter()
    {
        previous = current;
        scope = torch.NewDisposeScope();
        current = this;
    }

    /// <summary>Starts counting on this thread; tensors created until <see cref="Dispose"/> are freed then.</summary>
    public static FlopCounter Start() => new();

    internal static FlopCounter? Current => current;

    /// <summary>Label attached to subsequent ops (e.g. "backbone", "decoder").</summary>
    public string Section { get; set; } = "model";

    public IReadOnlyList<CountedOp> Ops => ops;

    public long TotalMacs => ops.Sum(o => o.Macs);

    public double GMacs => TotalMacs / 1e9;

    public IReadOnlyDictionary<string, long> MacsBySection =>
        ops.GroupBy(o => o.Section).ToDictionary(g => g.Key, g => g.Sum(o => o.Macs));

    public IReadOnlyDictionary<string, long> MacsByOp =>
        ops.GroupBy(o => o.Op).ToDictionary(g => g.Key, g => g.Sum(o => o.Macs));

    /// <summary>Tensors created while counting by code that did not go through <see cref="Ops"/>.</summary>
    public IReadOnlyList<string> Uncounted
    {
        get
        {
            SweepForeign();
            return foreign.OfType<Tensor>().Select(t => t.IsInvalid ? "(disposed tensor)" : $"tensor [{string.Join(",", t.shape)}] {t.dtype}")
                .ToList();
        }
    }

    internal int Enter()
    {
        if (depth++ == 0) SweepForeign();
        return depth;
    }

    internal void Exit(string op, long macs, Tensor output)
    {
        if (--depth == 0)
        {
            ops.Add(new CountedOp(op, Section, macs, output.shape));
            foreach (var d in scope.DisposablesView) attributed.Add(d);
        }
    }

    // Anything in the scope that no op claimed was made by uncounted code.
    void SweepForeign()
    {
        foreach (var d in scope.DisposablesView)
            if (attributed.Add(d)) foreign.Add(d);
    }

    public void Dispose()
    {
        current = previous;
        scope.Dispose();
    }
}
