using SegAlign.Visualisation;
using SkiaSharp;

namespace SegAlign.Tests.Visualisation;

/// <summary>Decodes rendered PNGs back into pixels, so tests check what a viewer would show.</summary>
public static class Pngs
{
    /// <summary>The image's pixels; fails unless it is a valid PNG of the size it claims.</summary>
    public static SKBitmap Decode(PngImage image)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], image.Png[..8]);
        var decoded = SKBitmap.Decode(image.Png);
        Assert.NotNull(decoded);
        Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
        return decoded;
    }

    /// <summary>How many pixels are not (nearly) white: a figure that drew nothing has none.</summary>
    public static int Inked(SKBitmap pixels)
    {
        int inked = 0;
        for (int y = 0; y < pixels.Height; y++)
            for (int x = 0; x < pixels.Width; x++)
            {
                var c = pixels.At(x, y);
                if (c.R + c.G + c.B < 3 * 235) inked++;
            }
        return inked;
    }

    /// <summary>Writes the figure where a person can look at it when SEGALIGN_FIGURES names a folder (no-op otherwise).</summary>
    public static void Keep(PngImage image, string name)
    {
        if (Environment.GetEnvironmentVariable("SEGALIGN_FIGURES") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name + ".png"), image.Png);
        }
    }
}
