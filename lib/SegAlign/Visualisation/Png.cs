using StbImageWriteSharp;

namespace SegAlign.Visualisation;

/// <summary>PNG encoding of RGB pixel buffers (pure managed).</summary>
public static class Png
{
    /// <summary>Encodes interleaved RGB bytes (H×W×3) as PNG.</summary>
    public static byte[] Encode(byte[] rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"expected {width * height * 3} bytes for {width}×{height} RGB, got {rgb.Length}");
        using var stream = new MemoryStream();
        new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }

    /// <summary>Channel-major float RGB in [0, 1] → interleaved bytes.</summary>
    public static byte[] FromPlanar(float[] chw, int width, int height)
    {
        int plane = width * height;
        var rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                rgb[p * 3 + c] = (byte)Math.Clamp(Math.Round(chw[c * plane + p] * 255), 0, 255);
        return rgb;
    }

    /// <summary>Label map → colours (255 = white).</summary>
    public static byte[] Colourise(byte[] label, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        var rgb = new byte[label.Length * 3];
        for (int p = 0; p < label.Length; p++)
        {
            var (r, g, b) = label[p] < palette.Count ? palette[label[p]] : ((byte)255, (byte)255, (byte)255);
            rgb[p * 3] = r; rgb[p * 3 + 1] = g; rgb[p * 3 + 2] = b;
        }
        return rgb;
    }
}
