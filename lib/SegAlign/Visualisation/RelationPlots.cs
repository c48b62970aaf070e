using System.Globalization;
using SegAlign.Models.Decoders;
using static TorchSharp.torch;

namespace SegAlign.Visualisation;

/// <summary>
/// One RSP stage's relation weights for one image, copied to host memory: <see cref="Weights"/> is
/// [heads, k², H, W] (window offsets row-major) over the stage's fine map, whose windows lie on the coarser map
/// (<see cref="CoarseHeight"/>×<see cref="CoarseWidth"/>). The host twin of <see cref="RelationMap"/>.
/// </summary>
public sealed record RelationLayer(string Name, int RegionSize, int Heads, int Height, int Width, int CoarseHeight, int CoarseWidth,
    float[] Weights, int InputHeight, int InputWidth)
{
    public static RelationLayer From(RelationMap map, int batch, int inputHeight, int inputWidth)
    {
        using var scope = NewDisposeScope();
        var weights = map.Weights[batch].to(ScalarType.Float32).cpu().contiguous();
        return new RelationLayer(map.Name, map.RegionSize, (int)weights.shape[0], (int)map.Height, (int)map.Width,
            (int)map.CoarseHeight, (int)map.CoarseWidth, weights.data<float>().ToArray(), inputHeight, inputWidth);
    }

    /// <summary>The cell of this stage's fine map that covers input pixel (y, x).</summary>
    public (int Y, int X) FromInput(int inputY, int inputX) =>
        ((int)((long)inputY * Height / InputHeight), (int)((long)inputX * Width / InputWidth));

    /// <summary>The k×k window of fine pixel (y, x), exactly as <see cref="RelationMap.At"/> reads it.</summary>
    public RelationWindow At(int y, int x)
    {
        if ((uint)y >= (uint)Height || (uint)x >= (uint)Width)
            throw new InputException($"relation pixel of {Name}", $"({y}, {x}) lies outside its {Width}×{Height} map", $"use 0 ≤ y < {Height}, 0 ≤ x < {Width}");
        int k = RegionSize, window = k * k;
        long row = RelationMap.ProjectIndex(y, Height, CoarseHeight), column = RelationMap.ProjectIndex(x, Width, CoarseWidth);
        var weights = new float[Heads, k, k];
        for (int h = 0; h < Heads; h++)
            for (int j = 0; j < window; j++)
                weights[h, j / k, j % k] = Weights[((long)(h * window + j) * Height + y) * Width + x];
        return new RelationWindow(row, column, row - k / 2, column - k / 2, weights);
    }
}

/// <summary>
/// RSP relation weights for a chosen pixel: for every stage, the input with the pixel and its window marked, then the
/// window's weights drawn over the coarse map's cells — the mean over heads and each head.
/// </summary>
public static class RelationPlots
{
    const int PanelSide = 192;

    /// <summary>
    /// One row per stage: the input with input pixel (<paramref name="y"/>, <paramref name="x"/>) marked and the window
    /// it relates to outlined, the mean weights over heads, and each head's weights. Colours share one scale per row
    /// (0 → the row's largest weight); the weight is printed in each cell when there is room.
    /// </summary>
    public static PngImage ForPixel(Scene scene, IReadOnlyList<RelationLayer> layers, int y, int x, string? title = null)
    {
        if (layers.Count == 0) throw new InputException("relation maps", "there are none", "record them from an RSP decoder (Inspect.Relations)");
        if ((uint)y >= (uint)scene.Height || (uint)x >= (uint)scene.Width)
            throw new InputException("pixel", $"({y}, {x}) lies outside the {scene.Width}×{scene.Height} scene", $"use 0 ≤ y < {scene.Height}, 0 ≤ x < {scene.Width}");
        int heads = layers.Max(l => l.Heads);
        var panels = new List<Panel>();
        foreach (var layer in layers)
        {
            var (fy, fx) = layer.FromInput(y, x);
            var window = layer.At(fy, fx);
            int k = layer.RegionSize;
            var mean = new float[k, k];
            for (int h = 0; h < layer.Heads; h++)
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                        mean[i, j] += window.Weights[h, i, j] / layer.Heads;
            double max = Math.Max(1e-12, window.Weights.Cast<float>().Max());

            var (canvas, zoom) = Base(scene);
            MarkWindow(canvas, layer, window, zoom);
            MarkPixel(canvas, y, x, zoom);
            panels.Add(new Panel(canvas, $"{layer.Name}: pixel ({y}, {x}) → cell ({window.CentreRow}, {window.CentreColumn}) of the {layer.CoarseWidth}×{layer.CoarseHeight} map"));
            panels.Add(new Panel(Weights(scene, layer, window, (i, j) => mean[i, j], max, y, x), $"mean of {layer.Heads} heads (max {max:0.00})"));
            for (int h = 0; h < heads; h++)
                panels.Add(h < layer.Heads
                    ? new Panel(Weights(scene, layer, window, (i, j) => window.Weights[h, i, j], max, y, x), $"head {h + 1}")
                    : new Panel(new Raster(1, 1, Colour.White)));
        }
        return Figure.Compose(title ?? $"RSP relation weights of pixel ({y}, {x}) in scene {scene.Index}", panels, columns: 2 + heads,
            legend: [new Swatch(Heat(0), "0"), new Swatch(Heat(0.5), "half the row's max"), new Swatch(Heat(1), "row's max"), new Swatch(Colour.Marker, "the pixel")],
            notes: [$"Each head's weights over its {layers[0].RegionSize}×{layers[0].RegionSize} window sum to 1 (softmax); cells outside the map get none. " +
                    "rse.p5 relates P5 to itself; rsp.pN relates a pixel of PN to the window of the coarser map above it."]);
    }

