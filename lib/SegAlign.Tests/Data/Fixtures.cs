using System.Buffers.Binary;
using System.IO.Compression;
using SegAlign.Data;
using StbImageWriteSharp;

namespace SegAlign.Tests.Data;

/// <summary>A temporary folder for dataset fixtures, deleted after the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("segalign-data-").FullName;

    /// <summary>The full path of a file below this folder, creating its parent folders.</summary>
    public string File(params string[] parts)
    {
        var path = System.IO.Path.Combine([Path, .. parts]);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a leftover temp folder must not fail a test
    }
}

/// <summary>Writes tiny image and label files the way the published datasets store them.</summary>
public static class Fixtures
{
    /// <summary>Interleaved RGB bytes with a distinct, smooth pattern per position (JPEG-friendly).</summary>
    public static byte[] Gradient(int height, int width)
    {
        var rgb = new byte[height * width * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = (y * width + x) * 3;
                rgb[p] = (byte)(x * 255 / Math.Max(1, width - 1));
                rgb[p + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                rgb[p + 2] = 128;
            }
        return rgb;
    }

    public static void WriteRgbPng(string path, byte[] rgb, int height, int width)
    {
        using var file = System.IO.File.Create(path);
        new ImageWriter().WritePng(rgb, width, height, ColorComponents.RedGreenBlue, file);
    }

    public static void WriteJpg(string path, byte[] rgb, int height, int width, int components = 3)
    {
        using var file = System.IO.File.Create(path);
        new ImageWriter().WriteJpg(rgb, width, height, components == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue, file, 95);
    }

    /// <summary>An 8-bit greyscale PNG, written by stb (an encoder independent of the reader under test).</summary>
    public static void WriteGreyPng(string path, byte[] values, int height, int width)
    {
        using var file = System.IO.File.Create(path);
        new ImageWriter().WritePng(values, width, height, ColorComponents.Grey, file);
    }

    /// <summary>An RGB image next to a label map: the image PNG or JPG, the label an 8-bit greyscale PNG.</summary>
    public static void WritePair(string imagePath, string labelPath, byte[] label, int height, int width, int? imageHeight = null)
    {
        int h = imageHeight ?? height;
        if (imagePath.EndsWith(".jpg", StringComparison.Ordinal)) WriteJpg(imagePath, Gradient(h, width), h, width);
        else WriteRgbPng(imagePath, Gradient(h, width), h, width);
        WriteGreyPng(labelPath, label, height, width);
    }

    /// <summary>A label map filled with one value, with a few other values placed at given pixels.</summary>
    public static byte[] Label(int height, int width, byte fill, params (int Pixel, byte Value)[] marks)
    {
        var label = new byte[height * width];
        Array.Fill(label, fill);
        foreach (var (pixel, value) in marks) label[pixel] = value;
        return label;
    }

    /// <summary>
    /// A single-channel PNG (palette when <paramref name="palette"/> is given, else greyscale) at 1, 2, 4 or 8 bits,
    /// with every row using a different filter type, so the reader's unfiltering is exercised.
    /// </summary>
    public static byte[] EncodeSingleChannelPng(byte[] values, int height, int width, int depth, (byte R, byte G, byte B)[]? palette, bool interlaced = false)
    {
        int stride = (width * depth + 7) / 8;
        var raw = new byte[height * (stride + 1)];
        var packed = new byte[stride];
        var previous = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            Array.Clear(packed);
            for (int x = 0; x < width; x++)
                packed[x * depth / 8] |= (byte)(values[y * width + x] << (8 - depth - x * depth % 8));
            int filter = y % 5, row = y * (stride + 1);
            raw[row] = (byte)filter;
            for (int i = 0; i < stride; i++)
            {
                int left = i > 0 ? packed[i - 1] : 0, up = previous[i], upLeft = i > 0 ? previous[i - 1] : 0;
                int predictor = filter switch { 0 => 0, 1 => left, 2 => up, 3 => (left + up) / 2, _ => Paeth(left, up, upLeft) };
                raw[row + 1 + i] = (byte)(packed[i] - predictor);
            }
            (previous, packed) = (packed, previous);
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)depth; header[9] = (byte)(palette is null ? 0 : 3); header[12] = (byte)(interlaced ? 1 : 0);
        WriteChunk(png, "IHDR", header);
        if (palette is not null) WriteChunk(png, "PLTE", palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray());
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
            WriteChunk(png, "IDAT", compressed.ToArray());
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngLabelReader.Crc32(typed));
        png.Write(word);
    }

    /// <summary>A palette of distinct colours for <paramref name="count"/> indices.</summary>
    public static (byte R, byte G, byte B)[] DistinctPalette(int count) =>
        Enumerable.Range(0, count).Select(i => ((byte)(i * 37 % 256), (byte)(255 - i), (byte)(i * 91 % 256))).ToArray();

    /// <summary>The file cut to a fraction of its length, as an interrupted download leaves it.</summary>
    public static void Truncate(string path, double keep = 0.6)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        System.IO.File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
    }
}
