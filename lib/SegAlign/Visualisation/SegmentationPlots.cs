using System.Globalization;

namespace SegAlign.Visualisation;

/// <summary>Predictions next to their scene: overlays with the class palette and side-by-side label maps at any resolution.</summary>
public static class SegmentationPlots
{
    const int PanelSide = 192;

    /// <summary>image | ground truth | prediction | errors, with a legend of the classes shown.</summary>
    public static PngImage Overlay(Scene scene, LabelMap prediction, string? title = null)
    {
        var shown = Resize(prediction, scene.Height, scene.Width);
        var errors = scene.Image();
        for (int y = 0; y < scene.Height; y++)
            for (int x = 0; x < scene.Width; x++)
            {
                int i = y * scene.Width + x;
                byte truth = scene.Sample.Label[i];
                var grey = errors[x, y];
                byte level = (byte)((grey.R + grey.G + grey.B) / 3);
                errors.Set(x, y, truth == Data.Sample.Ignore ? Colour.White
                    : shown.Labels[i] == truth ? new Colour(level, level, level).Mix(Colour.White, 0.5)
                    : new Colour(220, 20, 60));
            }
        int zoom = Figure.EnlargementFor(Math.Max(scene.Height, scene.Width), PanelSide);
        return Figure.Compose(title ?? $"Prediction on scene {scene.Index}",
        [
            new Panel(scene.Image().Enlarge(zoom), "image"),
            new Panel(scene.GroundTruth.Paint(scene.Palette).Enlarge(zoom), "ground truth"),
            new Panel(shown.Paint(scene.Palette).Enlarge(zoom), $"prediction ({Accuracy(scene, prediction)} px correct)"),
            new Panel(errors.Enlarge(zoom), "errors (red)"),
        ], legend: scene.Legend(Classes(scene, [prediction])), notes: Notes(scene));
    }

    /// <summary>
    /// image | ground truth | each map, every map drawn at the same size whatever its resolution (nearest, so a coarse
    /// prediction shows its cells). Titles add each map's size and the share of pixels it gets right.
    /// </summary>
    public static PngImage Compare(Scene scene, IReadOnlyList<(string Title, LabelMap Map)> maps, string? title = null, int? columns = null)
    {
        int zoom = Figure.EnlargementFor(Math.Max(scene.Height, scene.Width), PanelSide);
        var panels = new List<Panel>
        {
            new(scene.Image().Enlarge(zoom), "image"),
            new(scene.GroundTruth.Paint(scene.Palette).Enlarge(zoom), "ground truth"),
        };
        foreach (var (name, map) in maps)
        {
            var canvas = new Raster(scene.Width * zoom, scene.Height * zoom);
            canvas.Paste(map.Paint(scene.Palette), 0, 0, canvas.Width, canvas.Height);
            panels.Add(new Panel(canvas, $"{name}\n{map.Width}×{map.Height}, {Accuracy(scene, map)} px correct"));
        }
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
