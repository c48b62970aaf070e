using TorchSharp;

namespace SegAlign.Nn;

/// <summary>
/// Scalars that outlive the native calls they are passed to.
///
/// TorchSharp hands a <see cref="Scalar"/>'s raw handle to libtorch and keeps no reference to the Scalar during the
/// call, and a Scalar frees its native value in its finalizer. A temporary Scalar — an implicit conversion such as
/// <c>t.mul(0.5)</c>, or TorchSharp's own <c>add(t)</c> → <c>add(t, 1)</c> — can therefore be finalised by a GC on
/// another thread while libtorch still reads it, which crashes a long run at random ("Expected false to be true …
/// toFloat", seen here after minutes of training while the batch thread allocated). So the library never lets a
/// temporary Scalar reach native code: constants come from here, per-call values are created with <c>using</c>
/// (which keeps them reachable until after the call) via <see cref="Of(double)"/>.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar OneFloat = 1.0.ToScalar();

    /// <summary>A Scalar the caller owns; write <c>using var s = Scalars.Of(x);</c> so it lives through the call.</summary>
    public static Scalar Of(double value) => value.ToScalar();

    public static Scalar Of(long value) => value.ToScalar();
}
