using Fathom.Config;

namespace Fathom.Tests.Config;

/// <summary>Composition, interpolation and binding over a real config dir, with Hydra's behaviour and messages.</summary>
public sealed class ConfigCompositionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ComposedConfig Compose(string name, params string[] overrides) =>
        ConfigComposer.Compose(new ConfigRepository(_dir.Path), name, overrides);

    private static string Yaml(ConfigMap map) => ConfigYamlWriter.Write(map);

    [Fact]
    public void Compose_DefaultsWithGroupsSelfAndPackages_MergedInOrder()
    {
        _dir.WriteFile("config.yaml", "defaults:\n  - db: mysql\n  - db@backup: sqlite\n  - optional extra: none\n  - _self_\ndb:\n  port: 1\n");
        _dir.WriteFile("db/mysql.yaml", "driver: mysql\nport: 3306\n");
        _dir.WriteFile("db/sqlite.yml", "# @package _group_\ndriver: sqlite\n");
        _dir.WriteFile("extra/some.yaml", "x: 1\n");
        var composed = Compose("config");
        Assert.Equal("db:\n  driver: mysql\n  port: 1\nbackup:\n  driver: sqlite\n", Yaml(composed.Job));
        Assert.Equal("mysql", composed.Selections["db"]);
        Assert.Equal("sqlite", composed.Selections["db@backup"]);
    }

    [Fact]
    public void Compose_SelfFirst_DefaultsWin()
    {
        _dir.WriteFile("config.yaml", "defaults:\n  - _self_\n  - db: mysql\ndb:\n  port: 1\n");
        _dir.WriteFile("db/mysql.yaml", "port: 3306\n");
        Assert.Equal("db:\n  port: 3306\n", Yaml(Compose("config").Job));
    }

    [Fact]
    public void Compose_GroupOverridesFromTheCommandLine_ChangeTheDefaultsList()
    {
        _dir.WriteFile("config.yaml", "defaults:\n  - db: mysql\n");
        _dir.WriteFile("db/mysql.yaml", "driver: mysql\n");
        _dir.WriteFile("db/pg.yaml", "driver: pg\n");
        _dir.WriteFile("extra/on.yaml", "flag: true\n");
        Assert.Equal("db:\n  driver: pg\n", Yaml(Compose("config", "db=pg").Job));
        Assert.Equal("{}\n", Yaml(Compose("config", "~db").Job));
        Assert.Equal("db:\n  driver: mysql\nextra:\n  flag: true\n", Yaml(Compose("config", "+extra=on").Job));
        var missing = Assert.Throws<ConfigException>(() => Compose("config", "db=oracle"));
        Assert.Contains("Could not find 'db/oracle'. Available options in 'db': mysql, pg", missing.Message, StringComparison.Ordinal);
        var notInList = Assert.Throws<ConfigException>(() => Compose("config", "extra=on"));
        Assert.Contains("Could not override 'extra'. No match in the defaults list. To append to your default list use +extra=on", notInList.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_TemplateTuningFile_HydraGroupsRecorded()
    {
        _dir.WriteFile("train-model-hptuning.yml", """
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
            """);
        var composed = Compose("train-model-hptuning.yml");
        Assert.Equal("optuna", composed.Selections["hydra/sweeper"]);
        Assert.Equal("tpe", composed.Selections["hydra/sweeper/sampler"]);
        var sweeper = composed.Sweeper!;
        Assert.Equal(123L, ((ConfigScalar)((ConfigMap)sweeper.TryGet("sampler")!).TryGet("seed")!).Value);
        Assert.Equal(24L, ((ConfigScalar)((ConfigMap)sweeper.TryGet("sampler")!).TryGet("n_ei_candidates")!).Value);
        Assert.Equal("[minimize, maximize]", sweeper.TryGet("direction")!.Describe());
        Assert.Equal(3L, ((ConfigScalar)sweeper.TryGet("n_trials")!).Value);
        Assert.Equal("train:\n  val_split: 0.2\n  optimiser: adam\n", Yaml(composed.Job));
    }

    [Fact]
    public void Compose_OverrideBeforeNonOverride_HydraError()
    {
        _dir.WriteFile("config.yaml", "defaults:\n  - override hydra/sweeper: optuna\n  - db: mysql\n");
        _dir.WriteFile("db/mysql.yaml", "a: 1\n");
        var e = Assert.Throws<ConfigException>(() => Compose("config"));
        Assert.Contains("Override 'hydra/sweeper : optuna' is defined before 'db: mysql'. Overrides must be at the end of the defaults list", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("config.yaml:2:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ValueOverrides_HydraSemanticsAndMessages()
    {
        _dir.WriteFile("config.yaml", "train:\n  val_split: 0.2\n  tags: [a, b, c]\n  opt: {lr: 0.1, m: 0.9}\n  none: null\n");
        var job = Compose("config", "train.val_split=0.3", "train.opt={lr:0.5}", "+train.new=1", "++train.val_split=0.4", "train.tags=[x]", "+train.none=7").Job;
        Assert.Equal("train:\n  val_split: 0.4\n  tags:\n  - x\n  opt:\n    lr: 0.5\n    m: 0.9\n  none: 7\n  new: 1\n", Yaml(job));
        Assert.Equal("Could not override 'train.nope'. To append to your config use +train.nope=1",
            Assert.Throws<ConfigException>(() => Compose("config", "train.nope=1")).Problem);
        Assert.Equal("Could not append to config. An item is already at 'train.val_split'. Either remove + prefix: 'train.val_split=1' Or add a second + to add or override 'train.val_split': '++train.val_split=1'",
            Assert.Throws<ConfigException>(() => Compose("config", "+train.val_split=1")).Problem);
        Assert.Equal("Could not delete from config. The value of 'train.val_split' is 0.2 and not 0.3.",
            Assert.Throws<ConfigException>(() => Compose("config", "~train.val_split=0.3")).Problem);
        Assert.Equal("train:\n  tags:\n  - a\n  - b\n  - c\n  opt:\n    lr: 0.1\n    m: 0.9\n  none: null\n", Yaml(Compose("config", "~train.val_split=0.2").Job));
        var sweep = Assert.Throws<ConfigException>(() => Compose("config", "train.val_split=0.1,0.2"));
        Assert.StartsWith("Ambiguous value for argument 'train.val_split=0.1,0.2'", sweep.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ListOperators_ApplyInOrder()
    {
        _dir.WriteFile("config.yaml", "data_prep:\n  raw_dirs_paths: [a, b, c]\n");
        string Paths(params string[] o) => Compose("config", o).Job.TryGet("data_prep") is ConfigMap m ? m.TryGet("raw_dirs_paths")!.Describe() : "";
        Assert.Equal("[a, b, c, d, e]", Paths("data_prep.raw_dirs_paths+=[d,e]"));
        Assert.Equal("[a, b, c, d]", Paths("data_prep.raw_dirs_paths+=d"));
        Assert.Equal("[a, c]", Paths("data_prep.raw_dirs_paths-=b"));
        Assert.Equal("[a, x, c]", Paths("data_prep.raw_dirs_paths[1]=x"));
        Assert.Equal("[a, x, c]", Paths("data_prep.raw_dirs_paths.1=x"));
        Assert.Equal("[a, x, b, c]", Paths("data_prep.raw_dirs_paths[1]+=x"));
        Assert.Equal("[b, c]", Paths("~data_prep.raw_dirs_paths[0]"));
        Assert.Equal("[c, z]", Paths("~data_prep.raw_dirs_paths[0]", "data_prep.raw_dirs_paths-=b", "data_prep.raw_dirs_paths+=z"));
        Assert.Contains("is [a, b, c] which is not a list", Assert.Throws<ConfigException>(() => Compose("config", "data_prep+=x")).Problem.Replace("{raw_dirs_paths: ", "", StringComparison.Ordinal).Replace("]}", "]", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Interpolations_KeepTypesAndReport()
    {
        _dir.WriteFile("config.yaml", """
            a: {b: 3, list: [x, y]}
            typed: ${a.b}
            text: "n=${a.b}"
            rel:
              x: 1
              y: ${.x}
              z: ${..a.b}
            first: ${a.list[0]}
            dotted: ${a.list.1}
            escaped: \${a.b}
            env: ${oc.env:FATHOM_TEST_VAR,fallback}
            env_int_default: ${oc.env:FATHOM_TEST_UNSET,8080}
            env_null: ${oc.env:FATHOM_TEST_UNSET,null}
            decoded: ${oc.decode:'[1, 2]'}
            selected: ${oc.select:a.missing,dflt}
            required: ???
            """);
        var env = new Dictionary<string, string> { ["FATHOM_TEST_VAR"] = "set" };
        var job = Compose("config").ResolveJob(k => env.GetValueOrDefault(k));
        Assert.Equal("""
            a:
              b: 3
              list:
              - x
              - y
            typed: 3
            text: n=3
            rel:
              x: 1
              y: 1
              z: 3
            first: x
            dotted: y
            escaped: ${a.b}
            env: set
            env_int_default: '8080'
            env_null: null
            decoded:
            - 1
            - 2
            selected: dflt
            required: ???

            """.Replace("\r", "", StringComparison.Ordinal), Yaml(job));
    }

    [Fact]
    public void Resolve_CycleAndMissing_NameTheKeys()
    {
        _dir.WriteFile("config.yaml", "a: ${b}\nb: ${c}\nc: ${a}\nm: ???\nuses: ${m}\n");
        var cycle = Assert.Throws<ConfigException>(() => Compose("config", "~uses").ResolveJob());
        Assert.Contains("interpolation cycle: a -> b -> c -> a", cycle.Message, StringComparison.Ordinal);
        Assert.StartsWith("config.yaml:", cycle.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ConfigException>(() => Compose("config", "a=1", "b=2", "c=3").ResolveJob());
        Assert.Contains("Missing mandatory value: m", missing.Message, StringComparison.Ordinal);
        Assert.Contains("Environment variable 'NOPE_X' not found", Assert.Throws<ConfigException>(() =>
            ConfigResolver.ResolveAll(ConfigYaml.Load("v: ${oc.env:NOPE_X}", "e.yaml").Root, _ => null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasBomb_RefusedWithFileAndLine()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Join("", Enumerable.Range(1, 9).Select(i => $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat(i == 1 ? "*a" : $"*l{i - 1}", 10))}]\n"));
        _dir.WriteFile("config.yaml", bomb);
        var e = Assert.Throws<ConfigException>(() => Compose("config"));
        Assert.Matches(@"^config\.yaml:\d+: more than 1,000,000 values", e.Message);
    }

    private sealed class TrainOptions
    {
        public double ValSplit { get; init; }

        public int Seed { get; init; }

        public Kind Optimiser { get; init; }

        public string[] Paths { get; init; } = [];

        public Nested? Inner { get; init; }
    }

    private sealed class Nested
    {
        public bool On { get; init; }
    }

    private enum Kind
    {
        Adam,
        RmsProp,
    }

    [Fact]
    public void Bind_Section_ConvertsSnakeCaseKeys()
    {
        _dir.WriteFile("config.yaml", "train:\n  val_split: 0.3\n  seed: 7\n  optimiser: rmsprop\n  paths: [a, b]\n  inner: {on: true}\n");
        var options = ConfigBinder.Bind<TrainOptions>(Compose("config").ResolveJob(), "train");
        Assert.Equal((0.3, 7, Kind.RmsProp, "a,b", true), (options.ValSplit, options.Seed, options.Optimiser, string.Join(',', options.Paths), options.Inner!.On));
    }

    [Fact]
    public void Bind_WrongValues_EveryErrorNamesFileLineAndKey()
    {
        _dir.WriteFile("config.yaml", "train:\n  val_split: high\n  seed: 7\n  sede: 1\n  optimiser: sgd\n");
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<TrainOptions>(Compose("config").ResolveJob(), "train"));
        Assert.Equal(
            """
            config.yaml:2: train.val_split: expected a number, got the string 'high'.
            config.yaml:4: train.sede: unknown key; did you mean 'seed'?
            config.yaml:5: train.optimiser: 'sgd' is not one of adam, rms_prop.
            """.Replace("\r", "", StringComparison.Ordinal).Replace("\n", Environment.NewLine, StringComparison.Ordinal),
            e.Message);
        var fromOverride = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<TrainOptions>(Compose("config", "train.seed=x", "~train.val_split", "~train.sede", "train.optimiser=adam").ResolveJob(), "train"));
        Assert.Equal("override #1, column 12: train.seed: expected an integer, got the string 'x'.", fromOverride.Message);
    }
}
