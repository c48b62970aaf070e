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
/// What counts how much is stated once, in <see cref="FlopConvention"/> (reports print it from there).
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
