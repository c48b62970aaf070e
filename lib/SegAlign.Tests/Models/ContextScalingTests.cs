using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Models.Modules;
using SegAlign.Training;

namespace SegAlign.Tests.Models;

/// <summary>
/// model.contextInputSize sizes PPM bins, ASPP rates and RSP windows for the maps the model sees (issue 11, item 3);
/// unset, every decoder keeps the published values (protocol v1 and the paper preset).
/// </summary>
public class ContextScalingTests
{
    [Fact]
    public void Pool_bins_never_up_sample_the_map()
    {
        Assert.Equal([1, 2, 3, 4], ContextScaling.PoolBins([1, 2, 3, 6], 4));
        Assert.Equal([1, 2], ContextScaling.PoolBins([1, 2, 3, 6], 2));
        Assert.Equal([1, 2, 3, 6], ContextScaling.PoolBins([1, 2, 3, 6], 32));
        Assert.Equal([1, 2, 3, 6], ContextScaling.PoolBins([1, 2, 3, 6], null));
    }

    [Fact]
    public void Atrous_rates_keep_the_papers_fraction_of_the_map()
    {
        Assert.Equal([3, 6, 9], ContextScaling.AtrousRates([12, 24, 36], 8, 16));    // 128 px at output stride 8
        Assert.Equal([1, 3, 4], ContextScaling.AtrousRates([12, 24, 36], 8, 8));     // 64 px
        Assert.Equal([12, 24, 36], ContextScaling.AtrousRates([12, 24, 36], 8, 65)); // the paper's 513-px crop
        Assert.Equal([12, 24, 36], ContextScaling.AtrousRates([12, 24, 36], 8, null));
    }

    [Fact]
    public void The_relation_window_stays_smaller_than_the_coarsest_map()
    {
        Assert.Equal(3, ContextScaling.RegionSize(5, 4));
        Assert.Equal(5, ContextScaling.RegionSize(5, 8));
        Assert.Equal(1, ContextScaling.RegionSize(5, 2));
        Assert.Equal(5, ContextScaling.RegionSize(5, 5 + 27));
        Assert.Equal(5, ContextScaling.RegionSize(5, null));
    }

    static Segmentor Build(string decoder, int? contextInputSize, int outputStride = 32) =>
        new(new ModelConfig { Backbone = "resnet18", Width = 0.25, Decoder = decoder, DecoderChannels = 16, OutputStride = outputStride, ContextInputSize = contextInputSize }, 11);

    [Fact]
    public void Decoders_use_the_scaled_settings_only_when_asked()
    {
        using (var fpn = Build("fpn", 128)) Assert.Equal([1, 2, 3, 4], ((FpnDecoder)fpn.Decoder).PoolBins);
        using (var fpn = Build("fpn", null)) Assert.Equal([1, 2, 3, 6], ((FpnDecoder)fpn.Decoder).PoolBins);
        using (var sfnet = Build("sfnet", 128)) Assert.Equal([1, 2, 3, 4], ((FpnDecoder)sfnet.Decoder).PoolBins);
        using (var rsp = Build("rsp", 128)) Assert.Equal(3, ((RspDecoder)rsp.Decoder).RegionSize);
        using (var rsp = Build("rsp", null)) Assert.Equal(5, ((RspDecoder)rsp.Decoder).RegionSize);
        using (var aspp = Build("deeplabv3", 128, outputStride: 8)) Assert.Equal([3, 6, 9], ((DeepLabV3Decoder)aspp.Decoder).AtrousRates);
        using (var aspp = Build("deeplabv3", null, outputStride: 8)) Assert.Equal([12, 24, 36], ((DeepLabV3Decoder)aspp.Decoder).AtrousRates);
    }

    [Fact]
    public void Unset_it_stays_out_of_the_config_hash_and_set_it_changes_it()
    {
        var plain = TestConfigs.Tiny();
        var scaled = plain with { Model = plain.Model with { ContextInputSize = 128 } };
        Assert.DoesNotContain("contextInputSize", plain.Resolved().ToJsonString());
        Assert.Contains("contextInputSize", scaled.Resolved().ToJsonString());
        Assert.NotEqual(plain.Hash(), scaled.Hash());
    }

    [Fact]
    public void An_implausible_size_is_refused_with_the_key()
    {
        var error = Assert.Throws<InputException>(() => Build("fpn", 8));
        Assert.Contains("model.contextInputSize", error.Message);
    }
}
