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

/// <summary>
/// An RGB image in memory with the few drawing operations figures need: filled and outlined rectangles,
/// lines and arrows, nearest-neighbour pasting (pixels stay visible as blocks) and <see cref="PixelFont"/> text.
/// Everything outside the raster is clipped.
/// </summary>
public sealed class Raster
{
    public Raster(int width, int height, Colour? background = null)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"a raster needs a positive size, got {width}×{height}");
        Width = width;
        Height = height;
        Rgb = new byte[width * height * 3];
        if (background is { } fill) Fill(0, 0, width, height, fill);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, row-major.</summary>
    public byte[] Rgb { get; }

    /// <summary>A raster holding a copy of interleaved RGB bytes.</summary>
    public static Raster FromRgb(byte[] rgb, int width, int height)
    {
        var raster = new Raster(width, height);
        if (rgb.Length != raster.Rgb.Length) throw new ArgumentException($"expected {raster.Rgb.Length} bytes for {width}×{height} RGB, got {rgb.Length}", nameof(rgb));
        rgb.CopyTo(raster.Rgb, 0);
        return raster;
    }

    public Colour this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new Colour(Rgb[i], Rgb[i + 1], Rgb[i + 2]);
        }
    }

    public void Set(int x, int y, Colour colour)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int i = (y * Width + x) * 3;
        Rgb[i] = colour.R; Rgb[i + 1] = colour.G; Rgb[i + 2] = colour.B;
    }

    /// <summary>Mixes <paramref name="colour"/> into pixel (x, y) with opacity <paramref name="alpha"/>.</summary>
    public void Blend(int x, int y, Colour colour, double alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        Set(x, y, this[x, y].Mix(colour, Math.Clamp(alpha, 0, 1)));
    }

    public void Fill(int x, int y, int width, int height, Colour colour)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(Height, y + height); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(Width, x + width); xx++)
                Set(xx, yy, colour);
    }

    public void BlendRectangle(int x, int y, int width, int height, Colour colour, double alpha)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(Height, y + height); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(Width, x + width); xx++)
                Blend(xx, yy, colour, alpha);
    }

    /// <summary>The outline of a rectangle, <paramref name="thickness"/> pixels wide, drawn inside it.</summary>
    public void Outline(int x, int y, int width, int height, Colour colour, int thickness = 1)
    {
        Fill(x, y, width, thickness, colour);
        Fill(x, y + height - thickness, width, thickness, colour);
        Fill(x, y, thickness, height, colour);
        Fill(x + width - thickness, y, thickness, height, colour);
    }

    /// <summary>A straight line between pixel centres, as a square brush of side <paramref name="thickness"/>.</summary>
    public void Line(double x0, double y0, double x1, double y1, Colour colour, int thickness = 1)
    {
        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
        int lo = -(thickness - 1) / 2, hi = thickness / 2;
        for (int s = 0; s <= steps; s++)
        {
            double t = steps == 0 ? 0 : (double)s / steps;
            int x = (int)Math.Round(x0 + (x1 - x0) * t), y = (int)Math.Round(y0 + (y1 - y0) * t);
            for (int dy = lo; dy <= hi; dy++)
                for (int dx = lo; dx <= hi; dx++)
                    Set(x + dx, y + dy, colour);
        }
    }

    /// <summary>An arrow from (x0, y0) to (x1, y1) with a two-stroke head; a dark halo keeps it visible on any image.</summary>
    public void Arrow(double x0, double y0, double x1, double y1, Colour colour, double headLength = 5, Colour? halo = null)
    {
        double length = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
        var strokes = new List<(double, double, double, double)> { (x0, y0, x1, y1) };
        if (length >= 1)
        {
            double head = Math.Min(headLength, length * 0.6), ux = (x1 - x0) / length, uy = (y1 - y0) / length;
            const double spread = 0.5; // radians either side of the shaft
            foreach (var side in new[] { -spread, spread })
            {
                double cos = Math.Cos(side), sin = Math.Sin(side);
                double hx = -(ux * cos - uy * sin), hy = -(ux * sin + uy * cos);
                strokes.Add((x1, y1, x1 + hx * head, y1 + hy * head));
            }
        }
        if (halo is { } outline)
            foreach (var (ax, ay, bx, by) in strokes) Line(ax, ay, bx, by, outline, 3);
        foreach (var (ax, ay, bx, by) in strokes) Line(ax, ay, bx, by, colour);
        if (length < 1) Set((int)Math.Round(x0), (int)Math.Round(y0), colour);
    }

    /// <summary>Pastes <paramref name="source"/> resized to <paramref name="width"/>×<paramref name="height"/> with
    /// nearest-neighbour sampling (each source pixel stays a visible block) at (x, y).</summary>
    public void Paste(Raster source, int x, int y, int width, int height)
    {
        for (int yy = 0; yy < height; yy++)
        {
            int sy = Math.Min(source.Height - 1, (int)((long)yy * source.Height / height));
            for (int xx = 0; xx < width; xx++)
            {
                int sx = Math.Min(source.Width - 1, (int)((long)xx * source.Width / width));
                Set(x + xx, y + yy, source[sx, sy]);
            }
        }
    }

    public void Paste(Raster source, int x, int y) => Paste(source, x, y, source.Width, source.Height);

    /// <summary>This raster scaled by an integer factor (nearest).</summary>
    public Raster Enlarge(int factor)
    {
        if (factor <= 1) return this;
        var large = new Raster(Width * factor, Height * factor);
        large.Paste(this, 0, 0, large.Width, large.Height);
        return large;
    }

    /// <summary>One line of text with its top-left corner at (x, y); returns the x after the last glyph.</summary>
    public int Text(string text, int x, int y, Colour colour, int scale = 1)
    {
        foreach (char character in text)
        {
            var glyph = PixelFont.Glyph(character);
            for (int gy = 0; gy < PixelFont.GlyphHeight; gy++)
                for (int gx = 0; gx < PixelFont.GlyphWidth; gx++)
                    if (glyph[gy * PixelFont.GlyphWidth + gx]) Fill(x + gx * scale, y + gy * scale, scale, scale, colour);
            x += PixelFont.Advance * scale;
        }
        return x;
    }

    public PngImage ToPng(string? caption = null) => PngImage.FromRgb(Rgb, Width, Height, caption);
}
