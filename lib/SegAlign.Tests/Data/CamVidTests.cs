using SegAlign.Data.Real;
using static SegAlign.Tests.Data.DatasetLayouts;

namespace SegAlign.Tests.Data;

public class CamVidTests
{
    [Fact]
    public void Void_becomes_ignore_and_classes_are_kept()
    {
        using var temp = new TempFolder();
        Write("camvid", temp.Path, "train", "0001TP_006690", Fixtures.Label(H, W, 3, (1, 11), (2, 0), (3, 10), (4, 255)));

        var sample = CamVid.Open(temp.Path, "train").Get(0);

        Assert.Equal(new byte[] { 3, 255, 0, 10, 255, 3 }, sample.Label[..6]);
        Assert.Equal("road", CamVid.Classes[sample.Label[0]]);
        Assert.Equal("camvid/train/0001TP_006690", sample.Id);
    }

    [Fact]
    public void The_test_split_and_a_root_holding_the_CamVid_folder_are_accepted()
    {
        using var temp = new TempFolder();
        var root = Path.Combine(temp.Path, "CamVid");
        Write("camvid", root, "train", "a", Fixtures.Label(H, W, 0));
        Write("camvid", root, "test", "b", Fixtures.Label(H, W, 0));

        Assert.Equal(1, CamVid.Open(temp.Path, "test").Count);
    }

    [Fact]
    public void The_11_SegNet_classes()
    {
        Assert.Equal(11, CamVid.Classes.Length);
        Assert.Equal(11, CamVid.Colours.Count);
        Assert.Equal("sky", CamVid.Classes[0]);
        Assert.Equal("bicyclist", CamVid.Classes[10]);
        Assert.Equal(255, CamVid.VoidToIgnore()[CamVid.Void]);
    }
}
