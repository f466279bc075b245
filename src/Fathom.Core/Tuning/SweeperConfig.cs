using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Maps the Hydra Optuna sweeper's configuration, as plain dictionaries (what the config reader produces), onto
/// sampler options and distributions: <c>sampler</c> (tpe, random, cmaes, nsgaii, motpe, grid — by name or by
/// Optuna's <c>_target_</c>) and <c>search_space</c> entries <c>{type: float|int|categorical, low, high, step, log, choices}</c>.
/// Unknown keys and settings we do not implement are refused with the key in the message.
/// </summary>
internal static class SweeperConfig
{
    private static readonly Dictionary<string, string> Targets = new(StringComparer.Ordinal)
    {
        ["optuna.samplers.TPESampler"] = "tpe",
        ["optuna.samplers.RandomSampler"] = "random",
        ["optuna.samplers.CmaEsSampler"] = "cmaes",
        ["optuna.samplers.NSGAIISampler"] = "nsgaii",
        ["optuna.samplers.MOTPESampler"] = "motpe",
        ["optuna.samplers.GridSampler"] = "grid",
    };

    /// <summary>
    /// Sampler options from a sampler config. <paramref name="kind"/> is the config group's name (tpe, random, …);
    /// when null it comes from <c>_target_</c>. A grid sampler takes its values from <paramref name="gridSpace"/>
    /// (the sweeper derives it from the params) or from a <c>search_space</c> key.
    /// </summary>
    public static SamplerOptions Sampler(
        string? kind, IReadOnlyDictionary<string, object?> config, IReadOnlyDictionary<string, IReadOnlyList<object?>>? gridSpace = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var target = config.TryGetValue("_target_", out var t) ? t as string : null;
        var name = kind?.ToLowerInvariant()
            ?? (target is not null && Targets.TryGetValue(target, out var k) ? k : null)
            ?? throw new ArgumentException($"sampler: unknown _target_ '{target}'; expected one of {string.Join(", ", Targets.Keys)}.");
        var reader = new Reader("sampler", config);
        SamplerOptions options = name switch
        {
            "tpe" => new TpeOptions(
                Seed: reader.Long("seed"),
                NStartupTrials: reader.Int("n_startup_trials") ?? 10,
                NEiCandidates: reader.Int("n_ei_candidates") ?? 24,
                Multivariate: reader.Bool("multivariate") ?? false,
                Group: reader.Bool("group") ?? false,
                ConstantLiar: reader.Bool("constant_liar") ?? false,
                PriorWeight: reader.Double("prior_weight") ?? 1.0,
                ConsiderPrior: reader.Bool("consider_prior") ?? true,
                ConsiderMagicClip: reader.Bool("consider_magic_clip") ?? true,
                ConsiderEndpoints: reader.Bool("consider_endpoints") ?? false),
            "motpe" => new TpeOptions(
                Seed: reader.Long("seed"),
                NStartupTrials: reader.Int("n_startup_trials") ?? 10,
                NEiCandidates: reader.Int("n_ehvi_candidates") ?? 24,
                PriorWeight: reader.Double("prior_weight") ?? 1.0,
                ConsiderPrior: reader.Bool("consider_prior") ?? true,
                ConsiderMagicClip: reader.Bool("consider_magic_clip") ?? true,
                ConsiderEndpoints: reader.Bool("consider_endpoints") ?? false),
            "random" => new RandomOptions(reader.Long("seed")),
            "cmaes" => Cma(reader),
            "nsgaii" => new NsgaIIOptions(
                Seed: reader.Long("seed"),
                PopulationSize: reader.Int("population_size") ?? 50,
                MutationProb: reader.Double("mutation_prob"),
                CrossoverProb: reader.Double("crossover_prob") ?? 0.9,
                SwappingProb: reader.Double("swapping_prob") ?? 0.5),
            "grid" => new GridOptions(gridSpace ?? reader.Grid("search_space"), reader.Long("seed")),
            _ => throw new ArgumentException($"sampler: unknown sampler '{kind}'; expected tpe, random, cmaes, nsgaii, motpe or grid."),
        };
        // A warning toggle of Optuna's TPE and CMA-ES samplers (they warn when they fall back to independent sampling;
        // Fathom's say nothing), so either bool is fine, but it is type-checked like every other key.
        if (name is "tpe" or "cmaes")
        {
            _ = reader.Bool("warn_independent_sampling");
        }
        reader.RefuseDefaultsOnly("constraints_func", "independent_sampler");
        reader.ThrowOnUnknown();
        return options;
    }

