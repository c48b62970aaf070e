using System.Buffers.Binary;
using SegAlign.Data.Real;
using SegAlign.Config;
using StbImageSharp;

namespace SegAlign.Data;

/// <summary>
/// Checks a run's data before any training, so a bad file surfaces in seconds, not after the whole schedule:
/// for a published dataset every image/label pair of both splits is opened (layout and pairing) and its headers read
/// (both decodable, label a single-channel PNG, same size); for FashionScenes the Fashion-MNIST files are located and read.
/// Pixel values are checked when a sample is read (they need the whole file).
/// </summary>
public static class DatasetPreflight
{
    public static void Check(DataConfig data)
    {
        var entry = DatasetRegistry.Get(data.Dataset);
        if (!entry.IsReal)
        {
            FashionMnist.Load(data.Root);
            return;
        }
        foreach (var split in new[] { DatasetRegistry.CreateEvaluation(data), DatasetRegistry.CreateTrain(data, 0) })
            if (Unwrap(split) is LabelledImageDataset files)
                foreach (var pair in files.Files) CheckPair(pair);
    }

    static ISegmentationDataset Unwrap(ISegmentationDataset dataset) => dataset is AugmentedDataset augmented ? augmented.Source : dataset;

    static void CheckPair(ImageLabelPair pair)
    {
        var (imageWidth, imageHeight) = ImageSize(pair.ImagePath);
        var (labelWidth, labelHeight) = LabelSize(pair.LabelPath);
        if (labelWidth != imageWidth || labelHeight != imageHeight)
            throw new InputException(pair.LabelPath, $"is {labelWidth}×{labelHeight} (W×H) but its image {pair.ImagePath} is {imageWidth}×{imageHeight}",
                "pair each image with its own annotation (re-extract the dataset if the files are mixed up)");
    }

    static (int Width, int Height) ImageSize(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var info = ImageInfo.FromStream(stream);
            if (info is { Width: > 0, Height: > 0 } i) return (i.Width, i.Height);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, $"cannot be read ({e.Message})", "check that the file exists and is readable");
        }
        catch (Exception e) when (e is not OutOfMemoryException and not InputException)
        {
            // StbImageSharp throws its own exception types on malformed headers.
        }
        throw new InputException(path, "has no readable image header (not a JPEG/PNG, or corrupt)", "re-extract or re-download the dataset");
    }

    /// <summary>Width and height from a PNG's IHDR (the first chunk), checking it is a single-channel label map.</summary>
    static (int Width, int Height) LabelSize(string path)
    {
        var header = new byte[33];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, $"cannot be read ({e.Message})", "check that the file exists and is readable");
        }
        if (read < header.Length || !PngLabelReader.HasSignature(header) || header.AsSpan(12, 4).SequenceCompareTo("IHDR"u8) != 0)
            throw new InputException(path, "is not a PNG file with a valid header (label maps are read from single-channel PNGs)",
                "point the dataset root at the published annotations, which are PNG files");
        int width = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20));
        int colourType = header[25];
        if (width <= 0 || height <= 0)
            throw new InputException(path, $"declares a {width}×{height} image", "the file is corrupt; re-extract or re-download the dataset");
        if (colourType is not (0 or 3))
            throw new InputException(path, "is a colour PNG, but label maps must be single-channel (greyscale or palette indices)",
                "convert colour-coded annotations to class-index PNGs first (the dataset's own conversion script does this)");
        return (width, height);
    }
}
