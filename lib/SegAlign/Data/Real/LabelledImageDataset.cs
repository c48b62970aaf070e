namespace SegAlign.Data.Real;

/// <summary>An image file and its label file.</summary>
public sealed record ImageLabelPair(string ImagePath, string LabelPath, string Id);

/// <summary>
/// A split of a published dataset: a list of image/label file pairs, found when the split is opened and
/// decoded only in <see cref="Get"/>. Stored label values are translated through a 256-entry table
/// (e.g. Cityscapes labelIds → trainIds); values a dataset never stores are left as they are, so that
/// <see cref="Datasets.ValidateLabels"/> reports them with the value found in the file.
/// </summary>
public sealed class LabelledImageDataset : ISegmentationDataset
{
    readonly IReadOnlyList<ImageLabelPair> pairs;
    readonly byte[] labelMap;
    readonly string storedLabels;

    /// <summary><paramref name="storedLabels"/> says which values the label files hold (e.g. "labelIds 0–33"), for error messages.</summary>
    public LabelledImageDataset(string name, IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)> palette,
                                IReadOnlyList<ImageLabelPair> pairs, byte[] labelMap, string storedLabels)
    {
        if (labelMap.Length != 256) throw new ArgumentException($"a label map needs 256 entries, got {labelMap.Length}", nameof(labelMap));
        if (palette.Count != classNames.Count) throw new ArgumentException($"{classNames.Count} classes but {palette.Count} palette colours", nameof(palette));
        Name = name; ClassNames = classNames; Palette = palette; this.pairs = pairs; this.labelMap = labelMap;
        this.storedLabels = storedLabels;
    }

    public string Name { get; }
    public int NumClasses => ClassNames.Count;
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<(byte R, byte G, byte B)> Palette { get; }
    public int Count => pairs.Count;
    public (float[] Mean, float[] Std) Normalisation => Datasets.ImageNet;
    public IReadOnlyList<ImageLabelPair> Files => pairs;

    public Sample Get(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} is outside 0..{Count - 1} of {Name}");
        var pair = pairs[index];
        var (image, height, width) = ImageFile.ReadRgb(pair.ImagePath);
        var (label, labelHeight, labelWidth) = ImageFile.ReadLabel(pair.LabelPath);
        if (labelHeight != height || labelWidth != width)
            throw new InputException(pair.LabelPath, $"is {labelWidth}×{labelHeight} (W×H) but its image {pair.ImagePath} is {width}×{height}",
                "pair each image with its own annotation (re-extract the dataset if the files are mixed up)");
        for (int i = 0; i < label.Length; i++) label[i] = labelMap[label[i]];
        try
        {
            Datasets.ValidateLabels(label, NumClasses, pair.LabelPath);
        }
        catch (InputException e)
        {
            throw new InputException(e.Where, e.Problem, $"{Name} label files hold {storedLabels}; check that this is the right annotation file, or repair it");
        }
        return new Sample(image, label, height, width, pair.Id);
    }

    /// <summary>Colours written as "rrggbb rrggbb …" (compact for long published palettes).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> PaletteFromHex(string hex) =>
        hex.Split(' ', StringSplitOptions.RemoveEmptyEntries)
           .Select(c => (Convert.ToByte(c[..2], 16), Convert.ToByte(c[2..4], 16), Convert.ToByte(c[4..], 16)))
           .ToArray();

    /// <summary>A label table that keeps every value (for datasets that store class indices directly).</summary>
    public static byte[] IdentityMap()
    {
        var map = new byte[256];
        for (int v = 0; v < 256; v++) map[v] = (byte)v;
        return map;
    }
}