    /// <summary>A distribution from one <c>search_space</c> entry (Hydra's <c>DistributionConfig</c>).</summary>
    public static ParamDistribution Distribution(string name, IReadOnlyDictionary<string, object?> entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(entry);
        var reader = new Reader($"search_space.{name}", entry);
        var type = reader.String("type") ?? throw new ArgumentException($"search_space.{name}: 'type' is required (float, int or categorical).");
        ParamDistribution distribution;
        try
        {
            distribution = type.ToLowerInvariant() switch
            {
                "float" => new FloatDistribution(
                    reader.Double("low") ?? throw Missing(name, "low"),
                    reader.Double("high") ?? throw Missing(name, "high"),
                    reader.Double("step"),
                    reader.Bool("log") ?? false),
                "int" => new IntDistribution(
                    reader.Long("low") ?? throw Missing(name, "low"),
                    reader.Long("high") ?? throw Missing(name, "high"),
                    reader.Long("step") ?? 1,
                    reader.Bool("log") ?? false),
                "categorical" => new CategoricalDistribution(reader.List("choices") ?? throw Missing(name, "choices")),
                _ => throw new ArgumentException($"search_space.{name}.type: '{type}' is not float, int or categorical."),
            };
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("search_space.", StringComparison.Ordinal))
        {
            throw new ArgumentException($"search_space.{name}: {e.Message}", e);
        }
        reader.ThrowOnUnknown();
        return distribution;
    }

    private static CmaEsOptions Cma(Reader reader)
    {
        var x0 = reader.Map("x0");
        reader.RefuseDefaultsOnly("use_separable_cma", "restart_strategy", "source_trials", "consider_pruned_trials", "with_margin", "lr_adapt");
        reader.Skip("inc_popsize");
        return new CmaEsOptions(
            Seed: reader.Long("seed"),
            X0: x0?.ToDictionary(p => p.Key, p => Reader.ToDouble($"sampler.x0.{p.Key}", p.Value), StringComparer.Ordinal),
            Sigma0: reader.Double("sigma0"),
            PopulationSize: reader.Int("popsize") ?? reader.Int("population_size"),
            NStartupTrials: reader.Int("n_startup_trials") ?? 1);
    }

    private static ArgumentException Missing(string name, string key) => new($"search_space.{name}: '{key}' is required.");

    private sealed class Reader(string where, IReadOnlyDictionary<string, object?> values)
    {
        private readonly HashSet<string> _read = ["_target_"];

        public string? String(string key) => Get(key) switch
        {
            null => null,
            string s => s,
            var v => throw Bad(key, v, "a string"),
        };

        public bool? Bool(string key) => Get(key) switch
        {
            null => null,
            bool b => b,
            string s when bool.TryParse(s, out var b) => b,
            var v => throw Bad(key, v, "true or false"),
        };

        public double? Double(string key) => Get(key) is { } v ? ToDouble($"{where}.{key}", v) : null;

        public long? Long(string key) => Get(key) switch
        {
            null => null,
            long l => l,
            int i => i,
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (long)d,
            string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            var v => throw Bad(key, v, "an integer"),
        };

        public int? Int(string key) => Long(key) is { } l
            ? l is >= int.MinValue and <= int.MaxValue ? (int)l : throw Bad(key, l, "a 32-bit integer")
            : null;

        public IReadOnlyList<object?>? List(string key) => Get(key) switch
        {
            null => null,
            IEnumerable<object?> e => [.. e],
            var v => throw Bad(key, v, "a list"),
        };

        public IReadOnlyDictionary<string, object?>? Map(string key) => Get(key) switch
        {
            null => null,
            IReadOnlyDictionary<string, object?> d => d,
            IDictionary<string, object?> d => d.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            var v => throw Bad(key, v, "a mapping"),
        };

        public Dictionary<string, IReadOnlyList<object?>> Grid(string key)
        {
            var map = Map(key) ?? throw new ArgumentException($"{where}: a grid sampler needs the values of each param ('{key}').");
            return map.ToDictionary(
                p => p.Key,
                p => p.Value is IEnumerable<object?> e
                    ? (IReadOnlyList<object?>)[.. e]
                    : throw new ArgumentException($"{where}.{key}.{p.Key}: expected a list of values."),
                StringComparer.Ordinal);
        }

        public void Skip(string key) => _read.Add(key);

        /// <summary>Keys we accept only at Optuna's default (null or false): anything else is a feature we lack.</summary>
        public void RefuseDefaultsOnly(params string[] keys)
        {
            foreach (var key in keys)
            {
                _read.Add(key);
                if (values.TryGetValue(key, out var v) && v is not null && v is not false)
                {
                    throw new ArgumentException($"{where}.{key}: not supported by Fathom's samplers; leave it unset.");
                }
            }
        }

        public void ThrowOnUnknown()
        {
            var unknown = values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"{where}: unknown key{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(k => $"'{k}'"))}.");
            }
        }

        public static double ToDouble(string at, object? value) => value switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            decimal m => (double)m,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw new ArgumentException($"{at}: expected a number, not {FloatDistribution.Show(value)}."),
        };

        private object? Get(string key)
        {
            _read.Add(key);
            return values.TryGetValue(key, out var v) ? v : null;
        }

        private ArgumentException Bad(string key, object? value, string expected) =>
            new($"{where}.{key}: expected {expected}, not {FloatDistribution.Show(value)}.");
    }
}
