namespace SegAlign.Visualisation;

/// <summary>An sRGB colour.</summary>
public readonly record struct Colour(byte R, byte G, byte B)
{
    public static readonly Colour Black = new(0, 0, 0);
    public static readonly Colour White = new(255, 255, 255);
    public static readonly Colour Ink = new(30, 30, 30);
    public static readonly Colour Grey = new(150, 150, 150);
    public static readonly Colour LightGrey = new(225, 225, 225);
    public static readonly Colour Marker = new(255, 40, 200);

    public static implicit operator Colour((byte R, byte G, byte B) rgb) => new(rgb.R, rgb.G, rgb.B);

    /// <summary>This colour times <paramref name="factor"/> (0 = black, 1 = unchanged).</summary>
    public Colour Scale(double factor) => new(Channel(R * factor), Channel(G * factor), Channel(B * factor));

    /// <summary>(1 − t)·this + t·<paramref name="other"/>.</summary>
    public Colour Mix(Colour other, double t) =>
        new(Channel(R + (other.R - R) * t), Channel(G + (other.G - G) * t), Channel(B + (other.B - B) * t));

    /// <summary>Black or white, whichever reads better on this colour.</summary>
    public Colour Contrasting => 0.299 * R + 0.587 * G + 0.114 * B > 140 ? Black : White;

    public string ToHex() => $"#{R:x2}{G:x2}{B:x2}";

    // The generated record ToString would print Contrasting, whose Contrasting … recurses without end.
    public override string ToString() => $"({R}, {G}, {B})";

    static byte Channel(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}

