using System.Globalization;
using SkiaSharp;

namespace SegAlign.Visualisation;

/// <summary>
/// What every raster figure draws with: SkiaSharp 2.88.9 and DejaVu Sans embedded in the assembly.
/// <para>
/// Why this library, measured on 2026-12-02 (issue 14). TorchSharp 0.107 depends on SkiaSharp (≥ 2.88.6), so SkiaSharp
/// is in SegAlign's dependency graph whatever we choose; 2.88.9 keeps the version TorchSharp was built against. The
/// stock kernel (Microsoft.dotnet-interactive 1.0.712001, run through environment/jupyter-run) ships no SkiaSharp of its
/// own: after #r SegAlign.dll it loaded SkiaSharp 2.88.0.0 with native 88.1 and drew DejaVu text (254 dark pixels, the
/// glyphs checked by eye); the test process does the same (FigureTests.Text_is_drawn_with_the_embedded_font). A
/// notebook that then adds #r "nuget: SkiaSharp, 3.119.4" ends up with SkiaSharp 2.88.0.0 and 3.119.0.0 loaded side by
/// side (measured), whose SKBitmap types do not mix — the clash is only avoided by one SkiaSharp line, and 2.88 is the
/// one TorchSharp brings. ScottPlot 5.1.59 needs SkiaSharp ≥ 3.119.0 (its nuspec, restored here), so it would force that second line. The native library
/// is SkiaSharp.NativeAssets.Linux.NoDependencies (no fontconfig) and the fonts are embedded, so a fresh Debian with
/// only the .NET SDK draws the same pixels; <see cref="SkiaNative"/> lets a kernel find the native library.
/// </para>
/// </summary>
public static class Canvas
{
    static readonly Lazy<SKTypeface> regular = new(() => Load("DejaVuSans.ttf"));
    static readonly Lazy<SKTypeface> bold = new(() => Load("DejaVuSans-Bold.ttf"));

    /// <summary>Text sizes in pixels, chosen to read at 100 % zoom.</summary>
    public const float TitleSize = 17, LabelSize = 13, TickSize = 11;

    public static SKTypeface Sans => regular.Value;
    public static SKTypeface SansBold => bold.Value;

