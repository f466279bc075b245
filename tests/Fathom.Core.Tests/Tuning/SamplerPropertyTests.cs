using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class SamplerPropertyTests
{
    public static TheoryData<string> SamplerNames => ["random", "tpe", "tpe-multivariate", "tpe-fathom", "nsga2", "cmaes"];

    private static ISampler Create(string name, long seed) => name switch
    {
        "random" => new RandomSampler(new RandomOptions(seed)),
        "tpe" => new TpeSampler(new TpeOptions(seed, NStartupTrials: 5)),
        "tpe-multivariate" => new TpeSampler(new TpeOptions(seed, NStartupTrials: 5, Multivariate: true)),
        "tpe-fathom" => new TpeSampler(TpeOptions.FathomDefaults(seed) with { NStartupTrials = 5 }),
        "nsga2" => new NsgaIISampler(new NsgaIIOptions(seed, PopulationSize: 6)),
        "cmaes" => new CmaEsSampler(new CmaEsOptions(seed)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Runs a study over the space with a deterministic objective; returns every trial's params.</summary>
    internal static List<IReadOnlyDictionary<string, double>> Run(ISampler sampler, List<KeyValuePair<string, ParamDistribution>> space, int trials, int objectives = 1)
    {
        var study = new InMemoryStudy("props", [.. Enumerable.Repeat(StudyDirection.Minimize, objectives)], sampler);
        for (var i = 0; i < trials; i++)
        {
            var t = study.Ask();
            var values = new double[objectives];
            foreach (var (name, d) in space)
            {
                var x = t.SuggestInternal(name, d);
                for (var k = 0; k < objectives; k++)
                {
                    values[k] += Math.Sin(x * (k + 1) + name.Length) + x * x * 1e-3;
                }
            }
            study.Tell(t, TrialState.Complete, values);
        }
        return [.. study.Trials.Select(t => t.Params)];
    }

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void EverySample_LiesInItsDistribution(string sampler) =>
        Gen.Select(TuningGen.Space, Gen.Long).Sample(p =>
        {
            var (space, seed) = p;
            foreach (var parameters in Run(Create(sampler, seed), space, 16))
            {
                foreach (var (name, d) in space)
                {
                    Assert.True(d.Contains(parameters[name]), $"{name} = {parameters[name]} outside {d}");
                    Assert.NotNull(d.ToString());
                    _ = d.ToExternal(parameters[name]);
                }
            }
        }, iter: 25);

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void SameSeedAndHistory_GiveTheSameParams(string sampler) =>
        Gen.Select(TuningGen.Space, Gen.Long).Sample(p =>
        {
            var (space, seed) = p;
            var first = Run(Create(sampler, seed), space, 14);
            var second = Run(Create(sampler, seed), space, 14);
            for (var i = 0; i < first.Count; i++)
            {
                Assert.Equal(first[i].OrderBy(x => x.Key), second[i].OrderBy(x => x.Key));
            }
        }, iter: 10);

    [Fact]
    public void Tpe_MultiObjective_StaysInsideAndReproduces()
    {
        var space = new List<KeyValuePair<string, ParamDistribution>>
        {
            new("x", new FloatDistribution(0, 1)), new("n", new IntDistribution(1, 64, log: true)), new("c", new CategoricalDistribution(["a", "b", "c"])),
        };
        var a = Run(new TpeSampler(new TpeOptions(7, NStartupTrials: 5)), space, 40, objectives: 2);
        var b = Run(new TpeSampler(new TpeOptions(7, NStartupTrials: 5)), space, 40, objectives: 2);
        Assert.Equal(a.Select(p => p["x"]), b.Select(p => p["x"]));
        Assert.All(a, p => Assert.True(space.All(s => s.Value.Contains(p[s.Key]))));
    }

    [Fact]
    public void PerTrialSeeding_DoesNotDependOnTheOrderOfSuggestions()
    {
        var sampler = new TpeSampler(new TpeOptions(3));
        var study = new StudyView("s", [StudyDirection.Minimize], [FrozenTrial.Running(0)]);
        var ab = TrialSampling.Begin(sampler, study, FrozenTrial.Running(0));
        var ba = TrialSampling.Begin(sampler, study, FrozenTrial.Running(0));
        var a1 = ab.SuggestInternal("a", new FloatDistribution(0, 1));
        var b1 = ab.SuggestInternal("b", new FloatDistribution(0, 1));
        var b2 = ba.SuggestInternal("b", new FloatDistribution(0, 1));
        var a2 = ba.SuggestInternal("a", new FloatDistribution(0, 1));
        Assert.Equal((a1, b1), (a2, b2));
    }

    [Fact]
    public void TrialSampling_AnswersTheSameValueTwiceAndRefusesAnotherKind()
    {
        var study = new InMemoryStudy("s", [StudyDirection.Minimize], new RandomSampler(new RandomOptions(1)));
        var t = study.Ask();
        var x = t.Suggest("x", new FloatDistribution(0, 1));
        Assert.Equal(x, t.Suggest("x", new FloatDistribution(0, 1)));
        Assert.Throws<ArgumentException>(() => t.Suggest("x", new IntDistribution(0, 1)));
        study.Tell(t, TrialState.Complete, [1.0]);
        var next = study.Ask();
        var e = Assert.Throws<ArgumentException>(() => next.Suggest("x", new CategoricalDistribution(["a"])));
        Assert.Contains("keeps its kind", e.Message);
    }

    [Fact]
    public void TrialSampling_UsesEnqueuedValues()
    {
        var study = new InMemoryStudy("s", [StudyDirection.Minimize], new RandomSampler(new RandomOptions(1)));
        var t = study.Ask(new Dictionary<string, object?> { ["lr"] = 0.01, ["opt"] = "sgd" });
        Assert.Equal(0.01, t.Suggest("lr", new FloatDistribution(1e-4, 1, log: true)));
        Assert.Equal("sgd", t.Suggest("opt", new CategoricalDistribution(["adam", "sgd"])));
    }

    [Fact]
    public void Tell_FollowsOptunasRules()
    {
        var study = new InMemoryStudy("s", [StudyDirection.Minimize], new RandomSampler(new RandomOptions(1)));
        var nan = study.Ask();
        Assert.Equal(TrialState.Failed, study.Tell(nan, TrialState.Complete, [double.NaN]).State);
        var pruned = study.Ask();
        study.Report(pruned, 0, 3.0);
        study.Report(pruned, 1, 2.0);
        study.Report(pruned, 1, 9.0);
        var finished = study.Tell(pruned, TrialState.Pruned);
        Assert.Equal(2.0, finished.Value);
        Assert.Equal(2.0, finished.IntermediateValues[1]);
    }
}
