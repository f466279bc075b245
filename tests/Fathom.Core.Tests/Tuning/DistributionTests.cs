using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class DistributionTests
{
    [Theory]
    [InlineData(0.0, 1.0, 0.3, 0.9)]
    [InlineData(0.1, 1.0, 0.1, 1.0)]
    [InlineData(-1.0, 1.05, 0.5, 1.0)]
    [InlineData(0.0, 0.35, 0.1, 0.3)]
    public void Float_Step_LowersHighOntoTheGrid(double low, double high, double step, double expected) =>
        Assert.Equal(expected, new FloatDistribution(low, high, step).High, 12);

    [Theory]
    [InlineData(0, 10, 3, 9)]
    [InlineData(-5, 5, 2, 5)]
    [InlineData(1, 1, 4, 1)]
    public void Int_Step_LowersHighOntoTheGrid(long low, long high, long step, long expected) =>
        Assert.Equal(expected, new IntDistribution(low, high, step).High);

    [Fact]
    public void Float_LogAndStep_AreRefusedWithAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(1, 10, 1, log: true));
        Assert.Contains("'step' and 'log' cannot be used together", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Float_LogWithNonPositiveLow_IsRefused(double low) =>
        Assert.Contains("log scale needs low > 0", Assert.Throws<ArgumentException>(() => new FloatDistribution(low, 1, log: true)).Message);

    [Fact]
    public void Int_LogNeedsStepOneAndLowAtLeastOne()
    {
        Assert.Contains("needs step 1", Assert.Throws<ArgumentException>(() => new IntDistribution(1, 10, 2, log: true)).Message);
        Assert.Contains("needs low >= 1", Assert.Throws<ArgumentException>(() => new IntDistribution(0, 10, log: true)).Message);
    }

    [Fact]
    public void LowAboveHigh_IsRefused()
    {
        Assert.Contains("must be less than or equal to high", Assert.Throws<ArgumentException>(() => new FloatDistribution(2, 1)).Message);
        Assert.Contains("must be less than or equal to high", Assert.Throws<ArgumentException>(() => new IntDistribution(2, 1)).Message);
    }

    [Fact]
    public void Categorical_RoundTripsEveryKindOfChoice()
    {
        var d = new CategoricalDistribution([null, true, 3, 2.5, "adam"]);
        Assert.Equal(0, d.ToInternal(null));
        Assert.Equal(1, d.ToInternal(true));
        Assert.Equal(2, d.ToInternal(3L));
        Assert.Equal(2, d.ToInternal(3));
        Assert.Equal(3, d.ToInternal(2.5));
        Assert.Equal(4, d.ToInternal("adam"));
        Assert.Equal(3L, d.ToExternal(2));
        Assert.Equal("adam", d.ToExternal(4));
        Assert.Throws<ArgumentException>(() => d.ToInternal("sgd"));
        Assert.Throws<ArgumentException>(() => new CategoricalDistribution([]));
        Assert.Throws<ArgumentException>(() => new CategoricalDistribution([new object()]));
    }

    [Fact]
    public void Categorical_EqualityIsByChoicesInOrder()
    {
        Assert.Equal(new CategoricalDistribution(["a", "b"]), new CategoricalDistribution(["a", "b"]));
        Assert.NotEqual(new CategoricalDistribution(["a", "b"]), new CategoricalDistribution(["b", "a"]));
        Assert.True(ParamDistribution.AreCompatible(new FloatDistribution(0, 1), new FloatDistribution(-3, 3, log: false)));
        Assert.False(ParamDistribution.AreCompatible(new FloatDistribution(0, 1), new IntDistribution(0, 1)));
    }

    [Fact]
    public void Contains_ChecksBoundsAndGrid()
    {
        var f = new FloatDistribution(0, 1, 0.25);
        Assert.True(f.Contains(0.75));
        Assert.False(f.Contains(0.7));
        Assert.False(f.Contains(1.25));
        var i = new IntDistribution(1, 9, 2);
        Assert.True(i.Contains(5));
        Assert.False(i.Contains(4));
        Assert.False(i.Contains(5.5));
        Assert.True(new FloatDistribution(1, 1).IsSingle);
        Assert.True(new IntDistribution(3, 4, 2).IsSingle);
    }

    [Fact]
    public void Distributions_RoundTripInternalAndExternal() =>
        TuningGen.Distribution.SelectMany(d => Gen.Int.Select(seed => (d, seed))).Sample(p =>
        {
            var (d, seed) = p;
            var x = RandomSampler.Sample(d, new Random(seed));
            var external = d.ToExternal(x);
            return d.Contains(x) && d.ToInternal(external) == x;
        }, iter: 2000);
}
