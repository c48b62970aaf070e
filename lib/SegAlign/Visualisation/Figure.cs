using SkiaSharp;

namespace SegAlign.Visualisation;

/// <summary>Axes in input pixels: x from 0 to <see cref="Width"/> rightwards, y from 0 to <see cref="Height"/> downwards
/// (image coordinates), over the whole plot area.</summary>
public sealed record PixelAxes(double Width, double Height);

/// <summary>A colour scale drawn as a bar beside its panel: <see cref="ColourAt"/>(t) for t in [0, 1] spans Min..Max.</summary>
public sealed record ColourBar(string Label, double Min, double Max, Func<double, Colour> ColourAt);

/// <summary>
/// One panel of a figure: a plot area of <see cref="Width"/>×<see cref="Height"/> display pixels painted by
/// <see cref="Draw"/> (origin at the area's top-left, clipped to it), with an optional title above, axes in input
/// pixels and a colour bar.
/// </summary>
public sealed record Panel(string Title, int Width, int Height, Action<SKCanvas> Draw, PixelAxes? Axes = null, ColourBar? Bar = null)
{
    /// <summary>An image stretched over the plot area, its pixels kept as sharp blocks.</summary>
    public static Panel Of(SKBitmap image, string title, int width, int height, PixelAxes? axes = null, ColourBar? bar = null) =>
        new(title, width, height, canvas => canvas.DrawBlocks(image, new SKRect(0, 0, width, height)), axes, bar);

    /// <summary>An empty cell that keeps a grid's columns aligned.</summary>
    public static Panel Blank(int width = 1, int height = 1) => new("", width, height, _ => { });
}

/// <summary>A legend entry: a colour and what it means.</summary>
public sealed record Swatch(Colour Colour, string Label);

/// <summary>
/// Lays titled panels out in a grid under a figure title — axes, colour bars, an optional key to the right of the grid,
/// a legend of colour swatches and notes underneath — and renders it all as one PNG with real fonts: the figure carries
/// its own words, so it reads the same in a notebook, on GitHub and in the HTML report.
/// </summary>
public static class Figure
{
    const int Margin = 14, Gap = 22, SwatchSide = 14;
    // Space the axes take: tick labels, then the rotated axis title on the left; tick labels then the title below.
    const int AxisLeft = 50, AxisBottom = 36, BarWidth = 14, BarSpace = 10 + BarWidth + 44 + 18;

    /// <summary>A panel's side in display pixels: images are drawn about this large.</summary>
    public const int PanelSide = 256;

    public static PngImage Compose(string title, IReadOnlyList<Panel> panels, int? columns = null,
        IReadOnlyList<Swatch>? legend = null, IReadOnlyList<string>? notes = null, Panel? key = null)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel", nameof(panels));
        int cols = Math.Clamp(columns ?? panels.Count, 1, panels.Count);
        int rows = (panels.Count + cols - 1) / cols;
        var cells = panels.Select(Cell).ToList();
        var columnWidth = new float[cols];
        for (int i = 0; i < panels.Count; i++) columnWidth[i % cols] = Math.Max(columnWidth[i % cols], cells[i].Width);
        var titles = panels.Select((p, i) => Canvas.Wrap(p.Title, columnWidth[i % cols], Canvas.LabelSize)).ToList();
        var rowTitle = new float[rows];
        var rowBody = new float[rows];
        for (int i = 0; i < panels.Count; i++)
        {
            rowTitle[i / cols] = Math.Max(rowTitle[i / cols], titles[i].Count * Canvas.LineHeight(Canvas.LabelSize));
            rowBody[i / cols] = Math.Max(rowBody[i / cols], cells[i].Height);
        }
        float gridWidth = columnWidth.Sum() + Gap * (cols - 1);
        var keyCell = key is null ? default : Cell(key);
        var keyTitle = key is null ? [] : Canvas.Wrap(key.Title, Math.Max(keyCell.Width, 150), Canvas.LabelSize);
        float keyWidth = key is null ? 0 : Gap + Math.Max(keyCell.Width, keyTitle.Select(l => Canvas.Width(l, Canvas.LabelSize)).DefaultIfEmpty(0).Max());
        float width = MathF.Ceiling(Math.Max(gridWidth + keyWidth, 360)) + 2 * Margin, textWidth = width - 2 * Margin;

