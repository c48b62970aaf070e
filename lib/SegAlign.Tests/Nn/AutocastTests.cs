using SegAlign.Nn;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Tests.Nn;

/// <summary>
/// The autocast scope of <see cref="Ops"/> (train.precision = bf16): Conv2d, Linear and MatMul compute in bfloat16 and
/// hand back float32 close to the float32 result, gradients reach float32 weights, nothing changes outside a scope.
/// Tensors are tiny: on CPUs without native bfloat16 libtorch emulates it, slowly.
/// </summary>
public class AutocastTests
{
    const double BFloat16Tolerance = 2e-2; // relative to the largest magnitude: bfloat16 keeps 8 significant bits

    // Bit-identical: same type, shape and every element.
    static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static double Relative(Tensor a, Tensor b) => ((a - b).abs().max() / b.abs().max()).item<float>();

    // Output, the gradient of the weight (float32 master copy) and of the input, for one op.
    static (Tensor Output, Tensor WeightGrad, Tensor InputGrad) Run(Func<Tensor, Tensor, Tensor> op, Tensor x, Tensor weight, bool autocast)
    {
        var xi = x.clone().requires_grad_(true);
        var wi = weight.clone().requires_grad_(true);
        Tensor y;
        using (autocast ? Ops.Autocast(ScalarType.BFloat16) : null) y = op(xi, wi);
        y.sum().backward(); // backward outside the scope, as the trainer does
        return (y.detach(), wi.grad!, xi.grad!);
    }

    public static TheoryData<string> OpNames() => new() { "conv2d", "conv2d-padded", "linear", "matmul" };

    static (Func<Tensor, Tensor, Tensor> Op, Tensor X, Tensor Weight) Case(string name, Generator g) => name switch
    {
        "conv2d" => ((x, w) => Ops.Conv2d(x, w, null, padding: 1), randn([2, 8, 9, 7], generator: g), randn([16, 8, 3, 3], generator: g) * 0.1),
        // 2 output channels with batch 2: the padded-filter workaround in Ops.Conv2d must hold in bfloat16 too.
        "conv2d-padded" => ((x, w) => Ops.Conv2d(x, w, null, padding: 1), randn([2, 8, 9, 7], generator: g), randn([2, 8, 3, 3], generator: g) * 0.1),
        "linear" => ((x, w) => Ops.Linear(x, w, null), randn([5, 12], generator: g), randn([6, 12], generator: g)),
        "matmul" => ((a, b) => Ops.MatMul(a, b), randn([3, 5, 12], generator: g), randn([3, 12, 4], generator: g)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(OpNames))]
    public void Under_autocast_an_op_computes_in_bfloat16_and_returns_float32_close_to_float32(string name)
    {
        using var scope = NewDisposeScope();
        var (op, x, weight) = Case(name, new Generator(5));
        var exact = Run(op, x, weight, autocast: false);
        var mixed = Run(op, x, weight, autocast: true);

        Assert.Equal(ScalarType.Float32, mixed.Output.dtype);
        Assert.Equal(ScalarType.Float32, mixed.WeightGrad.dtype);
        Assert.Equal(ScalarType.Float32, mixed.InputGrad.dtype);
        Assert.Equal(exact.Output.shape, mixed.Output.shape);
        Assert.True(Relative(mixed.Output, exact.Output) < BFloat16Tolerance, $"output off by {Relative(mixed.Output, exact.Output):G3}");
        Assert.True(Relative(mixed.WeightGrad, exact.WeightGrad) < BFloat16Tolerance, $"weight gradient off by {Relative(mixed.WeightGrad, exact.WeightGrad):G3}");
        Assert.True(Relative(mixed.InputGrad, exact.InputGrad) < BFloat16Tolerance, $"input gradient off by {Relative(mixed.InputGrad, exact.InputGrad):G3}");
        // Rounded, so it really computed in bfloat16 (a no-op scope would return the float32 result itself).
        Assert.False(Same(mixed.Output, exact.Output), "autocast left the op in float32");
    }

