using Microsoft.Data.Analysis;
using SegAlign.Display;

namespace SegAlign.Tests.Reports;

public class DataFrameHtmlTests
{
    [Fact]
    public void A_table_has_no_index_column_and_rounds_small_and_long_numbers_for_reading()
    {
        var frame = new DataFrame(new StringDataFrameColumn("variant", ["fam", "bilinear"]), new DoubleDataFrameColumn("p", [0.006879123, 8.627e-06]));
        string html = DataFrameHtml.Render(frame);
        Assert.StartsWith("<table>\n<thead><tr><th>variant</th><th>p</th></tr></thead>", html);
        Assert.Contains("<tr><td>fam</td><td>0.006879</td></tr>", html);
        Assert.Contains("<td>8.63e-6</td>", html);
    }
}
