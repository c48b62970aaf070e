using SegAlign.Config;
using SegAlign.Data;
using static SegAlign.Tests.Data.DatasetLayouts;

namespace SegAlign.Tests.Data;

/// <summary>Behaviour every real dataset shares: pairing, lazy decoding, checks with errors that name files, registration.</summary>
public class RealDatasetTests
{
    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void Opens_a_split_in_its_published_layout_in_a_stable_order(string dataset)
    {
        using var temp = new TempFolder();
        WriteBothSplits(dataset, temp.Path);
        var (train, _) = Splits(dataset);

        var split = Open(dataset, temp.Path, train);

        Assert.Equal(2, split.Count);
        Assert.Equal($"{dataset}/{train}", split.Name);
        // Folders are listed in ordinal order; Pascal Context keeps the order of its split list (written b, a).
        var expected = dataset == "pascal-context" ? new[] { "b_0002", "a_0001" } : ["a_0001", "b_0002"];
        Assert.Equal(expected.Select(name => $"{dataset}/{train}/{name}"), split.Files.Select(f => f.Id));
        Assert.Equal(split.NumClasses, split.ClassNames.Count);
        Assert.Equal(split.NumClasses, split.Palette.Count);
        Assert.Equal(split.NumClasses, split.ClassNames.Distinct().Count());
        Assert.Equal(Datasets.ImageNet, split.Normalisation);
        var sample = split.Get(0);
        Assert.Equal((H, W, 3), (sample.Height, sample.Width, sample.Channels));
        Assert.All(sample.Label, v => Assert.Equal(0, v));
        Assert.All(sample.Image, v => Assert.InRange(v, 0f, 1f));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void Image_and_label_sizes_must_match(string dataset)
    {
        using var temp = new TempFolder();
        var (train, _) = Splits(dataset);
        var (image, label) = Write(dataset, temp.Path, train, "x_0001", Fixtures.Label(H, W, FirstClass(dataset)), imageHeight: H + 2);

        var error = Assert.Throws<InputException>(() => Open(dataset, temp.Path, train).Get(0));

        Assert.Equal(label, error.Where);
        Assert.Contains(image, error.Message);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void A_label_value_outside_the_class_set_is_an_error_naming_the_file(string dataset)
    {
        using var temp = new TempFolder();
        var (train, _) = Splits(dataset);
        byte bad = OutOfRange(dataset);
        var (_, label) = Write(dataset, temp.Path, train, "x_0001", Fixtures.Label(H, W, FirstClass(dataset), (5, bad)));

        var error = Assert.Throws<InputException>(() => Open(dataset, temp.Path, train).Get(0));

        Assert.Equal(label, error.Where);
        Assert.Contains($"label value {bad} at pixel 5", error.Problem);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void Images_are_decoded_lazily_and_a_corrupt_one_is_named(string dataset)
    {
        using var temp = new TempFolder();
        var (train, _) = Splits(dataset);
        var (image, _) = Write(dataset, temp.Path, train, "x_0001", Fixtures.Label(H, W, FirstClass(dataset)));
        Fixtures.Truncate(image);

        var split = Open(dataset, temp.Path, train); // listing does not decode

        Assert.Equal(image, Assert.Throws<InputException>(() => split.Get(0)).Where);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void A_missing_label_folder_explains_the_expected_layout(string dataset)
    {
        using var temp = new TempFolder();
        WriteBothSplits(dataset, temp.Path);
        var (train, _) = Splits(dataset);
        var labelFolder = Path.GetDirectoryName(Paths(dataset, temp.Path, train, "a_0001").Label)!;
        if (dataset == "cityscapes") labelFolder = Path.GetDirectoryName(labelFolder)!; // gtFine/train, above the city
        Directory.Delete(labelFolder, recursive: true);

        var error = Assert.Throws<InputException>(() => Open(dataset, temp.Path, train));

        Assert.Equal(labelFolder, error.Where);
        Assert.Contains(Path.GetFileName(labelFolder), error.Fix);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void A_missing_label_file_is_named(string dataset)
    {
        using var temp = new TempFolder();
        WriteBothSplits(dataset, temp.Path);
        var (train, _) = Splits(dataset);
        var label = Paths(dataset, temp.Path, train, "b_0002").Label;
        File.Delete(label);

        Assert.Equal(label, Assert.Throws<InputException>(() => Open(dataset, temp.Path, train)).Where);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void An_empty_or_absent_root_is_an_input_error(string dataset)
    {
        using var temp = new TempFolder();
        var (train, _) = Splits(dataset);

        Assert.Throws<InputException>(() => Open(dataset, temp.Path, train));
        Assert.Throws<InputException>(() => Open(dataset, Path.Combine(temp.Path, "absent"), train));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void The_factory_trains_on_augmented_crops_and_validates_on_full_images(string dataset)
    {
        using var temp = new TempFolder();
        WriteBothSplits(dataset, temp.Path);
        var entry = DatasetRegistry.Get(dataset);
        var config = DataConfigFor(dataset, temp.Path, cropSize: 20, new AugmentOptions { MinScale = 0.5, MaxScale = 2, HorizontalFlip = true });

        var train = entry.Train(config, 3);
        var validation = entry.Validation(config);

        Assert.True(entry.IsReal);
        Assert.IsType<AugmentedDataset>(train);
        Assert.Equal(2, train.Count);
        Assert.Equal((20, 20), (train.Get(1).Height, train.Get(1).Width));
        Assert.EndsWith(Splits(dataset).Validation, validation.Name);
        Assert.Equal((H, W), (validation.Get(0).Height, validation.Get(0).Width));
        DatasetRegistry.Validate(config);
    }

    [Fact]
    public void Samples_can_be_read_from_several_threads_at_once()
    {
        using var temp = new TempFolder();
        for (int i = 0; i < 4; i++)
            Write("ade20k", temp.Path, "training", $"img_{i}", Fixtures.Label(H, W, (byte)(i + 1), (i, 0)));
        var augmented = new AugmentedDataset(Open("ade20k", temp.Path, "training"), new AugmentOptions { MinScale = 0.5, MaxScale = 2, HorizontalFlip = true }, 12, 4);
        var sequential = Enumerable.Range(0, 32).Select(augmented.Get).ToArray();

        var parallel = new Sample[32];
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => parallel[k] = augmented.Get(k));

        for (int k = 0; k < 32; k++)
        {
            Assert.Equal(sequential[k].Image, parallel[k].Image);
            Assert.Equal(sequential[k].Label, parallel[k].Label);
        }
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(DatasetLayouts))]
    public void The_factory_needs_a_root(string dataset)
    {
        var config = DataConfigFor(dataset, root: "", cropSize: 32);

        Assert.Equal("data.root", Assert.Throws<InputException>(() => DatasetRegistry.Get(dataset).Validation(config)).Where);
        Assert.Equal("data.root", Assert.Throws<InputException>(() => DatasetRegistry.Validate(config)).Where);
    }
}