    [Fact]
    public void Linear_and_matmul_under_autocast_are_the_bfloat16_op_on_cast_operands()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(8);
        var (x, w, b) = (randn([4, 10], generator: g), randn([3, 10], generator: g), randn([3], generator: g));
        var (m1, m2) = (randn([2, 4, 10], generator: g), randn([2, 10, 5], generator: g));
        Tensor linear, product;
        using (Ops.Autocast(ScalarType.BFloat16))
        {
            linear = Ops.Linear(x, w, b);
            product = Ops.MatMul(m1, m2);
        }
        Assert.True(Same(linear, F.linear(x.to(bfloat16), w.to(bfloat16), b.to(bfloat16)).to(float32)));
        Assert.True(Same(product, torch.matmul(m1.to(bfloat16), m2.to(bfloat16)).to(float32)));
    }

    [Fact]
    public void Outside_a_scope_ops_are_bit_identical_to_the_plain_float32_calls()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var (x, w, b) = (randn([2, 8, 6, 6], generator: g), randn([2, 8, 3, 3], generator: g), randn([2], generator: g));
        var (v, lw) = (randn([4, 10], generator: g), randn([3, 10], generator: g));
        var (m1, m2) = (randn([4, 10], generator: g), randn([10, 5], generator: g));
        var convBefore = Ops.Conv2d(x, w, b, padding: 1);
        using (Ops.Autocast(ScalarType.BFloat16)) Ops.Conv2d(x, w, b, padding: 1);

        Assert.True(Same(Ops.Conv2d(x, w, b, padding: 1), convBefore));
        Assert.True(Same(Ops.Linear(v, lw, null), F.linear(v, lw, null)));
        Assert.True(Same(Ops.MatMul(m1, m2), torch.matmul(m1, m2)));
        Assert.Null(AutocastScope.Current);
    }

    [Fact]
    public void Float64_operands_are_left_alone_under_autocast()
    {
        using var scope = NewDisposeScope();
        var (a, b) = (randn([3, 4], dtype: float64), randn([4, 2], dtype: float64));
        using (Ops.Autocast(ScalarType.BFloat16))
            Assert.True(Same(Ops.MatMul(a, b), torch.matmul(a, b)));
    }

    [Fact]
    public void Counted_cost_and_op_names_do_not_depend_on_precision()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 16, 5, 4);
        var weight = randn(2, 16, 3, 3);
        var bias = randn(2);
        IReadOnlyList<CountedOp> Count(bool autocast)
        {
            using var counter = FlopCounter.Start();
            using (autocast ? Ops.Autocast(ScalarType.BFloat16) : null)
            {
                var y = Ops.Conv2d(x, weight, bias, padding: 1);
                Ops.MatMul(Ops.Reshape(y, 2, 2, 20), Ops.Reshape(y, 2, 20, 2));
            }
            Assert.Empty(counter.Uncounted); // the casts happen inside the ops, so they are covered
            return counter.Ops.ToList();
        }
        var exact = Count(autocast: false);
        var mixed = Count(autocast: true);
        Assert.Equal(exact.Select(o => (o.Op, o.Macs)), mixed.Select(o => (o.Op, o.Macs)));
    }

    [Fact]
    public void Scopes_nest_restore_and_belong_to_their_thread()
    {
        Assert.Null(AutocastScope.Current);
        using (Ops.Autocast(ScalarType.BFloat16))
        {
            Assert.Equal(ScalarType.BFloat16, AutocastScope.Current);
            using (Ops.Autocast(ScalarType.Float16)) Assert.Equal(ScalarType.Float16, AutocastScope.Current);
            Assert.Equal(ScalarType.BFloat16, AutocastScope.Current);

            ScalarType? seenElsewhere = ScalarType.Float64;
            var other = new Thread(() => seenElsewhere = AutocastScope.Current);
            other.Start();
            other.Join();
            Assert.Null(seenElsewhere);
        }
        Assert.Null(AutocastScope.Current);
        Assert.Throws<ArgumentException>(() => Ops.Autocast(ScalarType.Float32));
        Assert.Null(AutocastScope.Current);
    }
}
