using System.Globalization;
using SegAlign.Models.Decoders;
using SkiaSharp;
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

    /// <summary>Cells whose sampling point (cell centre + displacement) lies outside the input image: grid_sample reads
    /// padding there, so a long flow at the border means "sample nothing", not "align".</summary>
    public int SamplesOutside => Enumerable.Range(0, Dx.Length).Count(i =>
    {
        double x = (i % Width + 0.5 + Dx[i]) * StrideX, y = (i / Width + 0.5 + Dy[i]) * StrideY;
        return x < 0 || y < 0 || x > InputWidth || y > InputHeight;
    });

    /// <summary>"fam.p3 · 16×16 (stride 4)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Name} · {Width}×{Height} (stride {StrideX:0.##})");
}

/// <summary>One arrow of a flow field in input pixels: it starts at the centre of a cell of the field's grid
/// (<see cref="X"/>, <see cref="Y"/>) and its true displacement is (<see cref="Dx"/>, <see cref="Dy"/>).</summary>
public readonly record struct FlowArrow(double X, double Y, double Dx, double Dy)
{
    public double Length => Math.Sqrt(Dx * Dx + Dy * Dy);
}

/// <summary>
/// Pictures of FAM / AlignFA / AlignCM flow fields: colour-coded fields (<see cref="ColourWheel"/>) with one colour key,
/// and arrows over the input image with axes in input pixels and the displacement on a colour bar. An arrow starts at a
/// cell of the field's grid and points to where that cell samples the map it warps (grid_sample reads at base + offset).
/// </summary>
public static class FlowPlots
{
    /// <summary>The field as colours, one pixel per cell; <paramref name="scale"/> = the magnitude shown at full brightness.</summary>
    public static SKBitmap Colours(FlowMap map, double scale) =>
        Canvas.Paint(map.Width, map.Height, (x, y) => ColourWheel.Of(map.Dx[y * map.Width + x], map.Dy[y * map.Width + x], scale));

    /// <summary>
    /// Every field as a colour image over the input's extent (axes in input pixels, coarse grids show their cells), with
    /// the colour key once beside them. AlignFA's two offset fields of a merge (name.high, name.low) sit side by side.
    /// With <paramref name="maxMagnitude"/> every panel shares that scale (compare fields, or two models); without it
    /// each panel is scaled to its own longest displacement. Titles give each field's grid, stride and longest
    /// displacement in pixels of its grid and of the input.
    /// </summary>
    /// <param name="outlines">A scene whose item outlines are drawn over every field, so flow can be read against edges.</param>
    public static PngImage ColourFields(IReadOnlyList<FlowMap> maps, double? maxMagnitude = null, string? title = null, Scene? outlines = null)
    {
        if (maps.Count == 0) throw new InputException("flow fields", "there are none", "record them from a decoder with FAM or AlignFA/AlignCM (Inspect.Flows)");
        if (outlines is not null)
            foreach (var map in maps.Where(m => m.InputHeight != outlines.Height || m.InputWidth != outlines.Width))
                throw new InputException($"flow field {map.Name}", $"was recorded on a {map.InputWidth}×{map.InputHeight} input, not this {outlines.Width}×{outlines.Height} scene",
                    "draw the outlines of the scene the flows were recorded on");
        var (ordered, columns) = Arrange(maps);
        var edges = outlines?.GroundTruth.Edges().ToList();
        var panels = ordered.Select(map =>
        {
            if (map is null) return Panel.Blank();
            double max = map.MaxMagnitude, scale = maxMagnitude ?? (max > 0 ? max : 1);
            var (width, height) = Figure.DisplaySize(map.InputWidth, map.InputHeight);
            int outside = map.SamplesOutside;
            string caption = $"{map.Describe()}\nlongest {Canvas.Number(max)} px = {Canvas.Number(max * map.StrideX)} input px" +
                             (outside > 0 ? $"\n{outside} cell(s) sample outside the image" : "");
            var colours = Colours(map, scale);
            return new Panel(caption, width, height, canvas =>
            {
                canvas.DrawBlocks(colours, new SKRect(0, 0, width, height));
                if (edges is not null) DrawOutlines(canvas, edges, width / (float)map.InputWidth, height / (float)map.InputHeight);
            }, new PixelAxes(map.InputWidth, map.InputHeight));
        }).ToList();
        string rim = maxMagnitude is double shared ? $"rim = {Canvas.Number(shared)} px, every panel" : "rim = each panel's longest";
        return Figure.Compose(title ?? $"Flow fields ({maps.Count}): direction = hue, length = brightness", panels, columns,
            key: ColourWheel.KeyPanel(rim),
            notes: ["px = pixels of the field's own grid (× stride = input pixels); black = no displacement." +
                    (edges is null ? "" : $" White lines: item outlines of scene {outlines!.Index}.")]);
    }

    static void DrawOutlines(SKCanvas canvas, IReadOnlyList<(int X, int Y, bool Vertical)> edges, float sx, float sy)
    {
        using var pen = Canvas.Stroke(Colour.White, 1.2f, 190);
        foreach (var (x, y, vertical) in edges)
            if (vertical) canvas.DrawLine((x + 1) * sx, y * sy, (x + 1) * sx, (y + 1) * sy, pen);
            else canvas.DrawLine(x * sx, (y + 1) * sy, (x + 1) * sx, (y + 1) * sy, pen);
    }

