using StbImageSharp;

namespace SegAlign.Data;

/// <summary>
/// Pure-managed decoding of dataset files. Photographs (JPEG, PNG, …) go through StbImageSharp; label
/// maps go through <see cref="PngLabelReader"/>, because stb_image expands palette PNGs to colours and
/// the class of a palette annotation is its index. Every failure is an <see cref="InputException"/> naming the file.
/// </summary>
public static class ImageFile
{
    /// <summary>An RGB image as channel-major floats in [0, 1] (greyscale images are replicated to three channels).</summary>
    public static (float[] Image, int Height, int Width) ReadRgb(string path)
    {
        var bytes = ReadBytes(path);
        CheckComplete(bytes, path);
        ImageResult decoded;
        try
        {
            decoded = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InputException(path, $"cannot be decoded as an image ({e.Message})", "the file is corrupt or not an image; re-extract or re-download the dataset");
        }
        int height = decoded.Height, width = decoded.Width, plane = height * width;
        var image = new float[3 * plane];
        var data = decoded.Data;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                image[c * plane + p] = data[p * 3 + c] / 255f;
        return (image, height, width);
    }

    /// <summary>A label map from a single-channel PNG: 8-bit (or lower) greyscale values, or palette indices.</summary>
    public static (byte[] Label, int Height, int Width) ReadLabel(string path)
    {
        var bytes = ReadBytes(path);
        if (!PngLabelReader.HasSignature(bytes))
            throw new InputException(path, "is not a PNG file (label maps are read from single-channel PNGs)",
                "point the dataset root at the published annotations, which are PNG files");
        return PngLabelReader.DecodeSingleChannel(bytes, path);
    }

    static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, $"cannot be read ({e.Message})", "check that the file exists and is readable");
        }
    }

    // stb_image decodes a truncated JPEG without complaint (missing data reads as zeros), and PNG
    // integrity is only partly checked, so both are checked for completeness before decoding.
    static void CheckComplete(byte[] bytes, string path)
    {
        if (PngLabelReader.HasSignature(bytes))
        {
            PngLabelReader.ReadChunks(bytes, path);
            return;
        }
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8 && !EndsWithJpegEoi(bytes))
            throw new InputException(path, "is a truncated JPEG: its end-of-image marker is missing",
                "the file is corrupt or was cut off; re-extract or re-download the dataset");
    }

    // Some encoders pad after the end-of-image marker, so it is looked for near the end, not exactly at it.
    static bool EndsWithJpegEoi(byte[] bytes)
    {
        const int tail = 4096;
        for (int i = bytes.Length - 2; i >= Math.Max(2, bytes.Length - tail); i--)
            if (bytes[i] == 0xFF && bytes[i + 1] == 0xD9) return true;
        return false;
    }
}
