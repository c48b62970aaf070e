using System.Buffers.Binary;
using System.IO.Compression;

namespace SegAlign.Data;

/// <summary>Reader for the IDX format of (Fashion-)MNIST, plain or gzipped, with size checks that name the file.</summary>
public static class Idx
{
    /// <summary>Reads an unsigned-byte IDX file; returns its dimensions and data.</summary>
    public static (int[] Dims, byte[] Data) ReadBytes(string path, int expectedRank)
    {
        byte[] raw;
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            raw = memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, $"is not a valid gzip file ({e.Message})", "re-download the dataset (delete the file and run again)");
        }
        if (raw.Length < 4 + 4 * expectedRank)
            throw new InputException(path, $"is truncated: {raw.Length} bytes is shorter than an IDX header", "re-download the dataset (delete the file and run again)");
        if (raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08 || raw[3] != expectedRank)
            throw new InputException(path, $"has IDX magic {raw[0]:x2}{raw[1]:x2}{raw[2]:x2}{raw[3]:x2}, expected 000008{expectedRank:x2} (unsigned bytes, rank {expectedRank})",
                "point the dataset root at the original Fashion-MNIST IDX files");
        var dims = new int[expectedRank];
        long count = 1;
        for (int i = 0; i < expectedRank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * i));
            if (dims[i] <= 0) throw new InputException(path, $"dimension {i} is {dims[i]}", "re-download the dataset");
            count *= dims[i];
        }
        long header = 4 + 4 * expectedRank;
        if (raw.Length - header != count)
            throw new InputException(path, $"holds {raw.Length - header} data bytes but its header announces {count} ({string.Join("×", dims)})",
                "the file is truncated or corrupt; re-download the dataset");
        return (dims, raw.AsSpan((int)header).ToArray());
    }
}
