using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace SegAlign.Notebooks;

/// <summary>A DataFrame as an HTML table: content escaped, at most <see cref="MaxRows"/> rows with a note saying so.</summary>
public static class DataFrameHtml
{
    public const int MaxRows = 100;

    public static string Render(DataFrame frame)
    {
        long rows = frame.Rows.Count;
        long shown = Math.Min(rows, MaxRows);
        var html = new StringBuilder("<table>\n<thead><tr><th></th>");
        foreach (var column in frame.Columns) html.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (long row = 0; row < shown; row++)
        {
            html.Append("<tr><th>").Append(row.ToString(CultureInfo.InvariantCulture)).Append("</th>");
            foreach (var column in frame.Columns) html.Append("<td>").Append(WebUtility.HtmlEncode(Cell(column[row]))).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (shown < rows) html.Append(CultureInfo.InvariantCulture, $"<p>{shown} of {rows} rows shown.</p>\n");
        return html.ToString();
    }

    public static string Describe(DataFrame frame) =>
        $"DataFrame: {frame.Rows.Count} rows × {frame.Columns.Count} columns ({string.Join(", ", frame.Columns.Select(c => c.Name))})";

    static string Cell(object? value) => value switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
