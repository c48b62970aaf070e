using System.Globalization;
using SegAlign.Models.Decoders;
using static TorchSharp.torch;

namespace SegAlign.Visualisation;

/// <summary>
/// One recorded flow or offset field of one image, copied to host memory: (dx, dy) per cell of the field's own grid,
/// in pixels of that grid (<see cref="FlowField"/>'s unit), plus the input size so it can be drawn over the image.
/// </summary>
public sealed record FlowMap(string Name, int Height, int Width, float[] Dx, float[] Dy, int InputHeight, int InputWidth)
{
    /// <summary>Copies image <paramref name="batch"/> of <paramref name="field"/> ([N, 2, H, W]) to the host.</summary>
    public static FlowMap From(FlowField field, int batch, int inputHeight, int inputWidth)
    {
        using var scope = NewDisposeScope();
        var flow = field.Flow[batch].to(ScalarType.Float32).cpu().contiguous();
        int height = (int)flow.shape[1], width = (int)flow.shape[2], plane = height * width;
        var values = flow.data<float>().ToArray();
        return new FlowMap(field.Name, height, width, values[..plane], values[plane..], inputHeight, inputWidth);
    }

    /// <summary>Input pixels per cell of this grid, along y and x.</summary>
    public double StrideY => (double)InputHeight / Height;
    public double StrideX => (double)InputWidth / Width;

    public double Magnitude(int index) => Math.Sqrt((double)Dx[index] * Dx[index] + (double)Dy[index] * Dy[index]);

    /// <summary>The longest displacement, in pixels of this grid.</summary>
    public double MaxMagnitude => Enumerable.Range(0, Dx.Length).Max(Magnitude);

    public double MeanMagnitude => Enumerable.Range(0, Dx.Length).Average(Magnitude);

    /// <summary>"fam.p3 · 16×16 (stride 4)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Name} · {Width}×{Height} (stride {StrideX:0.##})");
}

/// <summary>
/// Pictures of FAM / AlignFA / AlignCM flow fields: colour-coded fields (<see cref="ColourWheel"/>) and arrows over
/// the input image. An arrow starts at a cell of the field's grid and points to where that cell samples the map it
/// warps (grid_sample reads at base + offset).
/// </summary>
public static class FlowPlots
{
    const int PanelSide = 192;

    /// <summary>The field as colours, one pixel per cell; <paramref name="scale"/> = the magnitude shown at full brightness.</summary>
    public static Raster Colours(FlowMap map, double scale)
    {
        var raster = new Raster(map.Width, map.Height);
        for (int y = 0; y < map.Height; y++)
            for (int x = 0; x < map.Width; x++)
            {
                int i = y * map.Width + x;
                raster.Set(x, y, ColourWheel.Of(map.Dx[i], map.Dy[i], scale));
            }
        return raster;
    }

    /// <summary>
    /// Every field as a colour image, all drawn at the same size (so coarse grids show their cells), followed by the
    /// colour key. With <paramref name="maxMagnitude"/> every panel shares that scale (compare fields, or two models);
    /// without it each panel is scaled to its own longest displacement. Titles give each field's grid, stride and
    /// longest displacement in pixels of its grid and of the input.
    /// </summary>
    public static PngImage ColourFields(IReadOnlyList<FlowMap> maps, double? maxMagnitude = null, string? title = null)
    {
        if (maps.Count == 0) throw new InputException("flow fields", "there are none", "record them from a decoder with FAM or AlignFA/AlignCM (Inspect.Flows)");
        var panels = new List<Panel>();
        foreach (var map in maps)
        {
            double max = map.MaxMagnitude;
            double scale = maxMagnitude ?? (max > 0 ? max : 1);
            panels.Add(new Panel(Enlarged(Colours(map, scale)), $"{map.Describe()}\nmax {Number(max)} px = {Number(max * map.StrideX)} input px"));
        }
        string scaleText = maxMagnitude is double shared
            ? $"full brightness = {Number(shared)} px (same scale in every panel)"
            : "each panel scaled to its own longest displacement";
        panels.Add(new Panel(ColourWheel.Key(PanelSide), $"key: rim = full scale\nright red, down yellow, left cyan, up violet"));
        return Figure.Compose(title ?? $"Flow fields ({maps.Count}): direction = hue, length = brightness", panels, columns: Math.Min(panels.Count, 4),
            notes: [$"{scaleText}; px = pixels of the field's own grid (× stride = input pixels); black = no displacement."]);
    }

    /// <summary>The longest displacement over several sets of fields (e.g. two models): pass it as the
    /// <c>maxMagnitude</c> of <see cref="ColourFields"/> so their brightness compares.</summary>
    public static double SharedScale(params IEnumerable<FlowMap>[] sets) =>
        sets.SelectMany(s => s).Select(m => m.MaxMagnitude).DefaultIfEmpty(0).Max() is var max && max > 0 ? max : 1;

