using SegAlign.Data;
using SegAlign.Models.Decoders;
using SegAlign.Visualisation;
using static TorchSharp.torch;

namespace SegAlign.Tests.Visualisation;

public class FigureTests
{
    /// <summary>A 16×16 scene: a class-1 square on background, one ignored pixel, a gradient image.</summary>
    internal static Scene TestScene(int size = 16)
    {
        var image = new float[3 * size * size];
        var label = new byte[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int p = y * size + x;
                image[p] = (float)x / size; image[size * size + p] = (float)y / size; image[2 * size * size + p] = 0.5f;
                label[p] = (byte)(x >= 4 && x < 12 && y >= 4 && y < 12 ? 1 : 0);
            }
        label[0] = Sample.Ignore;
        return new Scene(3, new Sample(image, label, size, size, "test/3"), ["background", "thing", "other"],
            [(40, 40, 40), (200, 30, 30), (30, 200, 30)], ([0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]));
    }

    static FlowMap Uniform(string name, int side, float dx, float dy, int input = 16) =>
        new(name, side, side, Enumerable.Repeat(dx, side * side).ToArray(), Enumerable.Repeat(dy, side * side).ToArray(), input, input);

    [Fact]
    public void Every_glyph_is_five_wide_and_text_width_counts_the_gaps()
    {
        foreach (char c in "Az09 ×±Δ→.,;gjpqy")
        {
            Assert.True(PixelFont.Covers(c), $"'{c}' has no glyph");
            Assert.Equal(PixelFont.GlyphWidth * PixelFont.GlyphHeight, PixelFont.Glyph(c).Length);
        }
        Assert.Equal(6 * 3 - 1, PixelFont.Width("abc"));
        Assert.Equal(2 * (6 * 3 - 1), PixelFont.Width("abc", 2));
        var raster = new Raster(40, 12, Colour.White);
        raster.Text("I", 0, 0, Colour.Black);
        Assert.Equal(Colour.Black, raster[2, 3]);     // the stem of I
        Assert.Equal(Colour.White, raster[0, 3]);
    }

    [Fact]
    public void Titles_wrap_at_spaces_to_the_width_given()
    {
        var lines = Figure.Wrap("fam.p3 max 1.23 px = 4.9 input px", PixelFont.Width("fam.p3 max 1.23"), 1);
        Assert.Equal(["fam.p3 max 1.23", "px = 4.9 input", "px"], lines);
        Assert.Equal(["a", "b"], Figure.Wrap("a\nb", 100, 1));
    }

    [Fact]
    public void A_figure_is_a_png_as_wide_as_its_panels_with_a_title_above_them()
    {
        var panel = new Raster(50, 40, new Colour(10, 200, 10));
        var png = Figure.Compose("Title", [new Panel(panel, "one"), new Panel(panel, "two"), new Panel(panel, "three")], columns: 2,
            legend: [new Swatch(Colour.Marker, "marker")], notes: ["a note"]);
        var pixels = Pngs.Decode(png);
        Assert.Equal("Title", png.Caption);
        Assert.True(png.Width >= 2 * 50 + 12);
        Assert.True(png.Height > 2 * 40 + 2 * PixelFont.LineHeight * 2);
        Assert.Contains(Enumerable.Range(0, png.Height), y => pixels[10 + 25, y] == new Colour(10, 200, 10));
    }

    [Fact]
    public void A_flow_field_becomes_colours_cell_by_cell_and_its_figures_are_valid_pngs()
    {
        var right = Uniform("fam.p3", 4, 2, 0);
        var colours = FlowPlots.Colours(right, 2);
        Assert.Equal((4, 4), (colours.Width, colours.Height));
        Assert.Equal(ColourWheel.Of(2, 0, 2), colours[1, 2]);
        Assert.Equal(16 / 4.0, right.StrideX);
        Assert.Equal(2, right.MaxMagnitude, 6);

        var fields = new[] { right, Uniform("fam.p2", 8, 0, 0.5f) };
        Assert.Equal(2, FlowPlots.SharedScale(fields), 6);
        var figure = Pngs.Decode(FlowPlots.ColourFields(fields));
        Assert.True(figure.Width > 3 * 192, "two fields and the key side by side");
        var arrows = FlowPlots.ArrowsPerLevel(TestScene(), fields, arrowsPerSide: 4);
        Pngs.Decode(arrows);
        var single = FlowPlots.Arrows(TestScene(), right);
        Pngs.Decode(single);
        Assert.StartsWith("fam.p3", single.Caption);
    }

