using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Tests.Reliability;
using SegAlign.Training;

namespace SegAlign.Tests.Training;

public class PretrainTests
{
    static PretrainConfig Tiny(int iterations = 4) => new()
    {
        Name = "tiny", Backbone = "resnet18", Width = 0.25, ImageSize = 32, MinScale = 0.5, MaxScale = 1.0,
        HeldOutImages = 100, EvalImages = 8, Iterations = iterations, BatchSize = 4, WarmupIterations = 1,
        EvalEvery = 2, CheckpointEvery = 2, Seed = 3,
    };

    static PretrainStore NewStore() => new(Directory.CreateTempSubdirectory("segalign-pretrain-").FullName);

    [Fact]
    public void Held_out_images_never_enter_pretraining_and_only_the_chosen_classes_appear()
    {
        var recipe = Tiny() with { Classes = [0, 2, 4] };
        var train = FashionObjects.Train(recipe);
        var heldOut = FashionObjects.HeldOut(recipe);
        Assert.Empty(train.SourceImages.Intersect(heldOut.SourceImages));
        Assert.All(heldOut.SourceImages, i => Assert.True(i >= 60000 - 100, $"held-out image {i} is not among the last 100"));
        var (images, labels) = train.Batch(0, 16);
        Assert.Equal(16 * 3 * 32 * 32, images.Length);
        Assert.All(labels, l => Assert.InRange(l, 0, 2));
        Assert.Equal(train.Get(5).Image, train.Get(5).Image); // a pure function of the index
        Assert.NotEqual(train.Get(5).Image, train.Get(6).Image);
    }

    [Fact]
    public void Pretraining_writes_a_complete_cached_folder_whose_weights_load_into_the_segmentation_backbone()
    {
        var store = NewStore();
        var metrics = Pretrainer.Run(Tiny(), store, threads: 1);
        var folder = store.Folder(Tiny());
        Assert.True(folder.IsComplete);
        Assert.False(File.Exists(folder.CheckpointFile));
        Assert.InRange(metrics.Top1, 0, 100);
        Assert.Equal(10, metrics.PerClassTop1.Count);
        Assert.Equal([2, 4], Pretrainer.ReadEvalLog(folder).Select(r => r.Iteration));
        Assert.Equal(PretrainRecipes.Hash(Tiny()), metrics.Hash);

        using var model = new Segmentor(new ModelConfig { Backbone = "resnet18", Width = 0.25, Decoder = "fpn", DecoderChannels = 16 }, 11);
        model.Backbone.LoadWeights(folder.WeightsFile); // every backbone parameter found with its shape; fc.* skipped

        // A second call finds the cache and trains nothing.
        var written = File.GetLastWriteTimeUtc(folder.WeightsFile);
        Assert.Equal(metrics.Top1, Pretrainer.Run(Tiny(), store, threads: 1).Top1);
        Assert.Equal(written, File.GetLastWriteTimeUtc(folder.WeightsFile));
    }

    [Fact]
    public void An_interrupted_pretraining_resumes_to_the_same_weights()
    {
        var straight = NewStore();
        Pretrainer.Run(Tiny(6), straight, threads: 1);

        var interrupted = NewStore();
        using var cancel = new CancellationTokenSource();
        var stopAtThree = new ImmediateProgress<PretrainProgress>(p => { if (p.Phase == "train" && p.Iteration == 3) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Pretrainer.Run(Tiny(6), interrupted, threads: 1, progress: stopAtThree, cancellation: cancel.Token));
        Assert.True(File.Exists(interrupted.Folder(Tiny(6)).CheckpointFile));
        Assert.False(interrupted.Folder(Tiny(6)).IsComplete);
        Pretrainer.Run(Tiny(6), interrupted, threads: 1);

        Assert.Equal(File.ReadAllBytes(straight.Folder(Tiny(6)).WeightsFile), File.ReadAllBytes(interrupted.Folder(Tiny(6)).WeightsFile));
    }

    [Fact]
    public void A_pretraining_reference_is_pinned_to_its_recipe_hash_and_checked_against_the_model()
    {
        var recipe = PretrainRecipes.Load("fashion-objects");
        var config = TestConfigs.Tiny() with { Model = TestConfigs.Tiny().Model with { Width = recipe.Width, BackboneWeights = "pretrain:fashion-objects" } };
        config.Validate();
        Assert.Equal($"pretrain:fashion-objects@{PretrainRecipes.Hash(recipe)}", (string?)config.Resolved()["model"]!["backboneWeights"]);
        var scratch = config with { Model = config.Model with { BackboneWeights = null } };
        Assert.NotEqual(scratch.Hash(), config.Hash());

        var wrongWidth = config with { Model = config.Model with { Width = 0.25 } };
        var e = Assert.Throws<InputException>(() => wrongWidth.Validate());
        Assert.Contains("model.backboneWeights", e.Message);
        Assert.Contains("width", e.Message);

        var unknown = config with { Model = config.Model with { BackboneWeights = "pretrain:nosuch" } };
        Assert.Contains("unknown recipe 'nosuch'", Assert.Throws<InputException>(() => unknown.Validate()).Message);

        var missing = Assert.Throws<InputException>(() => NewStore().WeightsFile("pretrain:fashion-objects"));
        Assert.Contains("segalign pretrain fashion-objects", missing.Message);
    }

    [Fact]
    public void The_committed_recipes_pin_their_thread_count_without_rekeying_the_runs_that_load_them()
    {
        foreach (var name in PretrainRecipes.Available())
        {
            var recipe = PretrainRecipes.Load(name);
            Assert.True(recipe.Threads > 0, $"{name}.json pins no thread count: its prior would differ bit for bit between machines");
            Assert.Equal(PretrainRecipes.Hash(recipe with { Threads = 0 }), PretrainRecipes.Hash(recipe));
            Assert.Equal(recipe.Threads, Pretrainer.ThreadsFor(recipe, requested: 0));
            Assert.Equal(5, Pretrainer.ThreadsFor(recipe, requested: 5));
        }
        // The hash the committed v2 runs pin (results/full/runs/*/config.json) is unchanged by the pin.
        Assert.Equal("517cda43aaf7", PretrainRecipes.Hash(PretrainRecipes.Load("fashion-objects")));
        Assert.Equal(0, Pretrainer.ThreadsFor(Tiny(), requested: 0));
    }

    [Fact]
    public void A_bad_recipe_is_refused_naming_the_field()
    {
        Assert.Contains("threads", Assert.Throws<InputException>(() => (Tiny() with { Threads = -1 }).Validate("recipe.json")).Message);
        var e = Assert.Throws<InputException>(() => (Tiny() with { Classes = [3, 3] }).Validate("recipe.json"));
        Assert.Contains("classes", e.Message);
        e = Assert.Throws<InputException>(() => (Tiny() with { MaxScale = 3 }).Validate("recipe.json"));
        Assert.Contains("maxScale", e.Message);
    }

    [Fact]
    public void The_pretrain_command_names_an_unknown_recipe()
    {
        CliRunner.AssertBadInput(CliRunner.Run("pretrain", "nosuch"), "unknown recipe 'nosuch'", "fashion-objects");
        CliRunner.AssertBadInput(CliRunner.Run("pretrain", "../baseline"), "not a plain recipe name");
    }
}
