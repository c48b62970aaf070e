namespace SegAlign.Data.Real;

/// <summary>
/// Cityscapes fine annotations in the published layout:
/// <c>leftImg8bit/{split}/&lt;city&gt;/&lt;name&gt;_leftImg8bit.png</c> with
/// <c>gtFine/{split}/&lt;city&gt;/&lt;name&gt;_gtFine_labelIds.png</c>. The 34 labelIds are mapped to the
/// 19 evaluated trainIds of cityscapesScripts (every other id → 255), so no preprocessing is needed.
/// </summary>
public static class Cityscapes
{
    public const string Expected = "leftImg8bit/{train,val}/<city>/*_leftImg8bit.png and gtFine/{train,val}/<city>/*_gtFine_labelIds.png (the Cityscapes download)";

    public static readonly string[] Classes =
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ];

    /// <summary>The official trainId colours.</summary>
    public static readonly IReadOnlyList<(byte R, byte G, byte B)> Colours =
    [
        (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153), (153, 153, 153), (250, 170, 30),
        (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142),
        (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32),
    ];

    /// <summary>labelId → trainId for the evaluated classes (cityscapesScripts labels.py); the other ids 0–33 are not evaluated.</summary>
    static readonly (byte LabelId, byte TrainId)[] evaluated =
    [
        (7, 0), (8, 1), (11, 2), (12, 3), (13, 4), (17, 5), (19, 6), (20, 7), (21, 8), (22, 9),
        (23, 10), (24, 11), (25, 12), (26, 13), (27, 14), (28, 15), (31, 16), (32, 17), (33, 18),
    ];

    /// <summary>
    /// The labelIds table: ids 0–33 → trainId or 255; 255 (how the license plate's id −1 is stored) → 255.
    /// Values 34–254 never occur in a labelIds file, so they are kept and rejected by label validation.
    /// </summary>
    public static byte[] LabelIdToTrainId()
    {
        var map = LabelledImageDataset.IdentityMap();
        for (int id = 0; id <= 33; id++) map[id] = Sample.Ignore;
        foreach (var (labelId, trainId) in evaluated) map[labelId] = trainId;
        return map;
    }

    /// <summary>Opens a split ("train" or "val"; "test" has no public labels).</summary>
    public static LabelledImageDataset Open(string root, string split)
    {
        var images = Layout.RequireFolder(Path.Combine(root, "leftImg8bit", split), "Cityscapes", Expected);
        var labels = Layout.RequireFolder(Path.Combine(root, "gtFine", split), "Cityscapes", Expected);
        const string imageSuffix = "_leftImg8bit.png";
        var pairs = new List<ImageLabelPair>();
        foreach (var image in Layout.SortedFiles(images, "*" + imageSuffix, recursive: true))
        {
            string city = Path.GetFileName(Path.GetDirectoryName(image)!), name = Path.GetFileName(image)[..^imageSuffix.Length];
            var label = Layout.RequireFile(Path.Combine(labels, city, name + "_gtFine_labelIds.png"), $"the annotation of {image}",
                "extract gtFine_trainvaltest.zip into the same root as leftImg8bit");
            pairs.Add(new ImageLabelPair(image, label, $"cityscapes/{split}/{name}"));
        }
        Layout.RequireAny(pairs, images, "*" + imageSuffix, Expected);
        return new LabelledImageDataset($"cityscapes/{split}", Classes, Colours, pairs, LabelIdToTrainId(), "labelIds 0–33 (255 for the license plate)");
    }
}
