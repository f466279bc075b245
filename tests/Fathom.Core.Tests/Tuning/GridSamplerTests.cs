using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class GridSamplerTests
{
    [Fact]
    public void Grid_VisitsEveryPointOnceThenSignalsTheEnd() =>
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Long).Sample(p =>
        {
            var (nx, ny, seed) = p;
            var xs = Enumerable.Range(0, nx).Select(i => (object?)(i * 0.5)).ToList();
            var ys = Enumerable.Range(0, ny).Select(i => (object?)$"y{i}").ToList();
            var sampler = new GridSampler(new GridOptions(new Dictionary<string, IReadOnlyList<object?>> { ["x"] = xs, ["y"] = ys }, seed));
            var study = new InMemoryStudy("g", [StudyDirection.Minimize], sampler);
            var seen = new HashSet<(double, string)>();
            for (var i = 0; i < nx * ny; i++)
            {
                Assert.False(study.StopRequested);
                var t = study.Ask();
                var x = (double)t.Suggest("x", new FloatDistribution(0, 10))!;
                var y = (string)t.Suggest("y", new CategoricalDistribution(ys))!;
                Assert.True(seen.Add((x, y)), $"({x}, {y}) twice");
                study.Tell(t, TrialState.Complete, [x]);
            }
            Assert.True(study.StopRequested);
            Assert.True(sampler.IsExhausted(study.View()));
        }, iter: 30);

    [Fact]
    public void Grid_ParallelAsksTakeUnvisitedPoints()
    {
        var sampler = new GridSampler(new GridOptions(new Dictionary<string, IReadOnlyList<object?>> { ["x"] = [1L, 2L, 3L] }, 4));
        var study = new InMemoryStudy("g", [StudyDirection.Minimize], sampler);
        var asked = Enumerable.Range(0, 3).Select(_ => study.Ask()).ToList();
        var values = asked.Select(t => (long)t.Suggest("x", new IntDistribution(0, 5))!).Order().ToList();
        Assert.Equal([1L, 2L, 3L], values);
    }

    [Fact]
    public void Grid_RefusesAParamOutsideTheGrid()
    {
        var sampler = new GridSampler(new GridOptions(new Dictionary<string, IReadOnlyList<object?>> { ["x"] = [1L] }));
        var study = new InMemoryStudy("g", [StudyDirection.Minimize], sampler);
        var t = study.Ask();
        Assert.Contains("not in the grid", Assert.Throws<ArgumentException>(() => t.Suggest("z", new FloatDistribution(0, 1))).Message);
    }

    [Fact]
    public void Grid_SameSeedSameOrder()
    {
        IReadOnlyList<object?> values = [.. Enumerable.Range(0, 10).Select(i => (object?)(long)i)];
        long[] Order(long seed)
        {
            var study = new InMemoryStudy("g", [StudyDirection.Minimize], new GridSampler(new GridOptions(new Dictionary<string, IReadOnlyList<object?>> { ["x"] = values }, seed)));
            return [.. Enumerable.Range(0, 10).Select(_ => (long)study.Ask().Suggest("x", new IntDistribution(0, 9))!)];
        }
        Assert.Equal(Order(3), Order(3));
        Assert.NotEqual(Order(3), Order(4));
    }
}
