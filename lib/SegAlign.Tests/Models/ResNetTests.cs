using SegAlign.Config;
using SegAlign.Models.Backbones;
using SegAlign.Models;
using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Tests.Models;

public class ResNetTests
{
    [Fact]
    public void ResNet18_with_1000_classes_has_torchvisions_parameter_count_and_names()
    {
        using var model = BackboneRegistry.CreateClassifier("resnet18");
        Assert.Equal(11_689_512, model.parameters().Sum(p => p.numel()));
        var names = model.state_dict().Keys.ToHashSet();
        foreach (var name in new[] { "conv1.weight", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
                                     "layer2.0.downsample.1.bias", "layer4.1.bn2.weight", "fc.weight", "fc.bias" })
            Assert.Contains(name, names);
    }

    [Fact]
    public void ResNet50_has_torchvisions_parameter_count()
    {
        using var model = BackboneRegistry.CreateClassifier("resnet50");
        Assert.Equal(25_557_032, model.parameters().Sum(p => p.numel()));
        Assert.Contains("layer3.5.conv3.weight", model.state_dict().Keys);
    }

    [Theory]
    [InlineData("resnet18", 1.82)]
    [InlineData("resnet50", 4.09)]
    public void Classifier_MACs_at_224_match_torchvisions_published_figures(string name, double gmacs)
    {
        using var model = BackboneRegistry.CreateClassifier(name);
        model.eval();
        using var _ = no_grad();
        using var input = zeros(1, 3, 224, 224);
        using var counter = FlopCounter.Start();
        model.Classify(input);
        Assert.Empty(counter.Uncounted);
        // Convolutions and the classifier dominate; BN, ReLU, pooling and residual adds add ≈ 0.5 %.
        Assert.InRange(counter.GMacs, gmacs * 0.995, gmacs * 1.01);
        Assert.InRange(counter.MacsByOp["conv2d"] / 1e9, gmacs * 0.99, gmacs * 1.005);
    }

    [Theory]
    [InlineData(32, new[] { 4, 8, 16, 32 })]
    [InlineData(16, new[] { 4, 8, 16, 16 })]
    [InlineData(8, new[] { 4, 8, 8, 8 })]
    public void Dilation_sets_the_output_stride(int outputStride, int[] strides)
    {
        using var backbone = BackboneRegistry.Create("resnet18", new BackboneOptions { Width = 0.25, OutputStride = outputStride });
        Assert.Equal(strides, backbone.Strides);
        using var scope = NewDisposeScope();
        var levels = backbone.forward(randn(1, 3, 64, 64));
        Assert.Equal(32, levels[0].shape[2]); // C1 at stride 2
        for (int i = 0; i < 4; i++) Assert.Equal(64 / strides[i], levels[i + 1].shape[2]);
    }

    [Fact]
    public void Width_input_channels_and_deep_stem_are_honoured()
    {
        using var backbone = BackboneRegistry.Create("resnet50", new BackboneOptions { Width = 0.5, InChannels = 1, DeepStem = true });
        Assert.Equal(new long[] { 128, 256, 512, 1024 }, backbone.Channels);
        Assert.Equal(64, backbone.StemChannels);
        using var scope = NewDisposeScope();
        var levels = backbone.forward(randn(1, 1, 32, 32));
        Assert.Equal(1024, levels[4].shape[1]);
    }

    [Fact]
    public void Model_parameters_are_reported_per_component()
    {
        using var model = new SegAlign.Models.Segmentor(new SegAlign.Config.ModelConfig { Width = 0.25, DecoderChannels = 16, AuxHead = true }, 5);
        var parameters = ModelStats.Parameters(model);
        Assert.Equal(parameters["backbone"] + parameters["decoder"] + parameters["auxiliary"], parameters["total"]);
        Assert.True(parameters["auxiliary"] > 0);
    }
}
