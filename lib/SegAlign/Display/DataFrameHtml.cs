using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace SegAlign.Display;

/// <summary>
/// A DataFrame as a readable table, as HTML and as aligned text: numbers rounded to what a reader compares
/// (<see cref="Cell"/>), content escaped, at most <see cref="MaxRows"/> rows with a note saying so.
/// </summary>
public static class DataFrameHtml
{
    public const int MaxRows = 100;

    public static string Render(DataFrame frame)
    {
        long rows = frame.Rows.Count;
        long shown = Math.Min(rows, MaxRows);
        // No index column: a results table's rows are named by their own columns (variant, seed), and the row number only
        // pushes the table wider than the page.
        var html = new StringBuilder("<table>\n<thead><tr>");
        foreach (var column in frame.Columns) html.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (long row = 0; row < shown; row++)
        {
            html.Append("<tr>");
            foreach (var column in frame.Columns) html.Append("<td>").Append(WebUtility.HtmlEncode(Cell(column[row]))).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (shown < rows) html.Append(CultureInfo.InvariantCulture, $"<p>{shown} of {rows} rows shown.</p>\n");
        return html.ToString();
    }

    /// <summary>The same table as aligned plain text (numbers right-aligned), for terminals and text-only viewers.</summary>
    public static string Text(DataFrame frame)
    {
        long rows = frame.Rows.Count;
        int shown = (int)Math.Min(rows, MaxRows);
        var columns = frame.Columns.ToList();
        var cells = columns.Select(c => Enumerable.Range(0, shown).Select(r => Cell(c[r])).Prepend(c.Name).ToArray()).ToList();
        var widths = cells.Select(c => c.Max(s => s.Length)).ToList();
        var numeric = columns.Select(c => c.DataType != typeof(string) && c.DataType != typeof(char)).ToList();
        var text = new StringBuilder();
        for (int row = 0; row <= shown; row++)
        {
            var line = cells.Select((c, i) => numeric[i] ? c[row].PadLeft(widths[i]) : c[row].PadRight(widths[i]));
            text.Append(string.Join("  ", line).TrimEnd()).Append('\n');
        }
        if (shown < rows) text.Append(CultureInfo.InvariantCulture, $"({shown} of {rows} rows shown)\n");
        return text.ToString().TrimEnd('\n');
    }

    public static string Describe(DataFrame frame) =>
        $"DataFrame: {frame.Rows.Count} rows × {frame.Columns.Count} columns ({string.Join(", ", frame.Columns.Select(c => c.Name))})";

    /// <summary>
    /// A cell's text. Fractional numbers keep 4 significant digits (below 1000; whole numbers above; below 0.001 a short
    /// exponent): a table is read to compare, and 15-digit floats hide the digits that matter.
    /// </summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => Round(d),
        float f => Round(f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static string Round(double value) =>
        !double.IsFinite(value) ? value.ToString(CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1000 ? value.ToString("0", CultureInfo.InvariantCulture)
        : value != 0 && Math.Abs(value) < 0.001 ? value.ToString("0.##e+0", CultureInfo.InvariantCulture) // a p-value of 8.6e-6, not 8.627E-06
        : value.ToString("G4", CultureInfo.InvariantCulture);
}
