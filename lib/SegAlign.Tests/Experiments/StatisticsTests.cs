using SegAlign.Experiments;

namespace SegAlign.Tests.Experiments;

public class StatisticsTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation()
    {
        Assert.Equal(2, Statistics.Mean([1, 2, 3]));
        Assert.Equal(1, Statistics.StdDev([1, 2, 3]), 12);
        Assert.True(double.IsNaN(Statistics.StdDev([5])));
    }

    [Theory]
    // Reference values of the two-sided Student t tail from standard tables.
    [InlineData(2.0, 2, 0.1835034)]
    [InlineData(4.303, 2, 0.05)]
    [InlineData(1.0, 10, 0.3408931)]
    [InlineData(0.0, 5, 1.0)]
    public void Two_sided_t_tail_matches_tables(double t, double nu, double p) =>
        Assert.Equal(p, Statistics.StudentTwoSidedP(t, nu), 4);

    [Fact]
    public void Paired_t_test_uses_differences_over_matched_seeds()
    {
        // Differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 3.4641, ν = 2 → p ≈ 0.0742.
        var (delta, t, p, n) = Statistics.PairedTTest([11, 12, 13], [10, 10, 10]);
        Assert.Equal(2, delta, 12);
        Assert.Equal(3.4641016, t, 6);
        Assert.Equal(0.0742, p, 3);
        Assert.Equal(3, n);
    }

    [Fact]
    public void Log_gamma_matches_factorials()
    {
        Assert.Equal(Math.Log(24), Statistics.LogGamma(5), 10);
        Assert.Equal(0.5 * Math.Log(Math.PI), Statistics.LogGamma(0.5), 10);
    }
}
