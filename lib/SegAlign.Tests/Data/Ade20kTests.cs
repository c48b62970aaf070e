using SegAlign.Data.Real;
using static SegAlign.Tests.Data.DatasetLayouts;

namespace SegAlign.Tests.Data;

public class Ade20kTests
{
    [Fact]
    public void Zero_label_is_reduced()
    {
        var map = Ade20k.ReduceZeroLabel();

        Assert.Equal(255, map[0]);
        for (int v = 1; v <= 150; v++) Assert.Equal(v - 1, map[v]);
        Assert.Equal(255, map[255]);
        Assert.Equal(151, map[151]); // not a class: kept so validation reports it as stored
    }

    [Fact]
    public void Get_returns_reduced_labels()
    {
        using var temp = new TempFolder();
        Write("ade20k", temp.Path, "validation", "ADE_val_00000001", Fixtures.Label(H, W, 1, (1, 0), (2, 150), (3, 255), (4, 13)));

        var sample = Ade20k.Open(temp.Path, "validation").Get(0);

        Assert.Equal(new byte[] { 0, 255, 149, 255, 12, 0 }, sample.Label[..6]);
        Assert.Equal("ade20k/validation/ADE_val_00000001", sample.Id);
    }

    [Fact]
    public void The_root_may_be_the_folder_holding_ADEChallengeData2016()
    {
        using var temp = new TempFolder();
        Write("ade20k", Path.Combine(temp.Path, "ADEChallengeData2016"), "training", "ADE_train_00000001", Fixtures.Label(H, W, 1));

        Assert.Equal(1, Ade20k.Open(temp.Path, "training").Count);
    }

    [Fact]
    public void The_150_classes_in_benchmark_order()
    {
        Assert.Equal(150, Ade20k.Classes.Length);
        Assert.Equal(150, Ade20k.Colours.Count);
        Assert.Equal(150, Ade20k.Classes.Distinct().Count());
        Assert.Equal(["wall", "building", "sky"], Ade20k.Classes[..3]);
        Assert.Equal("person", Ade20k.Classes[12]);
        Assert.Equal("flag", Ade20k.Classes[149]);
        Assert.Equal(((byte)120, (byte)120, (byte)120), Ade20k.Colours[0]);
        Assert.Equal(((byte)92, (byte)0, (byte)255), Ade20k.Colours[149]);
    }
}
