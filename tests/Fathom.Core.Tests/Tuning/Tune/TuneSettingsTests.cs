using Fathom.Config;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning.Tune;

/// <summary>The Optuna sweeper's settings read from a composed config, as Hydra's plugin reads them.</summary>
public sealed class TuneSettingsTests : IDisposable
{
    private const string SeedFile = """
        defaults:
          - override hydra/sweeper: "optuna"
          - override hydra/sweeper/sampler: "tpe"
        hydra:
          sweeper:
            sampler:
              seed: 123
            direction: ["minimize", "maximize"]
            study_name: "sentiment-classification"
            storage: null
            n_trials: 3
            n_jobs: 1
            search_space:
              train.val_split: {type: "float", low: 0.2, high: 0.35, step: 0.025}
              train.optimiser: {type: "categorical", choices: ["adam", "rmsprop"]}
        train:
          val_split: 0.2
          optimiser: "adam"
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private TuneSettings Settings(string yaml, params string[] overrides)
    {
        _dir.WriteFile("tune.yaml", yaml);
        return TuneSettings.From(ConfigComposer.Compose(new ConfigRepository(_dir.Path), "tune", overrides, multirun: true));
    }

    [Fact]
    public void From_TheTemplatesTuningFileUnchanged_MapsEverySetting()
    {
        var settings = Settings(SeedFile);

        Assert.Equal("sentiment-classification", settings.StudyName);
        Assert.Equal([StudyDirection.Minimize, StudyDirection.Maximize], settings.Directions);
        Assert.Equal("tpe", settings.SamplerName);
        var tpe = Assert.IsType<TpeOptions>(settings.Sampler);
        Assert.Equal((123L, 10, 24), (tpe.Seed, tpe.NStartupTrials, tpe.NEiCandidates));
        Assert.Equal(
            [KeyValuePair.Create("train.val_split", (ParamDistribution)new FloatDistribution(0.2, 0.35, 0.025)), KeyValuePair.Create("train.optimiser", (ParamDistribution)new CategoricalDistribution(["adam", "rmsprop"]))],
            settings.SearchSpace);
        Assert.Equal((3, 1, null, 0.0), (settings.NTrials, settings.NJobs, settings.Storage, settings.MaxFailureRate));
        Assert.Empty(settings.Objectives);
        Assert.Empty(settings.FixedParams);
        Assert.Equal("median", settings.Pruner.Type);
        Assert.Contains("\"seed\":123", settings.SamplerJson, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ParamsInOverrideGrammarAndCommandLineSweeps_MapAsTheOptunaSweeper()
    {
        var settings = Settings("""
            defaults:
              - override hydra/sweeper: optuna
              - override hydra/sweeper/sampler: random
            hydra:
              sweeper:
                direction: maximize
                objectives: accuracy
                params:
                  model.lr: tag(log, interval(1e-5, 1e-1))
                  model.depth: range(2, 8)
                  model.width: int(interval(8, 64))
                  model.ratio: range(0.1, 0.5, 0.1)
                  model.opt: choice(adam, sgd)
                  model.seed: 7
                pruner: {type: successive_halving, reduction_factor: 3}
            model:
              lr: 0.1
              depth: 2
              width: 8
              ratio: 0.1
              opt: adam
              seed: 1
              act: relu
            """, "model.act=relu,tanh", "model.depth=range(1,4)", "model.opt=sgd", "hydra.sweeper.n_jobs=3");

        Assert.Equal(
            [
                KeyValuePair.Create("model.lr", (ParamDistribution)new FloatDistribution(1e-5, 0.1, log: true)),
                KeyValuePair.Create("model.width", (ParamDistribution)new IntDistribution(8, 64)),
                KeyValuePair.Create("model.ratio", (ParamDistribution)new FloatDistribution(0.1, 0.5, 0.1)),
                KeyValuePair.Create("model.act", (ParamDistribution)new CategoricalDistribution(["relu", "tanh"])),
                KeyValuePair.Create("model.depth", (ParamDistribution)new IntDistribution(1, 4)),
            ],
            settings.SearchSpace);
        Assert.Equal("7", Assert.Single(settings.FixedParams, p => p.Key == "model.seed").Value.Describe());
        Assert.Equal(["model.opt=sgd"], settings.TaskOverrides);
        Assert.Equal(("accuracy", 3, "successive_halving"), (Assert.Single(settings.Objectives), settings.NJobs, settings.Pruner.Type));
        Assert.IsType<RandomOptions>(settings.Sampler);
    }

    [Fact]
    public void From_GridSampler_WalksEachPointOnceAndRefusesContinuousParams()
    {
        const string Grid = """
            defaults:
              - override hydra/sweeper: optuna
              - override hydra/sweeper/sampler: grid
            hydra:
              sweeper:
                n_trials: 50
                params:
                  x: range(1, 4)
                  y: choice(a, b)
            x: 1
            y: a
            """;
        var settings = Settings(Grid);
        var grid = Assert.IsType<GridOptions>(settings.Sampler);
        Assert.Equal([1L, 2L, 3L], grid.SearchSpace["x"]);
        Assert.Equal(6, settings.NTrials);

        var error = Assert.Throws<ConfigException>(() => Settings(Grid.Replace("range(1, 4)", "interval(1, 4)", StringComparison.Ordinal)));
        Assert.Contains("GridSampler only supports discrete distributions", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    objectives: [loss]\n", "hydra.sweeper.objectives: 1 metric name(s) for 2 direction(s)")]
    [InlineData("    n_trail: 4\n", "hydra.sweeper.n_trail: unknown key")]
    [InlineData("    pruner: {type: median, patience: 2}\n", "unknown key(s) patience for the median pruner")]
    [InlineData("    custom_search_space: my.module.fn\n", "a Python function cannot run here")]
    public void From_ConfigMistakes_NameTheKey(string line, string expected)
    {
        var yaml = SeedFile.Replace("    n_jobs: 1\n", "    n_jobs: 1\n" + line, StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => Settings(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_BasicSweeper_SaysHowToSelectOptuna()
    {
        var error = Assert.Throws<ConfigException>(() => Settings("x: 1\n"));

        Assert.Contains("add '- override hydra/sweeper: optuna' to its defaults list", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverrideAndParamText_AgreeWithWhatAFlattenedConfigLogs()
    {
        Assert.Equal("train.val_split=0.225", SweepDistributions.OverrideText("train.val_split", 0.225));
        Assert.Equal("train.optimiser=sdca", SweepDistributions.OverrideText("train.optimiser", "sdca"));
        Assert.Equal("x='10'", SweepDistributions.OverrideText("x", "10"));
        Assert.Equal("x=True", SweepDistributions.OverrideText("x", true));
        Assert.Equal(["0.225", "True", "None", "3", "2.0"], new object?[] { 0.225, true, null, 3L, 2.0 }.Select(SweepDistributions.ParamText));
    }
}
