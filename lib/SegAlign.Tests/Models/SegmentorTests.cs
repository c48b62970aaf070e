using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using SegAlign.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Models;

public class SegmentorTests
{
    [Fact]
    public void Logits_are_resized_with_the_corner_convention_the_config_names()
    {
        var model = new ModelConfig { Backbone = "resnet18", Width = 0.25, Decoder = "fpn", DecoderChannels = 16 };
        torch.manual_seed(0);
        using var standard = new Segmentor(model, 5);
        using var sfnet = new Segmentor(model with { LogitsAlignCorners = true }, 5);
        sfnet.load_state_dict(standard.state_dict());
        standard.eval(); sfnet.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var image = randn(1, 3, 64, 64);
        var decoded = standard.Decoder.forward(new DecoderInput(standard.Backbone.forward(image)[1..], standard.Backbone.forward(image)[0], 64, 64, null)).Logits;
        Assert.True(standard.forward(image).Logits.allclose(Ops.Resize(decoded, 64, 64, alignCorners: false), 1e-5, 1e-5));
        Assert.True(sfnet.forward(image).Logits.allclose(Ops.Resize(decoded, 64, 64, alignCorners: true), 1e-5, 1e-5));
        Assert.False(sfnet.forward(image).Logits.allclose(standard.forward(image).Logits, 1e-3, 1e-3));
    }

    [Fact]
    public void The_corner_setting_stays_out_of_the_hash_until_set()
    {
        var config = TestConfigs.Tiny();
        Assert.Equal(config.Hash(), (config with { Model = config.Model with { LogitsAlignCorners = null } }).Hash());
        Assert.NotEqual(config.Hash(), (config with { Model = config.Model with { LogitsAlignCorners = true } }).Hash());
        Assert.DoesNotContain("logitsAlignCorners", config.Resolved().ToJsonString());
    }
}
