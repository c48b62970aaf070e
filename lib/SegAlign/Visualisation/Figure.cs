namespace SegAlign.Visualisation;

/// <summary>One image of a figure with the title printed above it.</summary>
public sealed record Panel(Raster Image, string Title = "");

/// <summary>A legend entry: a colour and what it means.</summary>
public sealed record Swatch(Colour Colour, string Label);

/// <summary>
/// Lays titled panels out in a grid under a figure title, with an optional legend of colour swatches and
/// notes underneath, and renders the whole as one PNG: the figure carries its own words, so it reads the same
/// in a notebook, on GitHub and in the HTML report.
/// </summary>
public static class Figure
{
    const int Margin = 10, Gap = 12, SwatchSide = 12;
    /// <summary>Text scale of the figure title; panel titles, legend and notes use 1 (6 px per character).</summary>
    const int TitleScale = 2;

    public static PngImage Compose(string title, IReadOnlyList<Panel> panels, int? columns = null,
        IReadOnlyList<Swatch>? legend = null, IReadOnlyList<string>? notes = null)
    {
        if (panels.Count == 0) throw new ArgumentException("a figure needs at least one panel", nameof(panels));
        int cols = Math.Clamp(columns ?? panels.Count, 1, panels.Count);
        int rows = (panels.Count + cols - 1) / cols;
        var columnWidth = new int[cols];
        for (int i = 0; i < panels.Count; i++) columnWidth[i % cols] = Math.Max(columnWidth[i % cols], panels[i].Image.Width);
        int contentWidth = columnWidth.Sum() + Gap * (cols - 1);
        int width = Math.Max(contentWidth, 320) + 2 * Margin;
        int textWidth = width - 2 * Margin;

        var titleLines = Wrap(title, textWidth, TitleScale);
        var panelTitles = panels.Select((p, i) => Wrap(p.Title, columnWidth[i % cols], 1)).ToList();
        var rowTitleHeight = new int[rows];
        var rowImageHeight = new int[rows];
        for (int i = 0; i < panels.Count; i++)
        {
            int r = i / cols;
            rowTitleHeight[r] = Math.Max(rowTitleHeight[r], panelTitles[i].Count * PixelFont.LineHeight);
            rowImageHeight[r] = Math.Max(rowImageHeight[r], panels[i].Image.Height);
        }
        var legendRows = LayOutLegend(legend ?? [], textWidth);
        var noteLines = (notes ?? []).SelectMany(n => Wrap(n, textWidth, 1)).ToList();

        int height = Margin + titleLines.Count * PixelFont.LineHeight * TitleScale + Gap / 2
                     + Enumerable.Range(0, rows).Sum(r => rowTitleHeight[r] + 2 + rowImageHeight[r]) + Gap * (rows - 1)
                     + (legendRows.Count > 0 ? Gap + legendRows.Count * (SwatchSide + 6) : 0)
                     + (noteLines.Count > 0 ? Gap / 2 + noteLines.Count * PixelFont.LineHeight : 0)
                     + Margin;
        var canvas = new Raster(width, height, Colour.White);

        int y = Margin;
        foreach (var line in titleLines)
        {
            canvas.Text(line, Margin, y, Colour.Ink, TitleScale);
            y += PixelFont.LineHeight * TitleScale;
        }
        y += Gap / 2;
        for (int r = 0; r < rows; r++)
        {
            int x = Margin;
            for (int c = 0; c < cols && r * cols + c < panels.Count; c++)
            {
                int i = r * cols + c;
                int ty = y;
                foreach (var line in panelTitles[i])
                {
                    canvas.Text(line, x, ty, Colour.Ink);
                    ty += PixelFont.LineHeight;
                }
                canvas.Paste(panels[i].Image, x, y + rowTitleHeight[r] + 2);
                x += columnWidth[c] + Gap;
            }
            y += rowTitleHeight[r] + 2 + rowImageHeight[r] + Gap;
        }
        y -= Gap;
        if (legendRows.Count > 0)
        {
            y += Gap;
            foreach (var row in legendRows)
            {
                foreach (var (swatch, x) in row)
                {
                    canvas.Fill(x, y, SwatchSide, SwatchSide, swatch.Colour);
                    canvas.Outline(x, y, SwatchSide, SwatchSide, Colour.Grey);
                    canvas.Text(swatch.Label, x + SwatchSide + 4, y + 2, Colour.Ink);
                }
                y += SwatchSide + 6;
            }
        }
        if (noteLines.Count > 0)
        {
            y += Gap / 2;
            foreach (var line in noteLines)
            {
                canvas.Text(line, Margin, y, Colour.Ink);
                y += PixelFont.LineHeight;
            }
        }
        return canvas.ToPng(title);
    }

    // Swatches flow left to right and wrap at the text width; returns each row's entries with their x.
    static List<List<(Swatch, int)>> LayOutLegend(IReadOnlyList<Swatch> legend, int textWidth)
    {
        var rows = new List<List<(Swatch, int)>>();
        int x = Margin;
        foreach (var swatch in legend)
        {
            int entry = SwatchSide + 4 + PixelFont.Width(swatch.Label) + 14;
            if (rows.Count == 0 || x + entry - 14 > Margin + textWidth && x > Margin)
            {
                rows.Add([]);
                x = Margin;
            }
            rows[^1].Add((swatch, x));
            x += entry;
        }
        return rows;
    }

    /// <summary>Splits <paramref name="text"/> into lines no wider than <paramref name="width"/> pixels, breaking at
    /// spaces (a single word wider than that is cut). Explicit newlines are kept.</summary>
    public static List<string> Wrap(string text, int width, int scale)
    {
        var lines = new List<string>();
        if (string.IsNullOrEmpty(text)) return lines;
        int perLine = Math.Max(1, (width / scale + 1) / PixelFont.Advance);
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (candidate.Length <= perLine) { line = candidate; continue; }
                if (line.Length > 0) lines.Add(line);
                line = word;
                while (line.Length > perLine) { lines.Add(line[..perLine]); line = line[perLine..]; }
            }
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>How many times to enlarge an image of side <paramref name="side"/> so it is about <paramref name="target"/> pixels.</summary>
    public static int EnlargementFor(int side, int target = 192) => Math.Max(1, (int)Math.Round((double)target / Math.Max(1, side)));
}