    /// <summary>One field as arrows over the input image (see <see cref="ArrowsPerLevel"/>).</summary>
    public static PngImage Arrows(Scene scene, FlowMap map, int arrowsPerSide = 12)
    {
        var (panel, note) = ArrowPanel(scene, map, arrowsPerSide);
        return Figure.Compose($"{map.Name}: where each cell samples the warped map", [panel], notes: [note]);
    }

    /// <summary>
    /// Each field as arrows over the input image, one panel per field (pyramid level). Arrows sit on a grid of at most
    /// <paramref name="arrowsPerSide"/> per side, coloured by direction (same hues as the colour images), and are scaled
    /// so the longest spans 90% of the grid spacing: the panel title says by how much and the true length in pixels.
    /// </summary>
    public static PngImage ArrowsPerLevel(Scene scene, IReadOnlyList<FlowMap> maps, int arrowsPerSide = 12, string? title = null)
    {
        if (maps.Count == 0) throw new InputException("flow fields", "there are none", "record them from a decoder with FAM or AlignFA/AlignCM (Inspect.Flows)");
        var drawn = maps.Select(m => ArrowPanel(scene, m, arrowsPerSide)).ToList();
        return Figure.Compose(title ?? $"Flow per level over scene {scene.Index}: where each cell samples the warped map",
            drawn.Select(d => d.Panel).ToList(), columns: Math.Min(maps.Count, 3),
            notes: ["Arrow = displacement from a cell centre to where it samples (grid_sample reads at base + offset), drawn enlarged by the factor in each title; colour = direction."]);
    }

    static (Panel Panel, string Note) ArrowPanel(Scene scene, FlowMap map, int arrowsPerSide)
    {
        if (map.InputHeight != scene.Height || map.InputWidth != scene.Width)
            throw new InputException($"flow field {map.Name}", $"was recorded on a {map.InputWidth}×{map.InputHeight} input, not this {scene.Width}×{scene.Height} scene",
                "record the flows on the scene you draw them over");
        int zoom = Figure.EnlargementFor(Math.Max(scene.Height, scene.Width), 2 * PanelSide);
        var canvas = scene.Image().Enlarge(zoom);
        // Fade the image so the arrows read.
        canvas.BlendRectangle(0, 0, canvas.Width, canvas.Height, Colour.White, 0.35);

        int step = Math.Max(1, (int)Math.Ceiling(Math.Max(map.Height, map.Width) / (double)Math.Max(1, arrowsPerSide)));
        var cells = new List<int>();
        for (int y = step / 2; y < map.Height; y += step)
            for (int x = step / 2; x < map.Width; x += step)
                cells.Add(y * map.Width + x);
        // Displayed pixels per grid pixel, and the spacing between arrows on screen.
        double unitX = map.StrideX * zoom, unitY = map.StrideY * zoom;
        double spacing = step * Math.Min(unitX, unitY);
        double longest = cells.Max(i => Math.Sqrt(Math.Pow(map.Dx[i] * unitX, 2) + Math.Pow(map.Dy[i] * unitY, 2)));
        double factor = longest > 0 ? 0.9 * spacing / longest : 1;
        foreach (int i in cells)
        {
            int y = i / map.Width, x = i % map.Width;
            double x0 = (x + 0.5) * unitX - 0.5, y0 = (y + 0.5) * unitY - 0.5;
            double dx = map.Dx[i] * unitX * factor, dy = map.Dy[i] * unitY * factor;
            var colour = ColourWheel.Hue(Math.Atan2(map.Dy[i], map.Dx[i]));
            canvas.Arrow(x0, y0, x0 + dx, y0 + dy, colour, headLength: Math.Max(3, spacing / 5), halo: Colour.Ink);
        }
        double max = map.MaxMagnitude;
        string title = $"{map.Describe()}\nmax {Number(max)} px = {Number(max * map.StrideX)} input px; arrows ×{Number(factor)}";
        return (new Panel(canvas, title), $"{map.Name}: arrows every {step} cell(s), drawn ×{Number(factor)}.");
    }

    // Every field at the same display size (the longer side PanelSide), so coarse grids show their cells as blocks.
    static Raster Enlarged(Raster raster)
    {
        double scale = (double)PanelSide / Math.Max(raster.Width, raster.Height);
        var panel = new Raster(Math.Max(1, (int)Math.Round(raster.Width * scale)), Math.Max(1, (int)Math.Round(raster.Height * scale)));
        panel.Paste(raster, 0, 0, panel.Width, panel.Height);
        return panel;
    }

    // About three significant digits: 0.0123, 1.23, 12.3, 123.
    static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.0" : Math.Abs(value) >= 1 ? "0.00" : "G3", CultureInfo.InvariantCulture);
}