    /// <summary>The longest displacement over several sets of fields (e.g. two models): pass it as the
    /// <c>maxMagnitude</c> of <see cref="ColourFields"/> so their brightness compares.</summary>
    public static double SharedScale(params IEnumerable<FlowMap>[] sets) =>
        sets.SelectMany(s => s).Select(m => m.MaxMagnitude).DefaultIfEmpty(0).Max() is var max && max > 0 ? max : 1;

    /// <summary>One field as arrows over the input image (see <see cref="ArrowsPerLevel"/>).</summary>
    public static PngImage Arrows(Scene scene, FlowMap map, int arrowsPerSide = 12) =>
        ArrowsPerLevel(scene, [map], arrowsPerSide, $"{map.Name}: where each cell samples the warped map");

    /// <summary>
    /// Each field as arrows over the input image, one panel per field (pyramid level; AlignFA's high and low fields side
    /// by side), axes in input pixels. Arrows sit on a grid of at most <paramref name="arrowsPerSide"/> per side and are
    /// scaled so the longest spans 90 % of the arrow spacing (the title says by how much); their colour is the true
    /// displacement in input pixels, read on the colour bar.
    /// </summary>
    public static PngImage ArrowsPerLevel(Scene scene, IReadOnlyList<FlowMap> maps, int arrowsPerSide = 12, string? title = null)
    {
        if (maps.Count == 0) throw new InputException("flow fields", "there are none", "record them from a decoder with FAM or AlignFA/AlignCM (Inspect.Flows)");
        foreach (var map in maps)
            if (map.InputHeight != scene.Height || map.InputWidth != scene.Width)
                throw new InputException($"flow field {map.Name}", $"was recorded on a {map.InputWidth}×{map.InputHeight} input, not this {scene.Width}×{scene.Height} scene",
                    "record the flows on the scene you draw them over");
        var (ordered, columns) = Arrange(maps);
        // Grey input, so the arrows' colours are the only colours; one enlargement and one colour range for every panel,
        // so arrows compare across levels (the panel whose arrows would overlap first sets the enlargement).
        var image = Grey(scene.Image());
        var layouts = maps.Select(map => (map, arrows: ArrowsOf(map, arrowsPerSide), spacing: Spacing(map, arrowsPerSide))).ToList();
        double factor = layouts.Select(l => Enlargement(l.arrows, l.spacing)).Min();
        double top = layouts.SelectMany(l => l.arrows).Select(a => a.Length).DefaultIfEmpty(0).Max() is var longest && longest > 0 ? longest : 1;
        var panels = ordered.Select(map => map is null ? Panel.Blank() : ArrowPanel(image, layouts.First(l => l.map == map), factor, top)).ToList();
        return Figure.Compose(title ?? $"Flow per level over scene {scene.Index}: where each cell samples the warped map", panels, columns,
            notes: [$"Arrow = displacement from a cell centre to where it samples (grid_sample reads at base + offset), every panel drawn ×{Canvas.Number(factor)} " +
                    $"and coloured on one scale (0–{Canvas.Number(top)} input px). Red arrows sample outside the image (padding)."]);
    }

    static double Spacing(FlowMap map, int arrowsPerSide) =>
        Math.Max(1, (int)Math.Ceiling(Math.Max(map.Height, map.Width) / (double)Math.Max(1, arrowsPerSide))) * Math.Min(map.StrideX, map.StrideY);

    static SKBitmap Grey(SKBitmap image) => Canvas.Paint(image.Width, image.Height, (x, y) =>
    {
        var c = image.At(x, y);
        byte level = (byte)Math.Round(0.299 * c.R + 0.587 * c.G + 0.114 * c.B);
        return new Colour(level, level, level);
    });

    /// <summary>The arrows drawn for <paramref name="map"/>: every step-th cell (at most <paramref name="arrowsPerSide"/>
    /// per side, centred in its block), in input pixels.</summary>
    public static IReadOnlyList<FlowArrow> ArrowsOf(FlowMap map, int arrowsPerSide)
    {
        int step = Math.Max(1, (int)Math.Ceiling(Math.Max(map.Height, map.Width) / (double)Math.Max(1, arrowsPerSide)));
        var arrows = new List<FlowArrow>();
        for (int y = step / 2; y < map.Height; y += step)
            for (int x = step / 2; x < map.Width; x += step)
            {
                int i = y * map.Width + x;
                arrows.Add(new FlowArrow((x + 0.5) * map.StrideX, (y + 0.5) * map.StrideY, map.Dx[i] * map.StrideX, map.Dy[i] * map.StrideY));
            }
        return arrows;
    }

    /// <summary>How much to enlarge <paramref name="arrows"/> so the longest spans 90 % of the spacing between arrows
    /// (input pixels); 1 when none has a length.</summary>
    public static double Enlargement(IReadOnlyList<FlowArrow> arrows, double spacing)
    {
        double longest = arrows.Select(a => a.Length).DefaultIfEmpty(0).Max();
        return longest > 0 ? 0.9 * spacing / longest : 1;
    }

