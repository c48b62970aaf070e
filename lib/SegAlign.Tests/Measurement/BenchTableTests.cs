using SegAlign.Measurement;
using SegAlign.Platform;

namespace SegAlign.Tests.Measurement;

public class BenchTableTests
{
    static readonly RuntimeInfo Runtime = new("cpu", "AMD EPYC 7B13 (avx2)", 2, "10.0", "0.107.0", "2.10.0", "Debian");

    static SpeedFigures Speed(double imagesPerSecond, int processes, int threads) =>
        new(processes, threads, new Spread(imagesPerSecond - 5, imagesPerSecond, imagesPerSecond + 5), new Spread(100, 120, 130), new Spread(0.4, 0.5, 0.6));

    static BenchRow Row(string decoder, double imagesPerSecond, int size = 64, bool sweep = true, bool peer = false) =>
        new(decoder, "abc", size, 1000, 100, 0.1, 16, new Timing(5, 4, 6, 30), 20, 5, 10, Speed(imagesPerSecond, 1, 2),
            sweep ? Speed(2 * imagesPerSecond, 2, 1) : null, peer ? new PeerFigures("1.13.1", new Spread(100, 110, 120), new Spread(0.8, 0.9, 1.0)) : null);

    static int Columns(string line) => line.Split('"')[0].Count(c => c == ',') + 1;

    [Fact]
    public void Every_line_has_the_headers_columns_and_absent_figures_leave_their_cells_empty()
    {
        int header = Columns(BenchTable.Header.TrimEnd('\n'));
        var full = BenchTable.Line(Row("fpn", 100, peer: true), Runtime);
        var bare = BenchTable.Line(Row("ifa", 100, sweep: false), Runtime);
        Assert.Equal(header, Columns(full));
        Assert.Equal(header, Columns(bare));
        var names = BenchTable.Header.Split(',');
        string Cell(string line, string column) => line.Split(',')[Array.IndexOf(names, column)];
        Assert.Equal("0.9", Cell(full, "segalign_over_pytorch_median"));
        Assert.Equal("1.13.1", Cell(full, "peer_torch"));
        Assert.Equal("", Cell(bare, "peer_torch"));
        Assert.Equal("", Cell(bare, "sweep_images_per_second_median"));
        Assert.Equal("200", Cell(full, "sweep_images_per_second_median"));
        Assert.Equal("800", Cell(full, "data_images_per_second")); // 16 images in 20 ms
    }

    [Fact]
    public void A_spread_is_the_minimum_the_median_and_the_maximum()
    {
        Assert.Equal(new Spread(1, 3, 9), Spread.Of([9, 1, 3]));
        Assert.Equal(new Spread(1, 2.5, 4), Spread.Of([4, 1, 2, 3]));
        Assert.Equal("2.50 [1.00..4.00]", Spread.Of([4, 1, 2, 3]).Format("F2"));
    }

    static async Task<bool> Finishes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;

    [Fact]
    public async Task Saving_waits_while_another_bench_holds_the_table_and_then_keeps_its_rows()
    {
        var folder = Directory.CreateTempSubdirectory("segalign-bench-").FullName;
        try
        {
            string path = BenchTable.Save([Row("fpn", 100)], Runtime, folder);
            Task<string> save;
            using (var held = FileLock.TryAcquire(Path.Combine(folder, "." + Path.GetFileName(path) + ".lock")))
            {
                Assert.NotNull(held);
                save = Task.Run(() => BenchTable.Save([Row("sfnet", 90)], Runtime, folder));
                Assert.False(await Finishes(save, TimeSpan.FromMilliseconds(400)), "the table was written while another bench held it");
                // The holder's own merge lands meanwhile; the waiting save must keep it.
                File.AppendAllText(path, BenchTable.Line(Row("ifa", 80), Runtime));
            }
            Assert.True(await Finishes(save, TimeSpan.FromSeconds(30)));
            var decoders = File.ReadLines(path).Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToList();
            Assert.Equal(["fpn", "ifa", "sfnet"], decoders.Order(StringComparer.Ordinal));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

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
            Assert.Equal(BenchTable.Header, lines[0] + "\n");
            Assert.EndsWith("amd-epyc-7b13-avx2_2t_cpu_torchsharp-0.107.0_64px.csv", path);
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
