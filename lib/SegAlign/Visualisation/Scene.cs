using SegAlign.Data;
using SkiaSharp;

namespace SegAlign.Visualisation;

/// <summary>A label map: one class index per pixel (255 = ignore), row-major.</summary>
public sealed record LabelMap(byte[] Labels, int Height, int Width)
{
    /// <summary>The map in the dataset's colours (ignore = white).</summary>
    public SKBitmap Paint(IReadOnlyList<(byte R, byte G, byte B)> palette) => Canvas.FromRgb(Png.Colourise(Labels, palette), Width, Height);

    /// <summary>
    /// The outlines as unit segments on pixel borders (item against item or background): a vertical segment on the line
    /// x = <c>X</c> + 1 from y = <c>Y</c> to <c>Y</c> + 1 where pixel (X, Y) and its right neighbour differ, a horizontal one
    /// on y = <c>Y</c> + 1 where it and the pixel below differ.
    /// </summary>
    public IEnumerable<(int X, int Y, bool Vertical)> Edges()
    {
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                byte label = Labels[y * Width + x];
                if (x + 1 < Width && Labels[y * Width + x + 1] != label) yield return (x, y, true);
                if (y + 1 < Height && Labels[(y + 1) * Width + x] != label) yield return (x, y, false);
            }
    }
}

/// <summary>
/// A validation image with its ground truth and what is needed to draw and feed it: class names, palette and the
/// network's input normalisation.
/// </summary>
public sealed record Scene(int Index, Sample Sample, IReadOnlyList<string> ClassNames, IReadOnlyList<(byte R, byte G, byte B)> Palette,
    (float[] Mean, float[] Std) Normalisation)
{
    public static Scene From(ISegmentationDataset dataset, int index)
    {
        if (index < 0 || index >= dataset.Count)
            throw new InputException("scene index", $"{index} is outside the {dataset.Count} scenes of {dataset.Name}", $"use 0..{dataset.Count - 1}");
        return new Scene(index, dataset.Get(index), dataset.ClassNames, dataset.Palette, dataset.Normalisation);
    }

    public int Height => Sample.Height;
    public int Width => Sample.Width;
    public LabelMap GroundTruth => new(Sample.Label, Height, Width);

    /// <summary>The image as it looks (first three channels).</summary>
    public SKBitmap Image() => Canvas.FromRgb(Png.FromPlanar(Sample.Image[..(3 * Height * Width)], Width, Height), Width, Height);

    /// <summary>A legend entry per class, in the dataset's colours.</summary>
    public IReadOnlyList<Swatch> Legend(IEnumerable<byte>? only = null)
    {
        var shown = only?.ToHashSet();
        return ClassNames.Select((name, i) => (name, i))
            .Where(c => shown is null || shown.Contains((byte)c.i))
            .Select(c => new Swatch(Palette[c.i], c.name)).ToList();
    }

    /// <summary>A pixel of the largest labelled object (not background, not ignore): its most central pixel, a good
    /// default "pixel of interest". Falls back to the image centre when the scene has no object.</summary>
    public (int Y, int X) ObjectPixel()
    {
        var counts = new int[256];
        foreach (var label in Sample.Label) counts[label]++;
        int best = -1;
        for (int c = 1; c < Math.Min(255, ClassNames.Count); c++)
            if (counts[c] > 0 && (best < 0 || counts[c] > counts[best])) best = c;
        if (best < 0) return (Height / 2, Width / 2);
        double cy = 0, cx = 0;
        int n = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (Sample.Label[y * Width + x] == best) { cy += y; cx += x; n++; }
        cy /= n; cx /= n;
        (int Y, int X) nearest = (Height / 2, Width / 2);
        double bestDistance = double.MaxValue;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (Sample.Label[y * Width + x] == best && (y - cy) * (y - cy) + (x - cx) * (x - cx) is var d && d < bestDistance)
                {
                    bestDistance = d;
                    nearest = (y, x);
                }
        return nearest;
    }

    /// <summary>Image and ground truth side by side (axes in input pixels), with the class legend.</summary>
    public PngImage Picture()
    {
        var (width, height) = Figure.DisplaySize(Width, Height);
        var axes = new PixelAxes(Width, Height);
        return Figure.Compose($"Validation scene {Index} ({Width}×{Height})",
            [Panel.Of(Image(), "image", width, height, axes), Panel.Of(GroundTruth.Paint(Palette), "ground truth", width, height, axes)],
            legend: Legend(Sample.Label.Distinct().Where(l => l < ClassNames.Count)),
            notes: Sample.Label.Contains(Sample.Ignore) ? ["white: ignored (fragments too small to recognise)"] : null);
    }
}
