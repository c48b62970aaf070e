using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Models;
using SegAlign.Models.Backbones;
using SegAlign.Training;
using static TorchSharp.torch;

namespace SegAlign.Tests.Models;

public class BackboneWeightsTests
{
    [Fact]
    public void A_torchvision_classifier_checkpoint_initialises_the_backbone_exactly()
    {
        string file = Path.Combine(Path.GetTempPath(), $"segalign-r18-{Guid.NewGuid():N}.dat");
        try
        {
            manual_seed(1);
            using (var classifier = BackboneRegistry.CreateClassifier("resnet18", 10))
            {
                using (no_grad()) classifier.state_dict()["bn1.running_mean"].fill_(0.25); // buffers travel too
                classifier.save(file);
            }
            manual_seed(2);
            using var backbone = BackboneRegistry.Create("resnet18", new BackboneOptions());
            using var expected = BackboneRegistry.CreateClassifier("resnet18", 10);
            expected.load(file);
            backbone.LoadWeights(file);
            var loaded = backbone.state_dict();
            foreach (var (name, tensor) in expected.state_dict().Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal)))
                Assert.True(loaded[name].eq(tensor).all().item<bool>(), name);
            Assert.Equal(0.25f, loaded["bn1.running_mean"][0].item<float>());
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Weights_of_another_width_or_a_foreign_file_are_refused_naming_the_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"segalign-r18-{Guid.NewGuid():N}.dat");
        try
        {
            using (var classifier = BackboneRegistry.CreateClassifier("resnet18", 10)) classifier.save(file);
            using var halfWidth = BackboneRegistry.Create("resnet18", new BackboneOptions { Width = 0.5 });
            var wrongShape = Assert.Throws<InputException>(() => halfWidth.LoadWeights(file));
            Assert.Contains(file, wrongShape.Message);
            using var deeper = BackboneRegistry.Create("resnet34", new BackboneOptions());
            Assert.Contains("missing", Assert.Throws<InputException>(() => deeper.LoadWeights(file)).Message);
            File.WriteAllText(file, "not a state file");
            Assert.Throws<InputException>(() => halfWidth.LoadWeights(file));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void An_unset_weights_file_keeps_the_committed_runs_keys_and_a_set_one_changes_them()
    {
        var fpn = ExperimentPlan.Resolve(ExperimentDefinition.Load("overview"), "v1", null).First(r => r.Variant == "fpn").Config;
        Assert.Equal("bdb23140dc44", fpn.Hash()); // results/v1/runs/bdb23140dc44-s*
        var withWeights = fpn with { Model = fpn.Model with { BackboneWeights = "imagenet.dat" } };
        Assert.NotEqual(fpn.Hash(), withWeights.Hash());
        Assert.Contains("model.backboneWeights", Assert.Throws<InputException>(withWeights.Validate).Message);
    }
}