        var titleLines = Canvas.Wrap(title, textWidth, Canvas.TitleSize, heavy: true);
        var legendRows = LayOutLegend(legend ?? [], textWidth);
        var noteLines = (notes ?? []).SelectMany(n => Canvas.Wrap(n, textWidth, Canvas.LabelSize)).ToList();
        float titleHeight = titleLines.Count * Canvas.LineHeight(Canvas.TitleSize) + 8;
        float gridHeight = Enumerable.Range(0, rows).Sum(r => rowTitle[r] + 4 + rowBody[r]) + Gap * (rows - 1);
        float keyHeight = key is null ? 0 : keyTitle.Count * Canvas.LineHeight(Canvas.LabelSize) + 4 + keyCell.Height;
        float height = Margin + titleHeight + Math.Max(gridHeight, keyHeight)
                       + (legendRows.Count > 0 ? Gap / 2 + legendRows.Count * (SwatchSide + 10) : 0)
                       + (noteLines.Count > 0 ? Gap / 2 + noteLines.Count * Canvas.LineHeight(Canvas.LabelSize) : 0) + Margin;

        return Canvas.Render((int)width, (int)MathF.Ceiling(height), canvas =>
        {
            float y = Margin;
            foreach (var line in titleLines)
            {
                canvas.Write(line, Margin, y, Canvas.TitleSize, Colour.Ink, heavy: true);
                y += Canvas.LineHeight(Canvas.TitleSize);
            }
            y += 8;
            float top = y;
            for (int r = 0; r < rows; r++)
            {
                float x = Margin;
                for (int c = 0; c < cols && r * cols + c < panels.Count; c++)
                {
                    int i = r * cols + c;
                    DrawTitle(canvas, titles[i], x, y);
                    DrawCell(canvas, panels[i], x, y + rowTitle[r] + 4);
                    x += columnWidth[c] + Gap;
                }
                y += rowTitle[r] + 4 + rowBody[r] + Gap;
            }
            if (key is not null)
            {
                float kx = Margin + gridWidth + Gap;
                DrawTitle(canvas, keyTitle, kx, top);
                DrawCell(canvas, key, kx, top + keyTitle.Count * Canvas.LineHeight(Canvas.LabelSize) + 4);
            }
            y = top + Math.Max(gridHeight, keyHeight);
            if (legendRows.Count > 0)
            {
                y += Gap / 2;
                foreach (var row in legendRows)
                {
                    foreach (var (swatch, x) in row)
                    {
                        var box = new SKRect(x, y, x + SwatchSide, y + SwatchSide);
                        using (var fill = Canvas.Fill(swatch.Colour)) canvas.DrawRect(box, fill);
                        using (var edge = Canvas.Stroke(Colour.Grey, 1)) canvas.DrawRect(box, edge);
                        canvas.Write(swatch.Label, x + SwatchSide + 5, y, Canvas.LabelSize, Colour.Ink);
                    }
                    y += SwatchSide + 10;
                }
            }
            if (noteLines.Count > 0)
            {
                y += Gap / 2;
                foreach (var line in noteLines)
                {
                    canvas.Write(line, Margin, y, Canvas.LabelSize, Colour.Ink);
                    y += Canvas.LineHeight(Canvas.LabelSize);
                }
            }
        }, title);
    }

    // The size of a panel with its axes and colour bar (titles are laid out per column).
    static (float Width, float Height) Cell(Panel panel) =>
        ((panel.Axes is null ? 0 : AxisLeft) + panel.Width + (panel.Bar is null ? 0 : BarSpace), panel.Height + (panel.Axes is null ? 0 : AxisBottom));

    static void DrawTitle(SKCanvas canvas, IEnumerable<string> lines, float x, float y)
    {
        foreach (var line in lines)
        {
            canvas.Write(line, x, y, Canvas.LabelSize, Colour.Ink);
            y += Canvas.LineHeight(Canvas.LabelSize);
        }
    }

    static void DrawCell(SKCanvas canvas, Panel panel, float x, float y)
    {
        float left = x + (panel.Axes is null ? 0 : AxisLeft);
        var area = new SKRect(left, y, left + panel.Width, y + panel.Height);
        canvas.Save();
        canvas.ClipRect(area);
        canvas.Translate(area.Left, area.Top);
        panel.Draw(canvas);
        canvas.Restore();
        if (panel.Axes is { } axes) DrawAxes(canvas, area, axes);
        if (panel.Bar is { } bar) DrawBar(canvas, new SKRect(area.Right + 10, area.Top, area.Right + 10 + BarWidth, area.Bottom), bar);
    }

    static void DrawAxes(SKCanvas canvas, SKRect area, PixelAxes axes)
    {
        using var frame = Canvas.Stroke(Colour.Grey, 1);
        frame.StrokeCap = SKStrokeCap.Butt;
        canvas.DrawRect(area, frame);
        using var tick = Canvas.Stroke(Colour.Ink, 1);
        foreach (double t in Canvas.Ticks(0, axes.Width, 4))
        {
            float x = area.Left + (float)(t / axes.Width) * area.Width;
            canvas.DrawLine(x, area.Bottom, x, area.Bottom + 4, tick);
            canvas.Write(Canvas.Tick(t), x, area.Bottom + 5, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
        }
        foreach (double t in Canvas.Ticks(0, axes.Height, 4))
        {
            float y = area.Top + (float)(t / axes.Height) * area.Height;
            canvas.DrawLine(area.Left - 4, y, area.Left, y, tick);
            canvas.Write(Canvas.Tick(t), area.Left - 6, y - Canvas.TickSize / 2, Canvas.TickSize, Colour.Ink, SKTextAlign.Right);
        }
        canvas.Write("x (input px)", area.MidX, area.Bottom + 20, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
        canvas.Save();
        canvas.RotateDegrees(-90, area.Left - AxisLeft, area.MidY);
        canvas.Write("y (input px)", area.Left - AxisLeft, area.MidY, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
        canvas.Restore();
    }

    static void DrawBar(SKCanvas canvas, SKRect bar, ColourBar scale)
    {
        int steps = Math.Max(2, (int)bar.Height);
        for (int s = 0; s < steps; s++)
        {
            double t = 1 - (s + 0.5) / steps;
            using var fill = Canvas.Fill(scale.ColourAt(t));
            fill.IsAntialias = false;
            canvas.DrawRect(new SKRect(bar.Left, bar.Top + bar.Height * s / steps, bar.Right, bar.Top + bar.Height * (s + 1) / steps + 1), fill);
        }
        using var edge = Canvas.Stroke(Colour.Grey, 1);
        edge.StrokeCap = SKStrokeCap.Butt;
        canvas.DrawRect(bar, edge);
        using var tick = Canvas.Stroke(Colour.Ink, 1);
        double span = scale.Max - scale.Min;
        foreach (double t in span > 0 ? Canvas.Ticks(scale.Min, scale.Max, 4) : [scale.Min])
        {
            float y = span > 0 ? bar.Bottom - (float)((t - scale.Min) / span) * bar.Height : bar.Bottom;
            canvas.DrawLine(bar.Right, y, bar.Right + 4, y, tick);
            canvas.Write(Canvas.Tick(t), bar.Right + 6, y - Canvas.TickSize / 2, Canvas.TickSize, Colour.Ink);
        }
        canvas.Save();
        float labelX = bar.Right + 52;
        canvas.RotateDegrees(90, labelX, bar.MidY);
        canvas.Write(scale.Label, labelX, bar.MidY, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
        canvas.Restore();
    }

    // Swatches flow left to right and wrap at the text width; returns each row's entries with their x.
    static List<List<(Swatch, float)>> LayOutLegend(IReadOnlyList<Swatch> legend, float textWidth)
    {
        var rows = new List<List<(Swatch, float)>>();
        float x = Margin;
        foreach (var swatch in legend)
        {
            float entry = SwatchSide + 5 + Canvas.Width(swatch.Label, Canvas.LabelSize) + 18;
            if (rows.Count == 0 || x + entry - 18 > Margin + textWidth && x > Margin)
            {
                rows.Add([]);
                x = Margin;
            }
            rows[^1].Add((swatch, x));
            x += entry;
        }
        return rows;
    }

    /// <summary>The display size of an image of <paramref name="width"/>×<paramref name="height"/> whose longer side is
    /// drawn <paramref name="side"/> pixels long (aspect kept).</summary>
    public static (int Width, int Height) DisplaySize(double width, double height, int side = PanelSide)
    {
        double scale = side / Math.Max(1, Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }
}
