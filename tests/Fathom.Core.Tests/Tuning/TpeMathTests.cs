using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class TpeMathTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(100, 10)]
    [InlineData(251, 25)]
    [InlineData(10000, 25)]
    public void DefaultGamma_IsTenPercentCappedAt25(int n, int expected) => Assert.Equal(expected, TpeMath.DefaultGamma(n));

    [Fact]
    public void DefaultWeights_RampTheOldestAboveTwentyFive()
    {
        Assert.Empty(TpeMath.DefaultWeights(0));
        Assert.All(TpeMath.DefaultWeights(24), w => Assert.Equal(1.0, w));
        var w30 = TpeMath.DefaultWeights(30);
        // numpy: concatenate(linspace(1/30, 1, 5), ones(25)).
        Assert.Equal([1 / 30.0, 0.275, 0.5166666666666667, 0.7583333333333333, 1.0, 1.0], w30.Take(6).ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(30, w30.Length);
        Assert.Equal(1.0 / 26, TpeMath.DefaultWeights(26)[0], 12);
    }

    [Fact]
    public void UnivariateSigmas_TakeTheFartherNeighbourAndInnerOnesAtTheEnds()
    {
        // sorted: 0.1, 0.45, 0.5, 0.9 with ends 0 and 1.
        double[] mus = [0.1, 0.5, 0.45, 0.9];
        var withEndpoints = TpeMath.UnivariateSigmas(mus, 0, 1, considerEndpoints: true);
        Assert.Equal([0.35, 0.4, 0.35, 0.4], withEndpoints, new ToleranceComparer(1e-12));
        var without = TpeMath.UnivariateSigmas(mus, 0, 1, considerEndpoints: false);
        Assert.Equal([0.35, 0.4, 0.35, 0.4], without, new ToleranceComparer(1e-12));
        var ends = TpeMath.UnivariateSigmas([0.2, 0.3], 0, 1, considerEndpoints: false);
        Assert.Equal([0.1, 0.1], ends, new ToleranceComparer(1e-12));
        Assert.Equal([0.8], TpeMath.UnivariateSigmas([0.2], 0, 1, considerEndpoints: false), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void UnivariateSigmas_GivenTheOrder_AreTheSortedOnes() =>
        Gen.Select(Gen.Int[0, 8].Array[0, 40], Gen.Bool).Sample(p =>
        {
            // Coarse values, so ties are common.
            var (grid, endpoints) = p;
            var mus = grid.Select(v => v / 8.0).ToArray();
            var sigmas = new double[mus.Length];
            TpeMath.UnivariateSigmas(mus, 0, 1, endpoints, TpeMath.AscendingOrder(mus), sigmas);
            return sigmas.SequenceEqual(TpeMath.UnivariateSigmas(mus, 0, 1, endpoints));
        });

    [Fact]
    public void AscendingOrder_KeepsEqualValuesInIndexOrder() =>
        Assert.Equal([3, 1, 4, 0, 2], TpeMath.AscendingOrder([0.5, 0.2, 0.5, 0.1, 0.2]));

    [Fact]
    public void Clip_UsesTheMagicMinimumCountingThePrior()
    {
        double[] sigmas = [0.001, 0.5, 3];
        TpeMath.Clip(sigmas, 0, 2, kernels: 4, magicClip: true);
        Assert.Equal([2 / 5.0, 0.5, 2], sigmas, new ToleranceComparer(1e-12));
        double[] many = [0.001];
        TpeMath.Clip(many, 0, 1, kernels: 1000, magicClip: true);
        Assert.Equal(0.01, many[0], 12);
        // With exponent 1.5 the floor falls as (1 + kernels)^1.5 and reaches 1% of the range sooner.
        double[] steeper = [0.001];
        TpeMath.Clip(steeper, 0, 2, kernels: 4, magicClip: true, exponent: 1.5);
        Assert.Equal(2 / Math.Pow(5, 1.5), steeper[0], 12);
        double[] capped = [0.001];
        TpeMath.Clip(capped, 0, 1, kernels: 26, magicClip: true, exponent: 1.5);
        Assert.Equal(0.01, capped[0], 12);
        double[] none = [1e-20];
        TpeMath.Clip(none, 0, 1, kernels: 10, magicClip: false);
        Assert.Equal(1e-12, none[0]);
    }

    [Fact]
    public void MultivariateSigma_FollowsOptunasRule() =>
        Assert.Equal(0.2 * Math.Pow(16, -1.0 / 6) * 10, TpeMath.MultivariateSigma(16, 2, 0, 10), 12);

    [Fact]
    public void ScottSigma_UsesTheSmallerOfSdAndIqr()
    {
        double[] mus = [0, 1, 2, 3, 4];
        var sd = Math.Sqrt(2.5);
        var iqr = 2.0 / 1.34;
        Assert.Equal(1.059 * Math.Min(sd, iqr) * Math.Pow(5, -1.0 / 5), TpeMath.ScottSigma(mus, 1, 0, 4), 12);
    }

    internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
