using System.Globalization;

namespace SegAlign.Visualisation;

/// <summary>Predictions next to their scene: overlays with the class palette and side-by-side label maps at any resolution.</summary>
public static class SegmentationPlots
{
    /// <summary>image | ground truth | prediction | errors, with a legend of the classes shown.</summary>
    public static PngImage Overlay(Scene scene, LabelMap prediction, string? title = null)
    {
        var shown = Resize(prediction, scene.Height, scene.Width);
        var image = scene.Image();
        var errors = Canvas.Paint(scene.Width, scene.Height, (x, y) =>
        {
            int i = y * scene.Width + x;
            byte truth = scene.Sample.Label[i];
            var pixel = image.At(x, y);
            byte level = (byte)((pixel.R + pixel.G + pixel.B) / 3);
            return truth == Data.Sample.Ignore ? Colour.White
                : shown.Labels[i] == truth ? new Colour(level, level, level).Mix(Colour.White, 0.5)
                : new Colour(220, 20, 60);
        });
        var (width, height) = Figure.DisplaySize(scene.Width, scene.Height);
        return Figure.Compose(title ?? $"Prediction on scene {scene.Index}",
        [
            Panel.Of(image, "image", width, height),
            Panel.Of(scene.GroundTruth.Paint(scene.Palette), "ground truth", width, height),
            Panel.Of(shown.Paint(scene.Palette), $"prediction ({Accuracy(scene, prediction)} px correct)", width, height),
            Panel.Of(errors, "errors (red)", width, height),
        ], legend: scene.Legend(Classes(scene, [prediction])), notes: Notes(scene));
    }

    /// <summary>
    /// image | ground truth | each map, on one grid: every map drawn at the same size whatever its resolution (nearest,
    /// so a coarse prediction shows its cells). Titles add each map's size and the share of pixels it gets right.
    /// </summary>
    public static PngImage Compare(Scene scene, IReadOnlyList<(string Title, LabelMap Map)> maps, string? title = null, int? columns = null)
    {
        var (width, height) = Figure.DisplaySize(scene.Width, scene.Height);
        var panels = new List<Panel>
        {
            Panel.Of(scene.Image(), "image", width, height),
            Panel.Of(scene.GroundTruth.Paint(scene.Palette), "ground truth", width, height),
        };
        foreach (var (name, map) in maps)
            panels.Add(Panel.Of(map.Paint(scene.Palette), $"{name}\n{map.Width}×{map.Height}, {Accuracy(scene, map)} px correct", width, height));
        return Figure.Compose(title ?? $"Predictions on scene {scene.Index}", panels, columns,
            legend: scene.Legend(Classes(scene, maps.Select(m => m.Map))), notes: Notes(scene));
    }

    /// <summary>Nearest-neighbour resize of a label map (labels are never blended).</summary>
    public static LabelMap Resize(LabelMap map, int height, int width)
    {
        if (map.Height == height && map.Width == width) return map;
        var labels = new byte[height * width];
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min(map.Height - 1, (int)((long)y * map.Height / height));
            for (int x = 0; x < width; x++)
                labels[y * width + x] = map.Labels[sy * map.Width + Math.Min(map.Width - 1, (int)((long)x * map.Width / width))];
        }
        return new LabelMap(labels, height, width);
    }

    /// <summary>Share of labelled pixels (not ignore) that <paramref name="map"/>, resized to the scene, gets right.</summary>
    public static double PixelAccuracy(Scene scene, LabelMap map)
    {
        var shown = Resize(map, scene.Height, scene.Width);
        int correct = 0, labelled = 0;
        for (int i = 0; i < shown.Labels.Length; i++)
        {
            if (scene.Sample.Label[i] == Data.Sample.Ignore) continue;
            labelled++;
            if (shown.Labels[i] == scene.Sample.Label[i]) correct++;
        }
        return labelled == 0 ? double.NaN : (double)correct / labelled;
    }

    static string Accuracy(Scene scene, LabelMap map) => (100 * PixelAccuracy(scene, map)).ToString("0", CultureInfo.InvariantCulture) + "%";

    static IEnumerable<byte> Classes(Scene scene, IEnumerable<LabelMap> maps) =>
        scene.Sample.Label.Concat(maps.SelectMany(m => m.Labels)).Distinct().Where(l => l < scene.ClassNames.Count).Order();

    static string[]? Notes(Scene scene) =>
        scene.Sample.Label.Contains(Data.Sample.Ignore) ? ["white in the ground truth: ignored (fragments too small to recognise)"] : null;
}