    [Fact]
    public void Arrows_refuse_a_field_recorded_on_another_input_size()
    {
        var e = Assert.Throws<InputException>(() => FlowPlots.ArrowsPerLevel(TestScene(), [Uniform("fam.p3", 4, 1, 0, input: 32)]));
        Assert.Contains("32×32", e.Message);
    }

    [Fact]
    public void A_flow_map_copies_one_image_of_a_recorded_field()
    {
        using var flow = tensor(Enumerable.Range(0, 2 * 2 * 2 * 3).Select(i => (float)i).ToArray(), [2, 2, 2, 3]);
        var map = FlowMap.From(new FlowField("cab2.high", flow), 1, 8, 12);
        Assert.Equal((2, 3), (map.Height, map.Width));
        Assert.Equal([12f, 13, 14, 15, 16, 17], map.Dx);
        Assert.Equal([18f, 19, 20, 21, 22, 23], map.Dy);
        Assert.Equal(4, map.StrideX);
    }

    [Fact]
    public void Relation_layers_read_windows_exactly_as_the_decoders_relation_map_does()
    {
        manual_seed(3);
        const int k = 3, heads = 2;
        using var weights = rand([1, heads, k * k, 6, 6]);
        var map = new RelationMap("rsp.p3", k, weights, 3, 3);
        var layer = RelationLayer.From(map, 0, 24, 24);
        foreach (var (y, x) in new[] { (0, 0), (5, 5), (2, 3) })
        {
            var expected = map.At(0, y, x);
            var actual = layer.At(y, x);
            Assert.Equal((expected.CentreRow, expected.CentreColumn, expected.Top, expected.Left), (actual.CentreRow, actual.CentreColumn, actual.Top, actual.Left));
            Assert.Equal(expected.Weights.Cast<float>(), actual.Weights.Cast<float>());
        }
        Assert.Equal((2, 3), layer.FromInput(9, 12));
        var figure = Pngs.Decode(RelationPlots.ForPixel(TestScene(24), [layer], 9, 12));
        Assert.True(figure.Width > (2 + heads) * 192);
        Assert.Throws<InputException>(() => RelationPlots.ForPixel(TestScene(24), [layer], 30, 0));
    }

    [Fact]
    public void Overlays_show_image_truth_prediction_and_errors_in_the_palette()
    {
        var scene = TestScene();
        var perfect = scene.GroundTruth;
        Assert.Equal(1.0, SegmentationPlots.PixelAccuracy(scene, perfect));
        var allBackground = new LabelMap(new byte[16 * 16], 16, 16);
        Assert.Equal(1 - 64.0 / 255, SegmentationPlots.PixelAccuracy(scene, allBackground), 9);   // 255 labelled pixels, 64 of class 1

        var overlay = SegmentationPlots.Overlay(scene, allBackground);
        var pixels = Pngs.Decode(overlay);
        Assert.True(overlay.Width > 4 * 16 * 12, "four panels at ×12");
        Assert.Contains(Enumerable.Range(0, overlay.Height), y => pixels[10 + 2 * (16 * 12 + 12) + 8 * 12, y] == new Colour(40, 40, 40));
        Pngs.Decode(scene.Picture());
    }

    [Fact]
    public void Predictions_of_any_resolution_are_compared_at_one_size()
    {
        var scene = TestScene();
        var coarse = new LabelMap([0, 1, 1, 0], 2, 2);
        var resized = SegmentationPlots.Resize(coarse, 4, 4);
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0], resized.Labels);
        var figure = SegmentationPlots.Compare(scene, [("2×2", coarse), ("32×32", new LabelMap(new byte[32 * 32], 32, 32))], "sizes");
        var pixels = Pngs.Decode(figure);
        Assert.Equal("sizes", figure.Caption);
        Assert.True(pixels.Width >= 4 * 16 * 12);
    }

    [Fact]
    public void The_object_pixel_lies_on_the_largest_object()
    {
        var scene = TestScene();
        var (y, x) = scene.ObjectPixel();
        Assert.Equal(1, scene.Sample.Label[y * 16 + x]);
        Assert.InRange(y, 7, 8);
        Assert.InRange(x, 7, 8);
    }
}
