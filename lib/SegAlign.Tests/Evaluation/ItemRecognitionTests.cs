using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Tests.Data;
using SegAlign.Tests.Reliability;
using SegAlign.Training;

namespace SegAlign.Tests.Evaluation;

public class ItemRecognitionTests
{
    const byte I = Sample.Ignore;

    [Fact]
    public void Each_item_is_named_by_the_class_most_of_its_labelled_pixels_get()
    {
        // Item 1 (class 3, 4 pixels): 3 right, 1 as class 5 → named right, one fragment pixel elsewhere.
        // Item 2 (class 5, 4 labelled pixels + 1 ignored): 3 as class 7, 1 background → misnamed as another garment.
        // Item 3 (class 2, 2 pixels): both background → lost. Item 4 owns only an ignored pixel → not counted.
        byte[] owner =      [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4];
        byte[] label =      [0, 3, 3, 3, 3, 5, 5, 5, 5, I, 2, 2, I];
        byte[] prediction = [9, 3, 3, 3, 5, 7, 7, 7, 0, 1, 0, 0, 4];
        var recognition = new ItemRecognition(11);
        recognition.Add(prediction, label, owner);

        Assert.Equal([new ItemOutcome(3, 4, 3, 3, 0), new ItemOutcome(5, 4, 7, 0, 1), new ItemOutcome(2, 2, 0, 0, 2)], recognition.Items);
        var all = recognition.Summarise([]).First();
        Assert.Equal(3, all.Items);
        Assert.Equal(100.0 / 3, all.NamedRight, 9);
        Assert.Equal(100.0 / 3, all.NamedAnotherGarment, 9);
        Assert.Equal(100.0 / 3, all.LostToBackground, 9);
        Assert.Equal(100.0 * 3 / 10, all.PixelsCorrect, 9);
        Assert.Equal(100.0 * 4 / 10, all.PixelsOtherGarment, 9);          // one fragment in item 1, three in item 2
        Assert.Equal(100.0 * 3 / 10, all.PixelsOtherGarmentInMisnamedItems, 9); // only item 2's
    }

    [Fact]
    public void Size_groups_split_the_items_by_labelled_pixels_and_cover_them_all()
    {
        var recognition = new ItemRecognition(3);
        // Items of 1, 2 and 5 labelled pixels, all named right.
        byte[] owner = [1, 2, 2, 3, 3, 3, 3, 3];
        byte[] label = [1, 2, 2, 1, 1, 1, 1, 1];
        recognition.Add(label, label, owner);
        var groups = recognition.Summarise([2, 5]);
        Assert.Equal(["all items", "0–1 px", "2–4 px", "≥ 5 px"], groups.Select(g => g.Group));
        Assert.Equal([3, 1, 1, 1], groups.Select(g => g.Items));
        Assert.All(groups, g => Assert.Equal(100, g.NamedRight));
    }

    [Fact]
    public void Generated_scenes_report_the_item_that_owns_each_labelled_pixel()
    {
        var scenes = FashionScenes.Validation(TestConfigs.Tiny().Data.FashionScenes!);
        for (int i = 0; i < scenes.Count; i++)
        {
            var (sample, owner) = scenes.GetWithItems(i);
            var plain = scenes.Get(i);
            Assert.Equal(plain.Image, sample.Image);
            Assert.Equal(plain.Label, sample.Label);
            for (int p = 0; p < owner.Length; p++)
                Assert.True(owner[p] == 0 ? sample.Label[p] == 0 : sample.Label[p] != 0, $"scene {i} pixel {p}: owner {owner[p]}, label {sample.Label[p]}");
        }
    }

    [Fact]
    public void The_evaluator_hands_every_image_to_an_observer_once_with_its_index()
    {
        var config = TestConfigs.Tiny();
        var scenes = FashionScenes.Validation(config.Data.FashionScenes!);
        using var model = new SegAlign.Models.Segmentor(config.Model, scenes.NumClasses);
        var seen = new List<(int Index, string Id, int Pixels)>();
        var recognition = new ItemRecognition(scenes.NumClasses);
        var observer = recognition.Observer(scenes);
        // Batches of 4 over 6 scenes: the index must carry across batches.
        SegAlign.Evaluation.Evaluator.Evaluate(model, scenes, 4, observe: (i, prediction, sample) =>
        {
            seen.Add((i, sample.Id, prediction.Length));
            observer(i, prediction, sample);
        });
        Assert.Equal(Enumerable.Range(0, scenes.Count), seen.Select(s => s.Index));
        Assert.All(seen, s => Assert.Equal(scenes.Get(s.Index).Id, s.Id));
        Assert.All(seen, s => Assert.Equal(32 * 32, s.Pixels));
        Assert.Equal(Enumerable.Range(0, scenes.Count).Sum(i => CountItems(scenes, i)), recognition.Items.Count);
    }

    static int CountItems(FashionScenes scenes, int index)
    {
        var (sample, owner) = scenes.GetWithItems(index);
        return owner.Where((o, p) => o != 0 && sample.Label[p] != Sample.Ignore).Distinct().Count();
    }

    [Fact]
    public void Eval_prints_the_item_table_for_a_scenes_run()
    {
        var config = TestConfigs.Tiny(iterations: 2);
        string path = TestConfigs.NewRunFolder();
        Trainer.Run(config, 0, path);
        var (code, output, error) = CliRunner.Run("eval", path, "--items", "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("garments as a whole", output);
        Assert.Contains("all items", output);
    }

    [Fact]
    public void Eval_items_on_another_dataset_is_refused_before_loading_anything()
    {
        string root = Directory.CreateTempSubdirectory("segalign-camvid-").FullName;
        DatasetLayouts.WriteBothSplits("camvid", root);
        var config = TestConfigs.Tiny() with { Data = DatasetLayouts.DataConfigFor("camvid", root, cropSize: 16) };
        string path = TestConfigs.NewRunFolder();
        new RunFolder(path).WriteConfig(config, 0, config.Hash(), "test");
        CliRunner.AssertBadInput(CliRunner.Run("eval", path, "--items"), "--items", "fashion-scenes", "camvid");
    }
}
