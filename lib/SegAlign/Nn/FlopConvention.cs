namespace SegAlign.Nn;

/// <summary>
/// How <see cref="FlopCounter"/> counts multiply-accumulates (MACs). The one statement of the convention:
/// the counter's documentation points here and reports print <see cref="Rules"/> verbatim, so the two cannot drift.
/// </summary>
public static class FlopConvention
{
    public const string Unit = "GMACs";

    /// <summary>One line per kind of operation.</summary>
    public static readonly IReadOnlyList<string> Rules =
    [
        "convolution / linear / matmul: one MAC per multiply-add; bias adds one per output element;",
        "batch norm: one per element (an affine scale-and-shift, as folded at inference);",
        "elementwise arithmetic and activations (add, mul, relu, sigmoid, exp, sin, cos): one per output element;",
        "softmax: three per element (exp, sum, divide); reductions (sum, mean): one per input element;",
        "bilinear sampling (interpolate, grid_sample): four per output element (one per corner weight, as fvcore); nearest sampling: zero (a gather);",
        "average pooling: one per element of each pooling window; max pooling: one comparison per window element;",
        "layout ops (view, permute, cat, slice, zero padding, detach, constants): zero, but still recorded.",
    ];

    public const string Summary =
        "Multiply-accumulates of one forward pass at the evaluation resolution, counted per operation as executed. " +
        "Papers print multiply-adds as \"FLOPs\"; we report GMACs and say so.";

    /// <summary>The whole convention as plain text (summary, then one rule per line).</summary>
    public static string Text => Summary + "\n" + string.Join("\n", Rules.Select(rule => "- " + rule));
}
