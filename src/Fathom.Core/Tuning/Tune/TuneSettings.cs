using System.Text.Json;
using Fathom.Config;

namespace Fathom.Tuning;

/// <summary>
/// What a <c>fathom tune</c> launch runs, read from the composed config's <c>hydra.sweeper</c> exactly as Hydra's
/// Optuna sweeper (1.2) reads it — <c>sampler</c> (the <c>hydra/sweeper/sampler</c> group: tpe, random, grid, cmaes,
/// nsgaii, motpe), <c>direction</c> (one or a list), <c>study_name</c>, <c>storage</c>, <c>n_trials</c>, <c>n_jobs</c>,
/// <c>max_failure_rate</c>, <c>search_space</c> (the dict form) and <c>params</c> (override grammar; sweeps given on the
/// command line join them, a later entry for a key winning) — plus Fathom's keys: <c>objectives</c>, the metric names
/// whose values the trials are judged by (one per direction), and <c>pruner</c>.
/// </summary>
internal sealed record TuneSettings
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "_target_", "sampler", "direction", "storage", "study_name", "n_trials", "n_jobs", "max_failure_rate",
        "search_space", "params", "custom_search_space", "objectives", "pruner",
    };

    public required string StudyName { get; init; }

    public required IReadOnlyList<StudyDirection> Directions { get; init; }

    /// <summary>The sampler's group option (tpe, random, grid, cmaes, nsgaii, motpe).</summary>
    public required string SamplerName { get; init; }

    public required SamplerOptions Sampler { get; init; }

    /// <summary>The sampler's config as JSON, kept with the study.</summary>
    public required string SamplerJson { get; init; }

    /// <summary>The params searched, in order, with their distributions.</summary>
    public required IReadOnlyList<KeyValuePair<string, ParamDistribution>> SearchSpace { get; init; }

    /// <summary>Params with one value (plain values in <c>params</c>): every trial gets them and records them.</summary>
    public required IReadOnlyList<KeyValuePair<string, ConfigNode>> FixedParams { get; init; }

    /// <summary>The task overrides given to the launch (not sweeps, not Hydra's): every trial gets them first.</summary>
    public required IReadOnlyList<string> TaskOverrides { get; init; }

    /// <summary>Trials the study should hold (Optuna's <c>MaxTrialsCallback</c>): a relaunch resumes up to it.</summary>
    public required int NTrials { get; init; }

    /// <summary>Trials a worker runs at once; a new one starts as soon as one ends.</summary>
    public required int NJobs { get; init; }

    /// <summary>A study database of its own (<c>sqlite:///…</c>, <c>postgresql://…</c>), or null for the project's store.</summary>
    public string? Storage { get; init; }

    /// <summary>The metric names giving each objective's value, or empty: the trial's last stdout line is its return value.</summary>
    public required IReadOnlyList<string> Objectives { get; init; }

    public required PrunerSettings Pruner { get; init; }

    /// <summary>Share of a launch's finished trials that may fail before it stops; 0 (Hydra's default) never stops it.</summary>
    public double MaxFailureRate { get; init; }

    /// <summary>Things the config asks for that were read differently (both search_space and params given).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Reads the settings of <paramref name="composed"/> (composed with its sweep overrides set aside).</summary>
    public static TuneSettings From(ComposedConfig composed, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(composed);
        var selected = composed.Selections.GetValueOrDefault("hydra/sweeper");
        if (selected != "optuna")
        {
            throw new ConfigException(new SourcePosition(composed.ConfigName, 0, 0), "hydra/sweeper",
                $"fathom tune runs Hydra's Optuna sweeper, and the config selects '{selected ?? "basic"}': add '- override hydra/sweeper: optuna' to its defaults list.");
        }

        var resolver = new ConfigResolver(composed.Root, environment, time);
        var sweeper = resolver.Select("hydra.sweeper") as ConfigMap
            ?? throw new ConfigException(null, "hydra.sweeper", "missing: the Optuna sweeper's settings are not in the composed config.");
        foreach (var entry in sweeper.Entries.Where(e => !Known.Contains(e.Key)))
        {
            throw new ConfigException(entry.KeySource, "hydra.sweeper." + entry.Key,
                $"unknown key; the Optuna sweeper's keys are {string.Join(", ", Known.Where(k => k != "_target_").Order(StringComparer.Ordinal))}.");
        }

        var warnings = new List<string>();
        var directions = ReadDirections(sweeper);
        var objectives = ReadObjectives(sweeper, directions.Count);
        if (sweeper.TryGet("custom_search_space") is ConfigScalar { Kind: not ScalarKind.Null } custom)
        {
            throw new ConfigException(custom.Source, "hydra.sweeper.custom_search_space", "a Python function cannot run here; put its params in hydra.sweeper.params.");
        }

        var (space, fixedParams) = ReadSearchSpace(sweeper, composed, warnings);
        var nTrials = Int(sweeper, "n_trials", 20, minimum: 1);
        var samplerName = composed.Selections.GetValueOrDefault("hydra/sweeper/sampler") ?? "tpe";
        var samplerConfig = ToPlain(sweeper.TryGet("sampler")) as Dictionary<string, object?> ?? [];
        IReadOnlyDictionary<string, IReadOnlyList<object?>>? grid = null;
        if (samplerName == "grid")
        {
            try
            {
                grid = space.ToDictionary(p => p.Key, p => SweepDistributions.GridValues(p.Key, p.Value), StringComparer.Ordinal);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(sweeper.Source, "hydra.sweeper.sampler", e.Message);
            }

            // As the Optuna sweeper: a grid is walked once at most.
            nTrials = (int)Math.Min(nTrials, grid.Values.Aggregate(1L, (n, v) => n * v.Count));
        }

        SamplerOptions sampler;
        try
        {
            sampler = SweeperConfig.Sampler(samplerName, samplerConfig, grid);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(sweeper.TryGet("sampler")?.Source, "hydra.sweeper", e.Message);
        }

        if (directions.Count > 1 && samplerName == "cmaes")
        {
            throw new ConfigException(sweeper.Source, "hydra.sweeper.sampler", "CMA-ES optimises one objective; use tpe, nsgaii or random for several directions.");
        }

        var studyName = sweeper.TryGet("study_name") is ConfigScalar { Kind: not ScalarKind.Null } name ? name.Text : "no-name-" + Guid.NewGuid().ToString("D");
        var storage = sweeper.TryGet("storage") is ConfigScalar { Kind: not ScalarKind.Null } s ? s.Text : null;
        var rate = sweeper.TryGet("max_failure_rate") is ConfigScalar { Kind: ScalarKind.Float or ScalarKind.Int } r ? r.AsDouble : 0.0;
        if (rate is < 0 or > 1)
        {
            throw new ConfigException(sweeper.TryGet("max_failure_rate")!.Source, "hydra.sweeper.max_failure_rate", $"must be between 0 and 1, not {rate}.");
        }

        return new TuneSettings
        {
            StudyName = studyName,
            Directions = directions,
            SamplerName = samplerName,
            Sampler = sampler,
            SamplerJson = SamplerJsonText(samplerName, samplerConfig),
            SearchSpace = space,
            FixedParams = fixedParams,
            TaskOverrides = [.. composed.Overrides.Where(o => !o.IsSweep && !o.IsHydraOverride).Select(o => o.Input)],
            NTrials = nTrials,
            NJobs = Int(sweeper, "n_jobs", 2, minimum: 1),
            Storage = storage,
            Objectives = objectives,
            Pruner = PrunerSettings.From(sweeper.Entry("pruner")),
            MaxFailureRate = rate,
            Warnings = warnings,
        };
    }

    private static List<StudyDirection> ReadDirections(ConfigMap sweeper)
    {
        var node = sweeper.TryGet("direction");
        IEnumerable<ConfigNode> items = node switch
        {
            null or ConfigScalar { Kind: ScalarKind.Null } => [ConfigScalar.Of("minimize", SourcePosition.Generated)],
            ConfigList list => list.Items,
            _ => [node],
        };
        var directions = new List<StudyDirection>();
        foreach (var item in items)
        {
            directions.Add(item is ConfigScalar { Kind: ScalarKind.String } s ? s.Text.ToLowerInvariant() switch
            {
                "minimize" => StudyDirection.Minimize,
                "maximize" => StudyDirection.Maximize,
                _ => throw new ConfigException(s.Source, "hydra.sweeper.direction", $"'{s.Text}' is not minimize or maximize."),
            } : throw new ConfigException(item.Source, "hydra.sweeper.direction", $"expected minimize or maximize, not {item.Describe()}."));
        }

        return directions.Count > 0 ? directions : throw new ConfigException(node?.Source, "hydra.sweeper.direction", "give at least one direction.");
    }

    private static List<string> ReadObjectives(ConfigMap sweeper, int count)
    {
        var node = sweeper.TryGet("objectives");
        List<string> names = node switch
        {
            null or ConfigScalar { Kind: ScalarKind.Null } => [],
            ConfigList list => [.. list.Items.Select(i => i is ConfigScalar { Kind: ScalarKind.String } s ? s.Text
                : throw new ConfigException(i.Source, "hydra.sweeper.objectives", $"expected metric names, not {i.Describe()}."))],
            ConfigScalar { Kind: ScalarKind.String } s => [s.Text],
            _ => throw new ConfigException(node.Source, "hydra.sweeper.objectives", $"expected a metric name or a list of them, not {node.Describe()}."),
        };
        if (names.Count > 0 && names.Count != count)
        {
            throw new ConfigException(node!.Source, "hydra.sweeper.objectives",
                $"{names.Count} metric name(s) for {count} direction(s): give one metric per direction, in the same order.");
        }

        return names;
    }

    private static (List<KeyValuePair<string, ParamDistribution>>, List<KeyValuePair<string, ConfigNode>>) ReadSearchSpace(
        ConfigMap sweeper, ComposedConfig composed, List<string> warnings)
    {
        var space = new Dictionary<string, ParamDistribution>(StringComparer.Ordinal);
        var order = new List<string>();
        var fixedParams = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        void Set(string key, ParamDistribution? distribution, ConfigNode? fixedValue)
        {
            space.Remove(key);
            fixedParams.Remove(key);
            order.Remove(key);
            order.Add(key);
            if (distribution is null)
            {
                fixedParams[key] = fixedValue!;
            }
            else
            {
                space[key] = distribution;
            }
        }

        var parameters = sweeper.TryGet("params") as ConfigMap;
        var legacy = sweeper.TryGet("search_space") as ConfigMap;
        if (parameters is { Entries.Length: > 0 } && legacy is { Entries.Length: > 0 })
        {
            warnings.Add("hydra.sweeper has both search_space and params: params is used, as Hydra's Optuna sweeper does.");
            legacy = null;
        }

        foreach (var entry in legacy?.Entries ?? [])
        {
            var where = $"hydra.sweeper.search_space.{entry.Key}";
            if (ToPlain(entry.Value) is not Dictionary<string, object?> plain)
            {
                throw new ConfigException(entry.Value.Source, where, "expected {type: float|int|categorical, low, high, step, log, choices}.");
            }

            try
            {
                Set(entry.Key, SweeperConfig.Distribution(entry.Key, plain), null);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException(entry.Value.Source, where, e.Message);
            }
        }

        foreach (var entry in parameters?.Entries ?? [])
        {
            if (entry.Value is ConfigScalar { Kind: ScalarKind.String } text)
            {
                Override parsed;
                try
                {
                    parsed = OverrideParser.Parse(entry.Key + "=" + text.Text);
                }
                catch (ConfigException e)
                {
                    throw new ConfigException(text.Source, "hydra.sweeper.params." + entry.Key, e.Problem);
                }

                Set(entry.Key, SweepDistributions.From(parsed), parsed.Value is ElementValue element ? element.Node : null);
            }
            else
            {
                Set(entry.Key, null, entry.Value);
            }
        }

        // Sweeps on the command line join the config's params (later wins); a plain value given there fixes the key.
        foreach (var sweep in composed.Sweeps)
        {
            Set(sweep.Key, SweepDistributions.From(sweep), null);
        }

        foreach (var plain in composed.Overrides.Where(o => !o.IsSweep && !o.IsHydraOverride && space.ContainsKey(o.Key)))
        {
            space.Remove(plain.Key);
            order.Remove(plain.Key);
        }

        if (space.Count == 0)
        {
            throw new ConfigException(sweeper.Source, "hydra.sweeper.params",
                "nothing to search: give hydra.sweeper.params (key: interval(0.1, 1.0), choice(a, b), range(1, 10)) or search_space, or sweeps on the command line (key=choice(a,b)).");
        }

        return ([.. order.Where(space.ContainsKey).Select(k => KeyValuePair.Create(k, space[k]))],
            [.. order.Where(fixedParams.ContainsKey).Select(k => KeyValuePair.Create(k, fixedParams[k]))]);
    }

    private static int Int(ConfigMap sweeper, string key, int fallback, int minimum)
    {
        var node = sweeper.TryGet(key);
        if (node is null or ConfigScalar { Kind: ScalarKind.Null })
        {
            return fallback;
        }

        return node is ConfigScalar { Kind: ScalarKind.Int } i && (long)i.Value! >= minimum && (long)i.Value! <= int.MaxValue
            ? (int)(long)i.Value!
            : throw new ConfigException(node.Source, "hydra.sweeper." + key, $"expected an integer of at least {minimum}, not {node.Describe()}.");
    }

    /// <summary>A config node as plain values: maps, lists, long, double, string, bool, null.</summary>
    internal static object? ToPlain(ConfigNode? node) => node switch
    {
        null => null,
        ConfigMap map => map.Entries.ToDictionary(e => e.Key, e => ToPlain(e.Value), StringComparer.Ordinal),
        ConfigList list => list.Items.Select(ToPlain).ToList(),
        ConfigScalar scalar => Plain(scalar),
        _ => null,
    };

    private static object? Plain(ConfigScalar scalar) => scalar.Kind switch
    {
        ScalarKind.Null => null,
        ScalarKind.Bool => (bool)scalar.Value!,
        ScalarKind.Int => (long)scalar.Value!,
        ScalarKind.Float => scalar.AsDouble,
        _ => (string)scalar.Value!,
    };

    private static string SamplerJsonText(string name, Dictionary<string, object?> config)
    {
        var document = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["name"] = name };
        foreach (var (key, value) in config)
        {
            document[key] = value;
        }

        return JsonSerializer.Serialize(document, JsonOptions);
    }
}
