using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Data.Real;
using SegAlign.Training;

namespace SegAlign.Tests.Data;

/// <summary>Writes tiny fixtures of each real dataset in its published layout, and opens them.</summary>
public static class DatasetLayouts
{
    public const int H = 8, W = 16;

    public static readonly TheoryData<string> Names = new("cityscapes", "ade20k", "camvid", "pascal-context");

    public static (string Train, string Validation) Splits(string dataset) =>
        dataset == "ade20k" ? ("training", "validation") : ("train", "val");

    /// <summary>Writes one image and its label (stored values, before any mapping); the image may be given another height.</summary>
    public static (string Image, string Label) Write(string dataset, string root, string split, string name, byte[] label, int imageHeight = H)
    {
        var (image, labelPath) = Paths(dataset, root, split, name);
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        Directory.CreateDirectory(Path.GetDirectoryName(labelPath)!);
        Fixtures.WritePair(image, labelPath, label, H, W, imageHeight);
        if (dataset == "pascal-context")
        {
            var list = Path.Combine(root, "ImageSets", "SegmentationContext", split + ".txt");
            Directory.CreateDirectory(Path.GetDirectoryName(list)!);
            File.AppendAllText(list, name + "\n");
        }
        return (image, labelPath);
    }

    public static (string Image, string Label) Paths(string dataset, string root, string split, string name) => dataset switch
    {
        "cityscapes" => (Path.Combine(root, "leftImg8bit", split, "aachen", name + "_leftImg8bit.png"),
                         Path.Combine(root, "gtFine", split, "aachen", name + "_gtFine_labelIds.png")),
        "ade20k" => (Path.Combine(root, "images", split, name + ".jpg"), Path.Combine(root, "annotations", split, name + ".png")),
        "camvid" => (Path.Combine(root, split, name + ".png"), Path.Combine(root, split + "annot", name + ".png")),
        "pascal-context" => (Path.Combine(root, "JPEGImages", name + ".jpg"), Path.Combine(root, "SegmentationClassContext", name + ".png")),
        _ => throw new ArgumentException(dataset),
    };

    public static LabelledImageDataset Open(string dataset, string root, string split) => dataset switch
    {
        "cityscapes" => Cityscapes.Open(root, split),
        "ade20k" => Ade20k.Open(root, split),
        "camvid" => CamVid.Open(root, split),
        "pascal-context" => PascalContext.Open(root, split),
        _ => throw new ArgumentException(dataset),
    };

    /// <summary>A stored label value that the dataset never uses (and is not 255).</summary>
    public static byte OutOfRange(string dataset) => dataset switch
    {
        "cityscapes" => 40, "ade20k" => 151, "camvid" => 12, "pascal-context" => 60, _ => throw new ArgumentException(dataset),
    };

    /// <summary>A stored value that maps to class 0 of the dataset.</summary>
    public static byte FirstClass(string dataset) => dataset switch
    {
        "cityscapes" => 7, "ade20k" => 1, _ => 0,
    };

    /// <summary>Both splits with two samples each, labels filled with the first class.</summary>
    public static void WriteBothSplits(string dataset, string root)
    {
        var (train, validation) = Splits(dataset);
        foreach (var split in new[] { train, validation })
            foreach (var name in new[] { "b_0002", "a_0001" })
                Write(dataset, root, split, name, Fixtures.Label(H, W, FirstClass(dataset)));
    }

    public static DataConfig DataConfigFor(string dataset, string root, int cropSize, AugmentOptions? augment = null) =>
        new() { Dataset = dataset, Root = root, CropSize = cropSize, Augment = augment ?? new AugmentOptions() };
}