    static Panel ArrowPanel(SKBitmap image, (FlowMap Map, IReadOnlyList<FlowArrow> Arrows, double Spacing) layout, double factor, double top)
    {
        var (map, arrows, spacing) = layout;
        var (width, height) = Figure.DisplaySize(map.InputWidth, map.InputHeight, Figure.PanelSide + 64);
        float sx = (float)(width / (double)map.InputWidth), sy = (float)(height / (double)map.InputHeight);
        bool Outside(FlowArrow a) => a.X + a.Dx < 0 || a.Y + a.Dy < 0 || a.X + a.Dx > map.InputWidth || a.Y + a.Dy > map.InputHeight;
        int outside = arrows.Count(Outside);
        return new Panel($"{map.Describe()}{(outside > 0 ? $"\n{outside} arrow(s) sample outside the image" : "")}", width, height, canvas =>
        {
            canvas.DrawBlocks(image, new SKRect(0, 0, width, height));
            using (var fade = Canvas.Fill(Colour.White, 110)) canvas.DrawRect(0, 0, width, height, fade);
            float head = (float)Math.Max(3, spacing * Math.Min(sx, sy) / 4);
            foreach (var arrow in arrows)
            {
                float x0 = (float)arrow.X * sx, y0 = (float)arrow.Y * sy;
                float x1 = x0 + (float)(arrow.Dx * factor) * sx, y1 = y0 + (float)(arrow.Dy * factor) * sy;
                DrawArrow(canvas, x0, y0, x1, y1, Outside(arrow) ? OutsideColour : Magnitude(arrow.Length / top), head);
            }
        }, new PixelAxes(map.InputWidth, map.InputHeight), new ColourBar("displacement (input px)", 0, top, Magnitude));
    }

    static void DrawArrow(SKCanvas canvas, float x0, float y0, float x1, float y1, Colour colour, float headLength)
    {
        float length = MathF.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
        using var path = new SKPath();
        path.MoveTo(x0, y0);
        path.LineTo(x1, y1);
        if (length >= 1)
        {
            float head = Math.Min(headLength, length * 0.5f), ux = (x1 - x0) / length, uy = (y1 - y0) / length;
            foreach (float side in new[] { -0.45f, 0.45f })
            {
                float cos = MathF.Cos(side), sin = MathF.Sin(side);
                path.MoveTo(x1, y1);
                path.LineTo(x1 - (ux * cos - uy * sin) * head, y1 - (ux * sin + uy * cos) * head);
            }
        }
        using var halo = Canvas.Stroke(Colour.Ink, 3.5f, 200);
        using var line = Canvas.Stroke(colour, 1.8f);
        canvas.DrawPath(path, halo);
        canvas.DrawPath(path, line);
        if (length < 1)
            using (var dot = Canvas.Fill(colour)) canvas.DrawCircle(x0, y0, 1.5f, dot);
    }

    /// <summary>Okabe–Ito vermillion: an arrow whose sampling point is off the image.</summary>
    static readonly Colour OutsideColour = new(213, 94, 0);

    /// <summary>The magnitude colour for t in [0, 1] (viridis: dark violet → blue → green → yellow), legible on a faded image.</summary>
    public static Colour Magnitude(double t)
    {
        Colour[] stops = [new(68, 1, 84), new(59, 82, 139), new(33, 145, 140), new(94, 201, 98), new(253, 231, 37)];
        double position = Math.Clamp(t, 0, 1) * (stops.Length - 1);
        int i = Math.Min(stops.Length - 2, (int)Math.Floor(position));
        return stops[i].Mix(stops[i + 1], position - i);
    }

    // AlignFA's pairs (x.high, x.low) side by side, one merge per row, any other field (AlignCM's "cam") alone on its
    // row; without pairs, rows of up to three.
    static (List<FlowMap?> Ordered, int Columns) Arrange(IReadOnlyList<FlowMap> maps)
    {
        static string Stem(FlowMap m) => m.Name.Contains('.') ? m.Name[..m.Name.LastIndexOf('.')] : m.Name;
        bool Paired(FlowMap m) => (m.Name.EndsWith(".high") || m.Name.EndsWith(".low")) && maps.Count(o => Stem(o) == Stem(m)) == 2;
        if (!maps.Any(Paired)) return (maps.Cast<FlowMap?>().ToList(), Math.Min(maps.Count, 3));
        var ordered = new List<FlowMap?>();
        foreach (var stem in maps.Select(Stem).Distinct())
        {
            var group = maps.Where(m => Stem(m) == stem).ToList();
            if (group.All(Paired)) ordered.AddRange([group.Single(m => m.Name.EndsWith(".high")), group.Single(m => m.Name.EndsWith(".low"))]);
            else foreach (var single in group) ordered.AddRange([single, null]);
        }
        while (ordered.Count > 0 && ordered[^1] is null) ordered.RemoveAt(ordered.Count - 1);
        return (ordered, 2);
    }
}
