using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Training;

namespace SegAlign.Tests;

/// <summary>Tiny configs that train in a second or two on one core.</summary>
public static class TestConfigs
{
    public static RunConfig Tiny(string decoder = "fpn", int iterations = 6) => new()
    {
        Data = new DataConfig
        {
            FashionScenes = new FashionScenesOptions { Size = 32, MinItems = 2, MaxItems = 3, MinScale = 0.5, MaxScale = 0.9, ValidationScenes = 6 },
        },
        Model = new ModelConfig { Backbone = "resnet18", Width = 0.25, Decoder = decoder, DecoderChannels = 16 },
        Train = new TrainConfig { Iterations = iterations, BatchSize = 2, LearningRate = 0.01, LogEvery = 1, EvalBatchSize = 3 },
    };

    public static string NewRunFolder() => Path.Combine(Directory.CreateTempSubdirectory("segalign-run-").FullName, "run");
}
