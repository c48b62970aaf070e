using System.Globalization;
using SegAlign.Models.Decoders;
using SkiaSharp;
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
/// RSP relation weights for a chosen pixel: for every stage, the input with the pixel and its window marked (axes in
/// input pixels), then the window's weights drawn over the coarse map's cells — the mean over heads and each head —
/// on one colour scale per stage, read on its colour bar.
/// </summary>
public static class RelationPlots
{
    /// <summary>
    /// One row per stage: the input with input pixel (<paramref name="y"/>, <paramref name="x"/>) marked and the window
    /// it relates to outlined, the mean weights over heads, and each head's weights. Colours share one scale per row
    /// (0 → the row's largest weight, on the bar at the row's end); the weight is printed in each cell when there is room.
    /// </summary>
    public static PngImage ForPixel(Scene scene, IReadOnlyList<RelationLayer> layers, int y, int x, string? title = null)
    {
        if (layers.Count == 0) throw new InputException("relation maps", "there are none", "record them from an RSP decoder (Inspect.Relations)");
        if ((uint)y >= (uint)scene.Height || (uint)x >= (uint)scene.Width)
            throw new InputException("pixel", $"({y}, {x}) lies outside the {scene.Width}×{scene.Height} scene", $"use 0 ≤ y < {scene.Height}, 0 ≤ x < {scene.Width}");
        int heads = layers.Max(l => l.Heads);
        var image = scene.Image();
        var (width, height) = Figure.DisplaySize(scene.Width, scene.Height, 200);
        var axes = new PixelAxes(scene.Width, scene.Height);
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
            var scale = new SizeF(width / (float)scene.Width, height / (float)scene.Height);
            var bar = new ColourBar($"weight ({layer.Name})", 0, max, Heat);

            panels.Add(new Panel($"{layer.Name}: pixel ({y}, {x}) → cell ({window.CentreRow}, {window.CentreColumn}) of the {layer.CoarseWidth}×{layer.CoarseHeight} map",
                width, height, canvas =>
                {
                    canvas.DrawBlocks(image, new SKRect(0, 0, width, height));
                    MarkWindow(canvas, layer, window, scale);
                    MarkPixel(canvas, y, x, scale);
                }, axes));
            var weightPanels = new List<Panel> { WeightPanel($"mean of {layer.Heads} heads", image, layer, window, (i, j) => mean[i, j], max, y, x, width, height, scale) };
            for (int h = 0; h < heads; h++)
            {
                int head = h;
                weightPanels.Add(h < layer.Heads
                    ? WeightPanel($"head {h + 1}", image, layer, window, (i, j) => window.Weights[head, i, j], max, y, x, width, height, scale)
                    : Panel.Blank(width, height));
            }
            weightPanels[^1] = weightPanels[^1] with { Bar = bar };
            panels.AddRange(weightPanels);
        }
        return Figure.Compose(title ?? $"RSP relation weights of pixel ({y}, {x}) in scene {scene.Index}", panels, columns: 2 + heads,
            legend: [new Swatch(Colour.Marker, "the pixel and the window it relates to")],
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

    readonly record struct SizeF(float X, float Y);

    /// <summary>Input-pixel rectangle of coarse cell (<paramref name="row"/>, <paramref name="column"/>): the input pixels it covers.</summary>
    public static (double X, double Y, double Width, double Height) CellRectangle(RelationLayer layer, long row, long column)
    {
        double w = (double)layer.InputWidth / layer.CoarseWidth, h = (double)layer.InputHeight / layer.CoarseHeight;
        return (column * w, row * h, w, h);
    }

    static SKRect OnCanvas((double X, double Y, double Width, double Height) r, SizeF scale) =>
        SKRect.Create((float)r.X * scale.X, (float)r.Y * scale.Y, (float)r.Width * scale.X, (float)r.Height * scale.Y);

    static void MarkWindow(SKCanvas canvas, RelationLayer layer, RelationWindow window, SizeF scale)
    {
        int k = layer.RegionSize;
        long top = Math.Max(0, window.Top), left = Math.Max(0, window.Left);
        long bottom = Math.Min(layer.CoarseHeight - 1, window.Top + k - 1), right = Math.Min(layer.CoarseWidth - 1, window.Left + k - 1);
        var first = OnCanvas(CellRectangle(layer, top, left), scale);
        var last = OnCanvas(CellRectangle(layer, bottom, right), scale);
        using var pen = Canvas.Stroke(Colour.Marker, 2.5f);
        canvas.DrawRect(new SKRect(first.Left, first.Top, last.Right, last.Bottom), pen);
    }

    // A reticle with an open centre: four arms that stop short of the pixel, so its own value stays visible.
    static void MarkPixel(SKCanvas canvas, int y, int x, SizeF scale, bool compact = false)
    {
        float cx = (x + 0.5f) * scale.X, cy = (y + 0.5f) * scale.Y;
        float gap = Math.Max(3, 0.5f * Math.Max(scale.X, scale.Y) + 1), arm = gap + (compact ? 6 : Math.Max(6, 1.5f * scale.X));
        using var halo = Canvas.Stroke(Colour.Ink, 4);
        using var pen = Canvas.Stroke(Colour.Marker, 2);
        foreach (var paint in new[] { halo, pen })
        {
            canvas.DrawLine(cx - arm, cy, cx - gap, cy, paint);
            canvas.DrawLine(cx + gap, cy, cx + arm, cy, paint);
            canvas.DrawLine(cx, cy - arm, cx, cy - gap, paint);
            canvas.DrawLine(cx, cy + gap, cx, cy + arm, paint);
        }
    }

    static Panel WeightPanel(string title, SKBitmap image, RelationLayer layer, RelationWindow window, Func<int, int, double> weight,
        double max, int y, int x, int width, int height, SizeF scale) => new(title, width, height, canvas =>
    {
        canvas.DrawBlocks(image, new SKRect(0, 0, width, height));
        using (var fade = Canvas.Fill(Colour.White, 150)) canvas.DrawRect(0, 0, width, height, fade);
        int k = layer.RegionSize;
        var pixel = new SKPoint((x + 0.5f) * scale.X, (y + 0.5f) * scale.Y);
        using var grid = Canvas.Stroke(Colour.Grey, 1);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                long row = window.Top + i, column = window.Left + j;
                if (row < 0 || column < 0 || row >= layer.CoarseHeight || column >= layer.CoarseWidth) continue;
                var cell = OnCanvas(CellRectangle(layer, row, column), scale);
                double w = weight(i, j);
                var colour = Heat(w / max);
                using (var fill = Canvas.Fill(colour, 230)) canvas.DrawRect(cell, fill);
                canvas.DrawRect(cell, grid);
                string label = w.ToString(".00", CultureInfo.InvariantCulture);
                // The value sits mid-cell, except in the pixel's own cell: there it moves to the half the pixel is not in.
                float textY = cell.MidY - Canvas.TickSize / 2;
                if (cell.Contains(pixel))
                    textY = pixel.Y > cell.MidY ? cell.Top + 3 : cell.Bottom - Canvas.LineHeight(Canvas.TickSize) - 1;
                if (Canvas.Width(label, Canvas.TickSize) + 4 <= cell.Width && 2 * Canvas.LineHeight(Canvas.TickSize) <= cell.Height)
                    canvas.Write(label, cell.MidX, textY, Canvas.TickSize, colour.Contrasting, SKTextAlign.Center);
                else if (Canvas.Width(label, Canvas.TickSize) + 4 <= cell.Width && Canvas.LineHeight(Canvas.TickSize) <= cell.Height && !cell.Contains(pixel))
                    canvas.Write(label, cell.MidX, cell.MidY - Canvas.TickSize / 2, Canvas.TickSize, colour.Contrasting, SKTextAlign.Center);
            }
        using (var centre = Canvas.Stroke(Colour.Ink, 2)) canvas.DrawRect(OnCanvas(CellRectangle(layer, window.CentreRow, window.CentreColumn), scale), centre);
        MarkPixel(canvas, y, x, scale, compact: true);
    });
}
