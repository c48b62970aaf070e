using SegAlign.Data;
using SegAlign.Data.Real;
using static SegAlign.Tests.Data.DatasetLayouts;

namespace SegAlign.Tests.Data;

public class CityscapesTests
{
    [Fact]
    public void LabelIds_map_to_the_19_trainIds_of_cityscapesScripts()
    {
        // labels.py: id → trainId for the evaluated classes; every other id 0–33 is 255.
        var expected = new Dictionary<int, int>
        {
            [7] = 0, [8] = 1, [11] = 2, [12] = 3, [13] = 4, [17] = 5, [19] = 6, [20] = 7, [21] = 8, [22] = 9,
            [23] = 10, [24] = 11, [25] = 12, [26] = 13, [27] = 14, [28] = 15, [31] = 16, [32] = 17, [33] = 18,
        };
        var map = Cityscapes.LabelIdToTrainId();

        for (int id = 0; id <= 33; id++) Assert.Equal(expected.GetValueOrDefault(id, 255), map[id]);
        Assert.Equal(255, map[255]);
    }

    [Fact]
    public void Get_returns_trainIds()
    {
        using var temp = new TempFolder();
        var stored = Fixtures.Label(H, W, 7, (1, 26), (2, 0), (3, 33), (4, 255), (5, 9), (6, 24));
        Write("cityscapes", temp.Path, "train", "aachen_000000_000019", stored);

        var sample = Cityscapes.Open(temp.Path, "train").Get(0);

        Assert.Equal(new byte[] { 0, 13, 255, 18, 255, 255, 11, 0 }, sample.Label[..8]);
        Assert.Equal("cityscapes/train/aachen_000000_000019", sample.Id);
        Assert.Equal("road", Cityscapes.Classes[sample.Label[0]]);
        Assert.Equal("car", Cityscapes.Classes[sample.Label[1]]);
    }

    [Fact]
    public void Images_of_every_city_are_paired_with_their_own_city_labels()
    {
        using var temp = new TempFolder();
        foreach (var (city, labelId) in new[] { ("zurich", (byte)26), ("bremen", (byte)8) })
        {
            var image = Path.Combine(temp.Path, "leftImg8bit", "val", city, $"{city}_000000_000001_leftImg8bit.png");
            var label = Path.Combine(temp.Path, "gtFine", "val", city, $"{city}_000000_000001_gtFine_labelIds.png");
            Directory.CreateDirectory(Path.GetDirectoryName(image)!);
            Directory.CreateDirectory(Path.GetDirectoryName(label)!);
            Fixtures.WritePair(image, label, Fixtures.Label(H, W, labelId), H, W);
            // Other gtFine outputs sit next to labelIds and must be ignored.
            Fixtures.WriteGreyPng(label.Replace("labelIds", "labelTrainIds", StringComparison.Ordinal), Fixtures.Label(H, W, 99), H, W);
        }

        var split = Cityscapes.Open(temp.Path, "val");

        Assert.Equal(["cityscapes/val/bremen_000000_000001", "cityscapes/val/zurich_000000_000001"], split.Files.Select(f => f.Id));
        Assert.Equal(1, split.Get(0).Label[0]);  // sidewalk
        Assert.Equal(13, split.Get(1).Label[0]); // car
    }

    [Fact]
    public void Class_names_and_official_colours()
    {
        Assert.Equal(19, Cityscapes.Classes.Length);
        Assert.Equal(19, Cityscapes.Colours.Count);
        Assert.Equal(((byte)128, (byte)64, (byte)128), Cityscapes.Colours[0]); // road
        Assert.Equal(((byte)0, (byte)0, (byte)142), Cityscapes.Colours[13]);   // car
        Assert.Equal("bicycle", Cityscapes.Classes[18]);
    }
}
