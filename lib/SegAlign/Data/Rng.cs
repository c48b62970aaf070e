namespace SegAlign.Data;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast generator whose sequence is fixed by this
/// code alone (System.Random's algorithm is not a documented contract), so a scene or an
/// augmentation is a pure function of its seed on every .NET version.
/// </summary>
public sealed class Rng
{
    ulong s0, s1, s2, s3;

    public Rng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>A generator for item <paramref name="index"/> of stream <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static Rng For(ulong seed, ulong stream, ulong index) => new(Mix(Mix(Mix(0x5EA1_16A1UL) ^ seed) ^ stream) ^ index);

    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Stable 64-bit hash of a string (FNV-1a then mixed), for naming streams.</summary>
    public static ulong Hash(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
        return Mix(h);
    }

    static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x - 0x9E3779B97F4A7C15UL);
    }

    public ulong NextULong() => Step(ref s0, ref s1, ref s2, ref s3);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static ulong Step(ref ulong a, ref ulong b, ref ulong c, ref ulong d)
    {
        ulong result = ulong.RotateLeft(b * 5, 7) * 9;
        ulong t = b << 17;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
        d = ulong.RotateLeft(d, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => ToUnit(NextULong());

    static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// The next <paramref name="values"/>.Length draws of <see cref="NextDouble"/>, in order — the same numbers as that
    /// many calls, with the state held in locals for the loop (scene backgrounds draw one per pixel and channel).
    /// </summary>
    public void FillDoubles(Span<double> values)
    {
        ulong a = s0, b = s1, c = s2, d = s3;
        for (int i = 0; i < values.Length; i++) values[i] = ToUnit(Step(ref a, ref b, ref c, ref d));
        s0 = a; s1 = b; s2 = c; s3 = d;
    }

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => n <= 0 ? throw new ArgumentOutOfRangeException(nameof(n)) : (int)((NextULong() >> 33) * (ulong)n >> 31);

    /// <summary>Uniform integer in [low, high] inclusive.</summary>
    public int Between(int low, int high) => low + Next(high - low + 1);

    public bool Chance(double p) => NextDouble() < p;
}
