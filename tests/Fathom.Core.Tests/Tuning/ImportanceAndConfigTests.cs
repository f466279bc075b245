using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class ImportanceAndConfigTests
{
    [Fact]
    public void PedAnova_RanksTheParamThatDrivesTheObjectiveFirst()
    {
        var study = new InMemoryStudy("imp", [StudyDirection.Minimize], new RandomSampler(new RandomOptions(11)));
        for (var i = 0; i < 300; i++)
        {
            var t = study.Ask();
            var x = (double)t.Suggest("x", new FloatDistribution(-3, 3))!;
            t.Suggest("noise", new FloatDistribution(0, 1));
            var c = (string)t.Suggest("c", new CategoricalDistribution(["a", "b"]))!;
            var k = (long)t.Suggest("k", new IntDistribution(1, 100, log: true))!;
            study.Tell(t, TrialState.Complete, [x * x + (c == "a" ? 0 : 0.5) + 0 * k]);
        }
        var importances = PedAnova.Evaluate(study.View());
        Assert.Equal("x", importances[0].Key);
        Assert.Equal(4, importances.Count);
        var noise = importances.Single(p => p.Key == "noise").Value;
        Assert.True(importances[0].Value > 10 * noise, string.Join(", ", importances));
        var normalised = PedAnova.Normalise(importances);
        Assert.Equal(1.0, normalised.Sum(p => p.Value), 12);
    }

    [Fact]
    public void PedAnova_DensitiesAreDistributions()
    {
        Assert.Equal(1.0, PedAnova.NumericDensity([0, 3, 5, 0, 1, 0, 0, 0, 0, 2]).Sum(), 9);
        Assert.Equal(1.0, PedAnova.CategoricalDensity([4, 0, 1]).Sum(), 12);
        Assert.All(PedAnova.Evaluate(new StudyView("e", [StudyDirection.Minimize], [])), p => Assert.Equal(0, p.Value));
    }

    [Fact]
    public void SweeperConfig_MapsTpeWithOptunasNames()
    {
        var options = (TpeOptions)SweeperConfig.Sampler("tpe", new Dictionary<string, object?>
        {
            ["seed"] = 123L,
            ["consider_prior"] = true,
            ["prior_weight"] = 1.0,
            ["consider_magic_clip"] = true,
            ["consider_endpoints"] = false,
            ["n_startup_trials"] = 10L,
            ["n_ei_candidates"] = 24L,
            ["multivariate"] = true,
        });
        Assert.Equal(new TpeOptions(123, Multivariate: true) with { Gamma = options.Gamma, Weights = options.Weights }, options);
    }

    [Fact]
    public void SweeperConfig_MapsEveryKindByTarget()
    {
        Assert.IsType<RandomOptions>(SweeperConfig.Sampler(null, new Dictionary<string, object?> { ["_target_"] = "optuna.samplers.RandomSampler", ["seed"] = 1L }));
        var cma = (CmaEsOptions)SweeperConfig.Sampler("cmaes", new Dictionary<string, object?>
        {
            ["seed"] = 1L,
            ["x0"] = new Dictionary<string, object?> { ["x"] = 0.5 },
            ["sigma0"] = 0.2,
            ["n_startup_trials"] = 1L,
            ["use_separable_cma"] = false,
            ["restart_strategy"] = null,
            ["inc_popsize"] = 2L,
        });
        Assert.Equal(0.2, cma.Sigma0);
        Assert.Equal(0.5, cma.X0!["x"]);
        var nsga = (NsgaIIOptions)SweeperConfig.Sampler("nsgaii", new Dictionary<string, object?>
        {
            ["seed"] = 2L,
            ["population_size"] = 20L,
            ["mutation_prob"] = null,
            ["crossover_prob"] = 0.8,
            ["swapping_prob"] = 0.4,
        });
        Assert.Equal(new NsgaIIOptions(2, 20, null, 0.8, 0.4), nsga);
        var motpe = (TpeOptions)SweeperConfig.Sampler("motpe", new Dictionary<string, object?> { ["seed"] = 3L, ["n_startup_trials"] = 11L, ["n_ehvi_candidates"] = 30L });
        Assert.Equal((11, 30), (motpe.NStartupTrials, motpe.NEiCandidates));
        var grid = (GridOptions)SweeperConfig.Sampler("grid", new Dictionary<string, object?> { ["seed"] = 4L },
            new Dictionary<string, IReadOnlyList<object?>> { ["x"] = [1L, 2L] });
        Assert.Equal(2, grid.SearchSpace["x"].Count);
    }

    [Fact]
    public void SweeperConfig_WarnIndependentSampling_IsTakenAsAToggleByTpeAndCmaEsOnly()
    {
        foreach (var kind in new[] { "tpe", "cmaes" })
        {
            foreach (var value in new object?[] { true, false, "true", null })
            {
                _ = SweeperConfig.Sampler(kind, new Dictionary<string, object?> { ["warn_independent_sampling"] = value });
            }
        }
        Assert.Contains("sampler.warn_independent_sampling: expected true or false",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Sampler("tpe", new Dictionary<string, object?> { ["warn_independent_sampling"] = 1L })).Message);
        Assert.Contains("sampler: unknown key 'warn_independent_sampling'",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Sampler("random", new Dictionary<string, object?> { ["warn_independent_sampling"] = true })).Message);
    }

    [Fact]
    public void SweeperConfig_RefusesUnknownKeysAndMissingFeaturesByName()
    {
        Assert.Contains("sampler: unknown key 'n_ei_candidate'",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Sampler("tpe", new Dictionary<string, object?> { ["n_ei_candidate"] = 3L })).Message);
        Assert.Contains("sampler.use_separable_cma: not supported",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Sampler("cmaes", new Dictionary<string, object?> { ["use_separable_cma"] = true })).Message);
        Assert.Contains("sampler.seed: expected an integer",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Sampler("random", new Dictionary<string, object?> { ["seed"] = "abc" })).Message);
    }

    [Fact]
    public void SweeperConfig_MapsSearchSpaceEntries()
    {
        Assert.Equal(new FloatDistribution(1e-5, 1e-1, log: true),
            SweeperConfig.Distribution("lr", new Dictionary<string, object?> { ["type"] = "float", ["low"] = 1e-5, ["high"] = 0.1, ["log"] = true }));
        Assert.Equal(new IntDistribution(8, 64, 8),
            SweeperConfig.Distribution("batch", new Dictionary<string, object?> { ["type"] = "int", ["low"] = 8L, ["high"] = 70L, ["step"] = 8L }));
        Assert.Equal(new CategoricalDistribution(["adam", "sgd"]),
            SweeperConfig.Distribution("opt", new Dictionary<string, object?> { ["type"] = "categorical", ["choices"] = new List<object?> { "adam", "sgd" } }));
        Assert.Contains("search_space.lr: float distribution: 'step' and 'log'",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Distribution("lr", new Dictionary<string, object?>
            {
                ["type"] = "float",
                ["low"] = 0.1,
                ["high"] = 1.0,
                ["log"] = true,
                ["step"] = 0.1,
            })).Message);
        Assert.Contains("search_space.x: 'high' is required",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Distribution("x", new Dictionary<string, object?> { ["type"] = "int", ["low"] = 1L })).Message);
        Assert.Contains("search_space.x.type: 'normal'",
            Assert.Throws<ArgumentException>(() => SweeperConfig.Distribution("x", new Dictionary<string, object?> { ["type"] = "normal" })).Message);
    }
}
