using SegAlign.Models;
using SegAlign.Training;
using static TorchSharp.torch;

namespace SegAlign.Tests.Training;

public class CheckpointWeightsTests
{
    static Dictionary<string, Tensor> StateOf(Segmentor model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    [Fact]
    public void Model_weights_are_copied_exactly_and_sections_are_left_alone()
    {
        using var scope = NewDisposeScope();
        var config = TestConfigs.Tiny().Model;
        manual_seed(1);
        using var source = new Segmentor(config, 11);
        var tensors = StateOf(source);
        tensors["optim/momentum.0"] = ones(3); // another section of the checkpoint: not model weights
        manual_seed(2);
        using var target = new Segmentor(config, 11);
        Checkpoint.LoadModelWeights(target, tensors, "run/checkpoint.ckpt", "retrain");
        var loaded = target.state_dict();
        foreach (var (name, tensor) in source.state_dict())
            Assert.True(loaded[name].eq(tensor).all().item<bool>(), name);
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_bad_input_naming_the_file()
    {
        using var scope = NewDisposeScope();
        using var fpn = new Segmentor(TestConfigs.Tiny("fpn").Model, 11);
        using var sfnet = new Segmentor(TestConfigs.Tiny("sfnet").Model, 11);
        var error = Assert.Throws<InputException>(() => Checkpoint.LoadModelWeights(sfnet, StateOf(fpn), "run/checkpoint.ckpt", "retrain the run"));
        Assert.Contains("run/checkpoint.ckpt", error.Message);
        Assert.Contains("does not match the model", error.Message);
        Assert.Contains("retrain the run", error.Message);
    }
}
