using SegAlign.Data;

namespace SegAlign.Tests.Data;

public class RngTests
{
    [Fact]
    public void Filling_draws_the_same_numbers_as_calling_NextDouble_and_leaves_the_same_state()
    {
        var one = new Rng(42);
        var bulk = new Rng(42);
        var expected = Enumerable.Range(0, 37).Select(_ => one.NextDouble()).ToArray();
        var actual = new double[37];

        bulk.FillDoubles(actual);

        Assert.Equal(expected, actual);
        Assert.Equal(one.NextULong(), bulk.NextULong());
    }
}
