namespace SegAlign.Data;

/// <summary>One image with its label map. Image is float RGB, channel-major (C×H×W), values in [0, 1].</summary>
public sealed record Sample(float[] Image, byte[] Label, int Height, int Width, string Id)
{
    public const byte Ignore = 255;
    public int Channels => Image.Length / (Height * Width);
}

/// <summary>A split of a segmentation dataset: labels 0..NumClasses-1, 255 = ignore.</summary>
public interface ISegmentationDataset
{
    string Name { get; }
    int NumClasses { get; }
    IReadOnlyList<string> ClassNames { get; }
    /// <summary>RGB colour per class, for overlays.</summary>
    IReadOnlyList<(byte R, byte G, byte B)> Palette { get; }
    int Count { get; }
    /// <summary>Per-channel mean and std used to normalise images before the network.</summary>
    (float[] Mean, float[] Std) Normalisation { get; }
    /// <summary>Sample <paramref name="index"/>; training samplers may pass epoch·Count + i, which means sample i
    /// (augmenting wrappers draw a fresh augmentation for it).</summary>
    Sample Get(int index);
}

/// <summary>Shared helpers for datasets.</summary>
public static class Datasets
{
    /// <summary>ImageNet statistics (torchvision), for photographs.</summary>
    public static readonly (float[] Mean, float[] Std) ImageNet = ([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>A deterministic, well-spread palette (first entries match Cityscapes-like saturation).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> MakePalette(int classes)
    {
        var palette = new (byte, byte, byte)[classes];
        for (int i = 0; i < classes; i++)
        {
            double hue = (i * 0.618033988749895) % 1.0, saturation = i % 2 == 0 ? 0.75 : 0.55, value = i % 3 == 0 ? 0.95 : 0.8;
            palette[i] = HsvToRgb(hue, saturation, value);
        }
        return palette;
    }

    public static (byte R, byte G, byte B) HsvToRgb(double h, double s, double v)
    {
        double c = v * s, hp = h * 6, x = c * (1 - Math.Abs(hp % 2 - 1)), m = v - c;
        var (r, g, b) = (int)hp switch
        {
            0 => (c, x, 0.0), 1 => (x, c, 0.0), 2 => (0.0, c, x), 3 => (0.0, x, c), 4 => (x, 0.0, c), _ => (c, 0.0, x),
        };
        return ((byte)Math.Round((r + m) * 255), (byte)Math.Round((g + m) * 255), (byte)Math.Round((b + m) * 255));
    }

    /// <summary>Checks a label map against the class set: every value must be a class or 255.</summary>
    public static void ValidateLabels(byte[] label, int numClasses, string where)
    {
        for (int i = 0; i < label.Length; i++)
            if (label[i] >= numClasses && label[i] != Sample.Ignore)
                throw new InputException(where, $"label value {label[i]} at pixel {i} is outside 0..{numClasses - 1} and is not 255 (ignore)",
                    "fix the annotation or map the value to 255");
    }
}
