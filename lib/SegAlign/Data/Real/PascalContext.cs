namespace SegAlign.Data.Real;

/// <summary>
/// Pascal Context, 59 classes + background (60 labels, 0 = background, as mmseg's PascalContextDataset
/// with reduce_zero_label off), in the mmseg layout under VOC2010: <c>JPEGImages/&lt;id&gt;.jpg</c>,
/// <c>SegmentationClassContext/&lt;id&gt;.png</c> (class-index PNGs made by mmseg's pascal_context.py converter)
/// and the split lists <c>ImageSets/SegmentationContext/{train,val}.txt</c>.
/// </summary>
public static class PascalContext
{
    public const string Expected = "JPEGImages/, SegmentationClassContext/ and ImageSets/SegmentationContext/{train,val}.txt (VOC2010 after mmseg's Pascal Context conversion)";

    /// <summary>Background then the 59 classes, in mmseg's index order.</summary>
    public static readonly string[] Classes =
    [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "table", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor", "bag", "bed", "bench", "book",
        "building", "cabinet", "ceiling", "cloth", "computer", "cup", "door", "fence", "floor", "flower", "food", "grass",
        "ground", "keyboard", "light", "mountain", "mouse", "curtain", "platform", "sign", "plate", "road", "rock", "shelves",
        "sidewalk", "sky", "snow", "bedclothes", "track", "tree", "truck", "wall", "water", "window", "wood",
    ];

    /// <summary>mmseg's Pascal Context colours (the first 60 ADE20K colours).</summary>
    public static readonly IReadOnlyList<(byte R, byte G, byte B)> Colours = Ade20k.Colours.Take(60).ToArray();

    /// <summary>Opens a split ("train" or "val"); the root may be VOC2010 or a folder holding VOCdevkit/VOC2010.</summary>
    public static LabelledImageDataset Open(string root, string split)
    {
        root = Layout.FindRoot(root, "SegmentationClassContext", ["VOC2010", Path.Combine("VOCdevkit", "VOC2010")], "Pascal Context", Expected);
        var images = Layout.RequireFolder(Path.Combine(root, "JPEGImages"), "Pascal Context", Expected);
        var labels = Layout.RequireFolder(Path.Combine(root, "SegmentationClassContext"), "Pascal Context", Expected);
        var list = Layout.RequireFile(Path.Combine(root, "ImageSets", "SegmentationContext", split + ".txt"), $"the {split} split list",
            "run mmseg's tools/dataset_converters/pascal_context.py, which writes the split lists");
        var pairs = new List<ImageLabelPair>();
        foreach (var line in File.ReadLines(list))
        {
            string id = line.Trim();
            if (id.Length == 0) continue;
            var image = Layout.RequireFile(Path.Combine(images, id + ".jpg"), $"image '{id}' listed in {list}", "restore the VOC2010 JPEGImages folder");
            var label = Layout.RequireFile(Path.Combine(labels, id + ".png"), $"the annotation of '{id}' listed in {list}",
                "re-run the Pascal Context conversion so every listed image has a label");
            pairs.Add(new ImageLabelPair(image, label, $"pascal-context/{split}/{id}"));
        }
        if (pairs.Count == 0) throw new InputException(list, "lists no images", "use the split lists written by the Pascal Context conversion");
        return new LabelledImageDataset($"pascal-context/{split}", Classes, Colours, pairs, LabelledImageDataset.IdentityMap(), "0 (background) and the classes 1–59");
    }
}
