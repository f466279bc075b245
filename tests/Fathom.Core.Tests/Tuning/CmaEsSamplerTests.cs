using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class CmaEsSamplerTests
{
    [Fact]
    public void CmaEs_ConvergesOnASphereAndTagsGenerations()
    {
        var study = new InMemoryStudy("cma", [StudyDirection.Minimize], new CmaEsSampler(new CmaEsOptions(4)));
        for (var i = 0; i < 300; i++)
        {
            var t = study.Ask();
            var x = (double)t.Suggest("x", new FloatDistribution(-5, 5))!;
            var y = (double)t.Suggest("y", new FloatDistribution(-5, 5))!;
            var z = (long)t.Suggest("z", new IntDistribution(-10, 10))!;
            study.Tell(t, TrialState.Complete, [((x - 1) * (x - 1)) + ((y + 2) * (y + 2)) + ((z - 3) * (z - 3))]);
        }
        Assert.True(study.BestTrial()!.Value < 0.05, $"best {study.BestTrial()!.Value}");
        var generations = study.Trials.Skip(1).Select(t => int.Parse(t.SystemAttrs[CmaEsSampler.GenerationKey], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(generations[^1] > 10);
        Assert.Equal(generations.Order(), generations);
    }

    [Fact]
    public void CmaEs_UnitMappingRoundTripsTheGrid()
    {
        var d = new IntDistribution(1, 1000, log: true);
        for (var v = 1; v <= 1000; v += 37)
        {
            Assert.Equal(v, CmaEsSampler.FromUnit(d, CmaEsSampler.ToUnit(d, v)));
        }
        var f = new FloatDistribution(-1, 1, 0.5);
        Assert.Equal(0.5, CmaEsSampler.FromUnit(f, CmaEsSampler.ToUnit(f, 0.5)));
    }
}