    /// <summary>A sequential colour for t in [0, 1]: pale yellow → orange → red → dark red.</summary>
    public static Colour Heat(double t)
    {
        Colour[] stops = [new(255, 255, 204), new(254, 178, 76), new(240, 59, 32), new(128, 0, 38)];
        double position = Math.Clamp(t, 0, 1) * (stops.Length - 1);
        int i = Math.Min(stops.Length - 2, (int)Math.Floor(position));
        return stops[i].Mix(stops[i + 1], position - i);
    }

    static (Raster Canvas, int Zoom) Base(Scene scene)
    {
        int zoom = Figure.EnlargementFor(Math.Max(scene.Height, scene.Width), PanelSide);
        return (scene.Image().Enlarge(zoom), zoom);
    }

    // Input-pixel rectangle of coarse cell (row, column), on the enlarged canvas.
    static (int X, int Y, int Width, int Height) CellRectangle(RelationLayer layer, long row, long column, int zoom)
    {
        int x0 = (int)(column * layer.InputWidth / layer.CoarseWidth) * zoom, x1 = (int)((column + 1) * layer.InputWidth / layer.CoarseWidth) * zoom;
        int y0 = (int)(row * layer.InputHeight / layer.CoarseHeight) * zoom, y1 = (int)((row + 1) * layer.InputHeight / layer.CoarseHeight) * zoom;
        return (x0, y0, x1 - x0, y1 - y0);
    }

    static void MarkWindow(Raster canvas, RelationLayer layer, RelationWindow window, int zoom)
    {
        int k = layer.RegionSize;
        long top = Math.Max(0, window.Top), left = Math.Max(0, window.Left);
        long bottom = Math.Min(layer.CoarseHeight - 1, window.Top + k - 1), right = Math.Min(layer.CoarseWidth - 1, window.Left + k - 1);
        var (x0, y0, _, _) = CellRectangle(layer, top, left, zoom);
        var (x1, y1, w1, h1) = CellRectangle(layer, bottom, right, zoom);
        canvas.Outline(x0, y0, x1 + w1 - x0, y1 + h1 - y0, Colour.Marker, 2);
    }

    static void MarkPixel(Raster canvas, int y, int x, int zoom)
    {
        int cx = x * zoom + zoom / 2, cy = y * zoom + zoom / 2, arm = Math.Max(4, zoom * 2);
        canvas.Line(cx - arm, cy, cx + arm, cy, Colour.Ink, 3);
        canvas.Line(cx, cy - arm, cx, cy + arm, Colour.Ink, 3);
        canvas.Line(cx - arm, cy, cx + arm, cy, Colour.Marker);
        canvas.Line(cx, cy - arm, cx, cy + arm, Colour.Marker);
    }

    static Raster Weights(Scene scene, RelationLayer layer, RelationWindow window, Func<int, int, double> weight, double max, int y, int x)
    {
        var (canvas, zoom) = Base(scene);
        canvas.BlendRectangle(0, 0, canvas.Width, canvas.Height, Colour.White, 0.6);
        int k = layer.RegionSize;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                long row = window.Top + i, column = window.Left + j;
                if (row < 0 || column < 0 || row >= layer.CoarseHeight || column >= layer.CoarseWidth) continue;
                var (cx, cy, cw, ch) = CellRectangle(layer, row, column, zoom);
                double w = weight(i, j);
                var colour = Heat(w / max);
                canvas.BlendRectangle(cx, cy, cw, ch, colour, 0.85);
                canvas.Outline(cx, cy, cw, ch, Colour.Grey);
                string label = w.ToString(".00", CultureInfo.InvariantCulture);
                if (PixelFont.Width(label) + 4 <= cw && PixelFont.GlyphHeight + 2 <= ch)
                    canvas.Text(label, cx + (cw - PixelFont.Width(label)) / 2, cy + (ch - 7) / 2, colour.Contrasting);
            }
        var (mx, my, mw, mh) = CellRectangle(layer, window.CentreRow, window.CentreColumn, zoom);
        canvas.Outline(mx, my, mw, mh, Colour.Ink, 2);
        MarkPixel(canvas, y, x, zoom);
        return canvas;
    }
}
