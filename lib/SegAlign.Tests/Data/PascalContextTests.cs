using SegAlign.Data.Real;
using static SegAlign.Tests.Data.DatasetLayouts;

namespace SegAlign.Tests.Data;

public class PascalContextTests
{
    [Fact]
    public void Background_is_class_0_and_labels_are_kept()
    {
        using var temp = new TempFolder();
        Write("pascal-context", temp.Path, "val", "2008_000002", Fixtures.Label(H, W, 0, (1, 59), (2, 15), (3, 255)));

        var sample = PascalContext.Open(temp.Path, "val").Get(0);

        Assert.Equal(new byte[] { 0, 59, 15, 255, 0 }, sample.Label[..5]);
        Assert.Equal("background", PascalContext.Classes[0]);
        Assert.Equal("person", PascalContext.Classes[15]);
        Assert.Equal("pascal-context/val/2008_000002", sample.Id);
    }

    [Fact]
    public void Only_listed_images_belong_to_a_split()
    {
        using var temp = new TempFolder();
        Write("pascal-context", temp.Path, "train", "2008_000001", Fixtures.Label(H, W, 0));
        Write("pascal-context", temp.Path, "val", "2008_000002", Fixtures.Label(H, W, 0));

        Assert.Equal(["pascal-context/train/2008_000001"], PascalContext.Open(temp.Path, "train").Files.Select(f => f.Id));
    }

    [Fact]
    public void A_listed_image_that_is_missing_is_named()
    {
        using var temp = new TempFolder();
        var (image, _) = Write("pascal-context", temp.Path, "val", "2008_000002", Fixtures.Label(H, W, 0));
        File.Delete(image);

        Assert.Equal(image, Assert.Throws<InputException>(() => PascalContext.Open(temp.Path, "val")).Where);
    }

    [Fact]
    public void The_root_may_hold_VOCdevkit()
    {
        using var temp = new TempFolder();
        Write("pascal-context", Path.Combine(temp.Path, "VOCdevkit", "VOC2010"), "train", "2008_000001", Fixtures.Label(H, W, 0));

        Assert.Equal(1, PascalContext.Open(temp.Path, "train").Count);
    }

    [Fact]
    public void Sixty_labels_in_mmseg_order()
    {
        Assert.Equal(60, PascalContext.Classes.Length);
        Assert.Equal(60, PascalContext.Classes.Distinct().Count());
        Assert.Equal(60, PascalContext.Colours.Count);
        Assert.Equal(["background", "aeroplane", "bicycle"], PascalContext.Classes[..3]);
        Assert.Equal("wood", PascalContext.Classes[59]);
    }
}
