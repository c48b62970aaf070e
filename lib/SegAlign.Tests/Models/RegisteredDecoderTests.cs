using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Nn;
using SegAlign.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Tests.Models;

/// <summary>What every registered decoder must satisfy; a new decoder gets these tests by registering.</summary>
public class RegisteredDecoderTests
{
    public static TheoryData<string> Decoders() => new(DecoderRegistry.Names.OrderBy(n => n));

    // Each decoder at its registry defaults (DeepLabV3 is defined at output stride 8).
    static ModelConfig TinyModel(string decoder) => DecoderRegistry.Get(decoder).Defaults.ApplyTo(new()
    {
        Backbone = "resnet18", Width = 0.25, Decoder = decoder, DecoderChannels = 16,
    });

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Output_has_the_input_size_also_when_not_divisible_by_32(string decoder)
    {
        torch.manual_seed(0);
        using var model = new Segmentor(TinyModel(decoder), 5);
        model.eval();
        foreach (var (h, w) in new[] { (64, 64), (65, 47), (33, 97), (40, 56) })
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var logits = model.forward(randn(2, 3, h, w)).Logits;
            Assert.Equal(new long[] { 2, 5, h, w }, logits.shape);
            Assert.True(logits.isfinite().all().item<bool>(), $"{decoder} produced non-finite logits at {h}×{w}");
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void One_backward_pass_reaches_every_parameter(string decoder)
    {
        torch.manual_seed(1);
        using var model = new Segmentor(TinyModel(decoder) with { AuxHead = true }, 5);
        model.train();
        using var scope = NewDisposeScope();
        var images = randn(2, 3, 65, 47);
        var labels = randint(0, 5, [2, 65, 47]);
        void Backward()
        {
            model.zero_grad();
            Losses.Total(model.forward(images), labels).backward();
        }
        // Zero-initialised offset predictors (AlignSeg, as in its official code) block the gradient to the layers
        // in front of them until their own weights move, so take one SGD step before the pass that is checked.
        Backward();
        using (var optimiser = new Sgd([new ParameterGroup("all", model.parameters().ToList(), 1)], 0.9, 0)) optimiser.Step(0.01);
        Backward();
        var silent = model.named_parameters()
            .Where(p => p.parameter.requires_grad)
            .Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0)
            .Select(p => p.name).ToList();
        Assert.True(silent.Count == 0, $"{decoder}: no gradient reached {string.Join(", ", silent)}");
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void The_flop_counter_sees_every_operation_in_training_and_inference(string decoder)
    {
        torch.manual_seed(2);
        using var model = new Segmentor(TinyModel(decoder) with { AuxHead = true }, 5);
        FlopCoverage.AssertEveryOpCounted(model, decoder);
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void A_few_training_iterations_on_FashionScenes_lower_the_loss(string decoder)
    {
        var config = TestConfigs.Tiny(decoder, iterations: 16) with
        {
            Model = TinyModel(decoder),
            Train = TestConfigs.Tiny().Train with { Iterations = 16, BatchSize = 4, LearningRate = 0.05 },
        };
        var outcome = Trainer.Run(config, 0, TestConfigs.NewRunFolder());
        var log = outcome.Folder.ReadLog();
        double first = log.Take(4).Average(r => r.Loss), last = log.TakeLast(4).Average(r => r.Loss);
        Assert.True(last < first, $"{decoder}: loss went from {first:F3} to {last:F3}");
    }
}
