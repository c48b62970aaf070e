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
    public void Text_is_drawn_with_the_embedded_font()
    {
        // The measurement behind the choice of SkiaSharp 2.88 (Visualisation/Canvas.cs): in this process it loads,
        // finds its native library and draws DejaVu glyphs.
        Assert.Equal("DejaVu Sans", Canvas.Sans.FamilyName);
        Assert.True(Canvas.SansBold.IsBold);
        Assert.InRange(Canvas.Width("mIoU 41.2 ×2 →", Canvas.LabelSize), 80, 120);
        var blank = Pngs.Decode(Canvas.Render(120, 30, _ => { }));
        var text = Pngs.Decode(Canvas.Render(120, 30, c => c.Write("Flow ×2", 4, 6, Canvas.TitleSize, Colour.Ink)));
        Assert.Equal(0, Pngs.Inked(blank));
        Assert.InRange(Pngs.Inked(text), 80, 1500);
        Assert.True(text.At(2, 2) == Colour.White, "nothing drawn outside the text");
    }

    [Fact]
    public void Titles_wrap_at_spaces_to_the_width_given()
    {
        float width = Canvas.Width("fam.p3 longest 1.23", Canvas.LabelSize);
        Assert.Equal(["fam.p3 longest 1.23", "px = 4.9 input px"], Canvas.Wrap("fam.p3 longest 1.23 px = 4.9 input px", width, Canvas.LabelSize));
        Assert.Equal(["a", "b"], Canvas.Wrap("a\nb", 100, Canvas.LabelSize));
        Assert.Equal([0.0, 5, 10, 15], Canvas.Ticks(0, 16, 4));
        Assert.Equal([0.0, 0.1, 0.2, 0.3], Canvas.Ticks(0, 0.31, 4));
        Assert.Equal(["0", "5", "0.1", "2.5"], new[] { 0, 5, 0.1, 2.5 }.Select(Canvas.Tick));
    }

    [Fact]
    public void A_figure_is_a_png_as_wide_as_its_panels_with_a_title_above_them()
    {
        var green = Canvas.Paint(5, 4, (_, _) => new Colour(10, 200, 10));
        var panel = Panel.Of(green, "one", 50, 40);
        var png = Figure.Compose("Title", [panel, panel with { Title = "two" }, panel with { Title = "three" }], columns: 2,
            legend: [new Swatch(Colour.Marker, "marker")], notes: ["a note"]);
        var pixels = Pngs.Decode(png);
        Assert.Equal("Title", png.Caption);
        Assert.True(png.Width >= 2 * 50 + 22);
        Assert.True(png.Height > 2 * 40 + 2 * Canvas.LineHeight(Canvas.LabelSize));
        Assert.Contains(Enumerable.Range(0, png.Height), y => pixels.At(14 + 25, y) == new Colour(10, 200, 10));

        var withAxes = Pngs.Decode(Figure.Compose("Axes", [Panel.Of(green, "image", 100, 80, new PixelAxes(16, 12),
            new ColourBar("weight", 0, 1, RelationPlots.Heat))]));
        Assert.True(withAxes.Width >= 100 + 50 + 60, "room for tick labels and the colour bar");
    }

    [Fact]
    public void A_flow_field_becomes_colours_cell_by_cell_and_its_figures_are_valid_pngs()
    {
        var right = Uniform("fam.p3", 4, 2, 0);
        var colours = FlowPlots.Colours(right, 2);
        Assert.Equal((4, 4), (colours.Width, colours.Height));
        Assert.Equal(ColourWheel.Of(2, 0, 2), colours.At(1, 2));
        Assert.Equal(16 / 4.0, right.StrideX);
        Assert.Equal(2, right.MaxMagnitude, 6);

        var fields = new[] { right, Uniform("fam.p2", 8, 0, 0.5f) };
        Assert.Equal(2, FlowPlots.SharedScale(fields), 6);
        var figure = FlowPlots.ColourFields(fields);
        Pngs.Keep(figure, "colour-fields");
        Assert.True(Pngs.Decode(figure).Width > 2 * 256 + 120, "two fields and the key beside them");
        var arrows = FlowPlots.ArrowsPerLevel(TestScene(), fields, arrowsPerSide: 4);
        Pngs.Keep(arrows, "arrows");
        Assert.True(Pngs.Inked(Pngs.Decode(arrows)) > 10_000);
        var single = FlowPlots.Arrows(TestScene(), right);
        Pngs.Decode(single);
        Assert.StartsWith("fam.p3", single.Caption);
    }

    [Fact]
    public void Arrows_start_at_cell_centres_and_span_the_displacement_in_input_pixels()
    {
        // A 4×4 field over a 16×16 input (stride 4), every cell displaced by (2, −1) grid pixels = (8, −4) input pixels.
        var field = new FlowMap("fam.p3", 4, 4, Enumerable.Repeat(2f, 16).ToArray(), Enumerable.Repeat(-1f, 16).ToArray(), 16, 16);
        var all = FlowPlots.ArrowsOf(field, arrowsPerSide: 4);
        Assert.Equal(16, all.Count);
        Assert.Equal(new FlowArrow(2, 2, 8, -4), all[0]);
        Assert.Equal(new FlowArrow(14, 10, 8, -4), all[2 * 4 + 3]);
        // Every second cell when two arrows per side are asked for: cells 1 and 3, centred at 6 and 14.
        var sparse = FlowPlots.ArrowsOf(field, arrowsPerSide: 2);
        Assert.Equal([6.0, 14, 6, 14], sparse.Select(a => a.X));
        Assert.Equal([6.0, 6, 14, 14], sparse.Select(a => a.Y));
        // Enlarged so the longest spans 90 % of the 8-pixel spacing.
        Assert.Equal(0.9 * 8 / Math.Sqrt(80), FlowPlots.Enlargement(sparse, 8), 9);
        Assert.Equal(1, FlowPlots.Enlargement([new FlowArrow(1, 1, 0, 0)], 8));
    }

    [Fact]
    public void Cells_that_sample_off_the_image_are_counted_and_outlines_are_drawn_over_the_fields()
    {
        // 4×4 grid over 16×16 (stride 4): +0.8 cells moves the last column's centre (3.5) to 4.3 > 4, the one before to 3.3.
        var field = Uniform("fam.p3", 4, 0.8f, 0);
        Assert.Equal(4, field.SamplesOutside);
        Assert.Equal(0, Uniform("fam.p3", 4, 0.4f, 0).SamplesOutside);

        var labels = new LabelMap([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2], 4, 4);
        Assert.Equal([(1, 0, true), (1, 1, true), (0, 1, false), (1, 1, false), (2, 1, false), (3, 1, false)], labels.Edges().OrderBy(e => e.Vertical ? 0 : 1).ThenBy(e => e.Y).ThenBy(e => e.X));

        var plain = Pngs.Decode(FlowPlots.ColourFields([field]));
        var outlined = Pngs.Decode(FlowPlots.ColourFields([field], outlines: TestScene()));
        Assert.True(Pngs.Inked(outlined) != Pngs.Inked(plain), "the outlines changed nothing");
        Pngs.Decode(FlowPlots.ArrowsPerLevel(TestScene(), [field, Uniform("fam.p2", 8, 0.2f, 0)], arrowsPerSide: 4));
        Assert.Contains("32×32", Assert.Throws<InputException>(() => FlowPlots.ColourFields([field], outlines: TestScene(32))).Message);
    }

    [Fact]
    public void AlignFA_high_and_low_fields_sit_side_by_side()
    {
        var maps = new[] { Uniform("cab2.high", 4, 1, 0), Uniform("cab2.low", 4, 0, 1), Uniform("cab3.high", 4, 1, 1), Uniform("cab3.low", 4, 0, -1), Uniform("cam", 2, 1, 0) };
        var paired = Pngs.Decode(FlowPlots.ColourFields(maps));
        var unpaired = Pngs.Decode(FlowPlots.ColourFields(maps.Select((m, i) => m with { Name = $"fam.p{i}" }).ToArray()));
        Assert.True(paired.Width < unpaired.Width, "two columns (high | low) instead of three");
        Assert.True(paired.Height > unpaired.Height, "one row per merge and one for cam, instead of two rows of three");
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
        var png = RelationPlots.ForPixel(TestScene(24), [layer], 9, 12);
        Pngs.Keep(png, "relations");
        var figure = Pngs.Decode(png);
        Assert.True(figure.Width > (2 + heads) * 200);
        Assert.Equal((0.0, 16, 8, 8), RelationPlots.CellRectangle(layer, 2, 0));   // coarse 3×3 over 24×24: 8-pixel cells
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
        Pngs.Keep(overlay, "overlay");
        var pixels = Pngs.Decode(overlay);
        Assert.True(overlay.Width > 4 * 256, "four panels of 256 pixels");
        // The prediction (third panel) is all background: its centre has the background's colour.
        Assert.Contains(Enumerable.Range(0, overlay.Height), y => pixels.At(14 + 2 * (256 + 22) + 128, y) == new Colour(40, 40, 40));
        var picture = scene.Picture();
        Pngs.Keep(picture, "scene");
        Assert.True(Pngs.Inked(Pngs.Decode(picture)) > 2 * 256 * 200);
    }

    [Fact]
    public void Predictions_of_any_resolution_are_compared_at_one_size()
    {
        var scene = TestScene();
        var coarse = new LabelMap([0, 1, 1, 0], 2, 2);
        var resized = SegmentationPlots.Resize(coarse, 4, 4);
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0], resized.Labels);
        var figure = SegmentationPlots.Compare(scene, [("2×2", coarse), ("32×32", new LabelMap(new byte[32 * 32], 32, 32))], "sizes");
        Pngs.Keep(figure, "compare");
        var pixels = Pngs.Decode(figure);
        Assert.Equal("sizes", figure.Caption);
        Assert.True(pixels.Width >= 4 * 256);
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
