using SegAlign.Tests.Data;

namespace SegAlign.Tests.Reliability;

/// <summary>Issue 33 row 10: what the file system refuses is one line and exit 2, never an unhandled exception.</summary>
public class FileSystemFaultTests
{
    [Fact]
    public void A_report_written_onto_an_existing_folder_is_refused_in_one_line()
    {
        using var folder = new TempFolder();
        var line = CliRunner.AssertBadInput(CliRunner.Run("report", "sfnet", "--preset", "v2", "-o", folder.Path), "is a folder");
        Assert.Contains("report.html", line);
    }

    [Fact]
    public void Training_into_a_file_that_is_in_the_way_is_one_line_and_exit_2()
    {
        using var folder = new TempFolder();
        string blocked = Path.Combine(folder.Path, "run");
        File.WriteAllText(blocked, "a file where the run folder should go");
        var result = CliRunner.Run("train", "--preset", "smoke", "--set", "train.iterations=1", "--out", blocked, "--threads", "1");
        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", result.Error.Trim());
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}
