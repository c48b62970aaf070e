using System.Buffers.Binary;
using System.IO.Compression;

namespace SegAlign.Data;

/// <summary>
/// A small PNG reader for label maps. stb_image expands palette PNGs to RGB, but palette annotations
/// (VOC-style) store the class in the palette index, so labels are decoded here: greyscale or palette,
/// 1/2/4/8 bits, not interlaced. Every chunk CRC is checked and IEND is required, so truncated or
/// corrupted files fail loudly instead of yielding garbage labels.
/// </summary>
internal static class PngLabelReader
{
    static readonly byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    static readonly uint[] crcTable = MakeCrcTable();

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(signature);

    /// <summary>One chunk: its 4-letter type and where its data lies in the file.</summary>
    public readonly record struct Chunk(string Type, int Offset, int Length);

    /// <summary>Splits a PNG into chunks, checking the signature, each CRC, and that IEND ends the file.</summary>
    public static List<Chunk> ReadChunks(byte[] bytes, string path)
    {
        if (!HasSignature(bytes)) throw Corrupt(path, "does not start with the PNG signature");
        var chunks = new List<Chunk>();
        int at = signature.Length;
        while (true)
        {
            if (bytes.Length - at < 12) throw Corrupt(path, $"is truncated: chunk header at byte {at} runs past the end ({bytes.Length} bytes) before IEND");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (length > int.MaxValue || bytes.Length - at - 12 < length)
                throw Corrupt(path, $"is truncated: a {length}-byte chunk at byte {at} runs past the end ({bytes.Length} bytes)");
            // A corrupt type may hold any bytes (newlines too): printable ASCII only, so the error stays one line.
            string type = string.Concat(bytes.AsSpan(at + 4, 4).ToArray().Select(b => b is >= 0x21 and <= 0x7E ? ((char)b).ToString() : $"\\x{b:x2}"));
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length));
            if (Crc32(bytes.AsSpan(at + 4, 4 + (int)length)) != stored) throw Corrupt(path, $"chunk {type} at byte {at} fails its CRC check");
            if (!type.All(char.IsAsciiLetter)) throw Corrupt(path, $"chunk at byte {at} has the invalid type {type} (PNG chunk types are four letters)");
            chunks.Add(new Chunk(type, at + 8, (int)length));
            at += 12 + (int)length;
            if (type == "IEND") return chunks;
        }
    }

    /// <summary>Decodes a single-channel PNG: greyscale values or palette indices (never palette colours).</summary>
    public static (byte[] Values, int Height, int Width) DecodeSingleChannel(byte[] bytes, string path)
    {
        var chunks = ReadChunks(bytes, path);
        if (chunks[0].Type != "IHDR" || chunks[0].Length != 13) throw Corrupt(path, "does not begin with a valid IHDR chunk");
        var header = bytes.AsSpan(chunks[0].Offset, 13);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(header), height = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        int depth = header[8], colourType = header[9], interlace = header[12];
        if (width == 0 || height == 0 || (long)width * height > 1L << 28)
            throw Corrupt(path, $"has an implausible size {width}×{height}");
        if (colourType is not (0 or 3))
            throw new InputException(path, $"is a {ColourTypeName(colourType)} PNG, but label maps must be single-channel (greyscale or palette indices)",
                "convert colour-coded annotations to class-index PNGs first (the dataset's own conversion script does this)");
        if (depth is not (1 or 2 or 4 or 8))
            throw new InputException(path, $"has {depth}-bit samples; label maps must use at most 8 bits", "re-save the labels as 8-bit PNGs");
        if (interlace != 0)
            throw new InputException(path, "is interlaced (Adam7), which this label reader does not support", "re-save the label PNG without interlacing");
        foreach (var chunk in chunks)
            if (char.IsUpper(chunk.Type[0]) && chunk.Type is not ("IHDR" or "PLTE" or "IDAT" or "IEND"))
                throw Corrupt(path, $"has an unknown critical chunk {chunk.Type}");

        int w = (int)width, h = (int)height, stride = (w * depth + 7) / 8;
        var raw = Inflate(bytes, chunks, (long)h * (stride + 1), path);
        Unfilter(raw, h, stride, path);
        return (Unpack(raw, h, w, stride, depth), h, w);
    }

    static byte[] Inflate(byte[] bytes, List<Chunk> chunks, long expected, string path)
    {
        using var compressed = new MemoryStream();
        foreach (var chunk in chunks)
            if (chunk.Type == "IDAT") compressed.Write(bytes, chunk.Offset, chunk.Length);
        if (compressed.Length == 0) throw Corrupt(path, "has no image data (IDAT)");
        compressed.Position = 0;
        var raw = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int read = 0, n;
            while (read < raw.Length && (n = zlib.Read(raw, read, raw.Length - read)) > 0) read += n;
            if (read < raw.Length) throw Corrupt(path, $"image data decompresses to {read} bytes, {raw.Length} expected");
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, $"image data is not a valid zlib stream ({e.Message})");
        }
        return raw;
    }

    // Reverses the per-row PNG filters in place. Single-channel ≤ 8-bit images filter with a 1-byte pixel step.
    static void Unfilter(byte[] raw, int height, int stride, string path)
    {
        for (int y = 0; y < height; y++)
        {
            int row = y * (stride + 1) + 1, previous = row - stride - 1;
            byte filter = raw[row - 1];
            for (int i = 0; i < stride; i++)
            {
                int left = i > 0 ? raw[row + i - 1] : 0, up = y > 0 ? raw[previous + i] : 0, upLeft = y > 0 && i > 0 ? raw[previous + i - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw Corrupt(path, $"row {y} has unknown filter type {filter}"),
                };
                raw[row + i] = (byte)(raw[row + i] + predictor);
            }
        }
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    // Sub-byte samples are packed most significant bits first; indices and grey levels are kept as stored.
    static byte[] Unpack(byte[] raw, int height, int width, int stride, int depth)
    {
        var values = new byte[height * width];
        int mask = (1 << depth) - 1, perByte = 8 / depth;
        for (int y = 0; y < height; y++)
        {
            int row = y * (stride + 1) + 1;
            if (depth == 8) { Array.Copy(raw, row, values, y * width, width); continue; }
            for (int x = 0; x < width; x++)
            {
                int shift = 8 - depth * (x % perByte + 1);
                int v = (raw[row + x / perByte] >> shift) & mask;
                values[y * width + x] = (byte)v;
            }
        }
        return values;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFF;
    }

    static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    static string ColourTypeName(int colourType) => colourType switch
    {
        2 => "RGB", 4 => "greyscale+alpha", 6 => "RGBA", _ => $"colour-type-{colourType}",
    };

    static InputException Corrupt(string path, string problem) =>
        new(path, $"is not a readable PNG: {problem}", "the file is corrupt or truncated; re-extract or re-download the dataset");
}