    static SKTypeface Load(string file)
    {
        using var stream = typeof(Canvas).Assembly.GetManifestResourceStream("SegAlign.Fonts." + file)
            ?? throw new InvalidOperationException($"the font {file} is not embedded in SegAlign.dll; rebuild lib/SegAlign");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"SkiaSharp could not read the embedded font {file}");
    }

    public static SKColor Sk(this Colour colour, byte alpha = 255) => new(colour.R, colour.G, colour.B, alpha);

    public static SKPaint Fill(Colour colour, byte alpha = 255) => new() { Color = colour.Sk(alpha), IsAntialias = true, Style = SKPaintStyle.Fill };

    public static SKPaint Stroke(Colour colour, float width, byte alpha = 255) =>
        new() { Color = colour.Sk(alpha), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = width, StrokeCap = SKStrokeCap.Round };

    public static SKPaint Text(float size, Colour colour, bool heavy = false) =>
        new() { Typeface = heavy ? SansBold : Sans, TextSize = size, Color = colour.Sk(), IsAntialias = true, SubpixelText = true };

    public static float Width(string text, float size, bool heavy = false)
    {
        using var paint = Text(size, Colour.Ink, heavy);
        return paint.MeasureText(text);
    }

    /// <summary>One line of text; (x, y) is the left (or centre / right, by <paramref name="align"/>) end of its top edge.</summary>
    public static void Write(this SKCanvas canvas, string text, float x, float y, float size, Colour colour,
        SKTextAlign align = SKTextAlign.Left, bool heavy = false)
    {
        using var paint = Text(size, colour, heavy);
        paint.TextAlign = align;
        canvas.DrawText(text, x, y - paint.FontMetrics.Ascent, paint);
    }

    /// <summary>Height of one line of text of <paramref name="size"/>, with its leading.</summary>
    public static float LineHeight(float size) => MathF.Ceiling(size * 1.3f);

    /// <summary>Splits <paramref name="text"/> into lines no wider than <paramref name="width"/> pixels, breaking at spaces
    /// (a single word wider than that stays whole). Explicit newlines are kept.</summary>
    public static List<string> Wrap(string text, float width, float size, bool heavy = false)
    {
        var lines = new List<string>();
        if (string.IsNullOrEmpty(text)) return lines;
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length == 0 || Width(candidate, size, heavy) <= width) { line = candidate; continue; }
                lines.Add(line);
                line = word;
            }
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>A bitmap of interleaved RGB bytes (row-major).</summary>
    public static SKBitmap FromRgb(byte[] rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"expected {width * height * 3} bytes for {width}×{height} RGB, got {rgb.Length}", nameof(rgb));
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            pixels[4 * p] = rgb[3 * p]; pixels[4 * p + 1] = rgb[3 * p + 1]; pixels[4 * p + 2] = rgb[3 * p + 2]; pixels[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    /// <summary>A bitmap whose pixel (x, y) is <paramref name="colour"/>(x, y).</summary>
    public static SKBitmap Paint(int width, int height, Func<int, int, Colour> colour)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = colour(x, y);
                int i = (y * width + x) * 3;
                rgb[i] = c.R; rgb[i + 1] = c.G; rgb[i + 2] = c.B;
            }
        return FromRgb(rgb, width, height);
    }

    /// <summary>The colour of pixel (x, y) of <paramref name="bitmap"/>.</summary>
    public static Colour At(this SKBitmap bitmap, int x, int y)
    {
        var c = bitmap.GetPixel(x, y);
        return new Colour(c.Red, c.Green, c.Blue);
    }

    /// <summary>Draws <paramref name="image"/> stretched over <paramref name="target"/>, pixels as sharp blocks (no smoothing).</summary>
    public static void DrawBlocks(this SKCanvas canvas, SKBitmap image, SKRect target, byte alpha = 255)
    {
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.None, IsAntialias = false, Color = SKColors.White.WithAlpha(alpha) };
        canvas.DrawBitmap(image, target, paint);
    }

    /// <summary>Renders a <paramref name="width"/>×<paramref name="height"/> white picture drawn by <paramref name="draw"/> as a PNG.</summary>
    public static PngImage Render(int width, int height, Action<SKCanvas> draw, string? caption = null)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface");
        surface.Canvas.Clear(SKColors.White);
        draw(surface.Canvas);
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return new PngImage(png.ToArray(), width, height, caption);
    }

    /// <summary>About three significant digits: 0.0123, 1.23, 12.3, 123.</summary>
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.0" : Math.Abs(value) >= 1 ? "0.00" : value == 0 ? "0" : "G3", CultureInfo.InvariantCulture);

    /// <summary>Round tick values (1, 2 or 5 × 10ⁿ apart) covering [<paramref name="min"/>, <paramref name="max"/>], about <paramref name="count"/> of them.</summary>
    public static IReadOnlyList<double> Ticks(double min, double max, int count = 5)
    {
        if (!(max > min)) return [min];
        double raw = (max - min) / Math.Max(1, count), power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw * 0.999);
        var ticks = new List<double>();
        int digits = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15);
        for (long k = (long)Math.Ceiling(min / step - 1e-9); k * step <= max + step * 1e-9; k++)
            ticks.Add(Math.Round(k * step, digits) is var tick && tick == 0 ? 0 : tick);   // 0.3, not 0.30000000000000004; never "-0"
        return ticks;
    }

    /// <summary>A tick value as short as it reads: 0, 5, 0.1, 2.5.</summary>
    public static string Tick(double value) => (value == 0 ? 0 : value).ToString("0.###", CultureInfo.InvariantCulture);
}
