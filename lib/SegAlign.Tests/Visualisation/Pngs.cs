using SegAlign.Visualisation;
using Stb = StbImageSharp;

namespace SegAlign.Tests.Visualisation;

/// <summary>Decodes rendered PNGs back into pixels, so tests check what a viewer would show.</summary>
public static class Pngs
{
    /// <summary>The image's pixels; fails unless it is a valid PNG of the size it claims.</summary>
    public static Raster Decode(PngImage image)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], image.Png[..8]);
        var decoded = Stb.ImageResult.FromMemory(image.Png, Stb.ColorComponents.RedGreenBlue);
        Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
        return Raster.FromRgb(decoded.Data, decoded.Width, decoded.Height);
    }
}
