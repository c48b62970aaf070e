using SegAlign.Measurement;
using SegAlign.Platform;

namespace SegAlign.Tests.Measurement;

public class BenchTableTests
{
    static readonly RuntimeInfo Runtime = new("cpu", "AMD EPYC 7B13", 2, "10.0", "0.107.0", "2.10.0", "Debian");

    static BenchRow Row(string decoder, double imagesPerSecond, int size = 64) =>
        new(decoder, "abc", size, 1000, 100, 0.1, new Timing(5, 4, 6, 30),
            new ThroughputResult(imagesPerSecond, 60, 120, 0.1), new ThroughputResult(2 * imagesPerSecond, 120, 120, 0.1));

    [Fact]
    public void Measuring_a_subset_updates_those_rows_and_keeps_the_others()
    {
        var folder = Directory.CreateTempSubdirectory("segalign-bench-").FullName;
        try
        {
            string path = BenchTable.Save([Row("fpn", 100), Row("sfnet", 90)], Runtime, folder);
            Assert.Equal(path, BenchTable.Save([Row("sfnet", 95)], Runtime, folder));
            var lines = File.ReadAllLines(path);
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("fpn,", lines[1]);
            Assert.StartsWith("sfnet,", lines[2]);
            Assert.Contains(",95,", lines[2]);
            Assert.EndsWith("amd-epyc-7b13_2t_cpu_torchsharp-0.107.0_64px.csv", path);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Another_input_size_gets_its_own_file()
    {
        var folder = Directory.CreateTempSubdirectory("segalign-bench-").FullName;
        try
        {
            string at64 = BenchTable.Save([Row("fpn", 100)], Runtime, folder);
            string at128 = BenchTable.Save([Row("fpn", 30, size: 128)], Runtime, folder);
            Assert.NotEqual(at64, at128);
            Assert.Equal(2, File.ReadAllLines(at64).Length);
        }
        finally { Directory.Delete(folder, true); }
    }
}
