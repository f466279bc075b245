using Fathom.Config;

namespace Fathom.Tuning;

/// <summary>
/// <c>hydra.sweeper.pruner</c> (a Fathom key: Hydra's Optuna sweeper has no pruner): which pruner stops trials whose
/// intermediate values (<c>step=N name=value</c> lines) trail the others. <c>type</c> is <c>median</c> (Optuna's default
/// study pruner, also the default here), <c>percentile</c>, <c>successive_halving</c>, <c>hyperband</c> or <c>none</c>, or
/// Optuna's <c>_target_</c> (<c>optuna.pruners.MedianPruner</c>, …); the other keys are the pruner's arguments by Optuna's
/// names. Pruning needs one objective, as Optuna's <c>report</c> does.
/// </summary>
internal sealed record PrunerSettings(string Type, IReadOnlyDictionary<string, object?> Arguments)
{
    private static readonly Dictionary<string, string> Targets = new(StringComparer.Ordinal)
    {
        ["optuna.pruners.MedianPruner"] = "median",
        ["optuna.pruners.PercentilePruner"] = "percentile",
        ["optuna.pruners.SuccessiveHalvingPruner"] = "successive_halving",
        ["optuna.pruners.HyperbandPruner"] = "hyperband",
        ["optuna.pruners.NopPruner"] = "none",
    };

    private static readonly Dictionary<string, string[]> Keys = new(StringComparer.Ordinal)
    {
        ["median"] = ["n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"],
        ["percentile"] = ["percentile", "n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"],
        ["successive_halving"] = ["min_resource", "reduction_factor", "min_early_stopping_rate", "bootstrap_count"],
        ["hyperband"] = ["min_resource", "max_resource", "reduction_factor", "bootstrap_count"],
        ["none"] = [],
    };

    public static PrunerSettings Default { get; } = new("median", new Dictionary<string, object?>());

    /// <summary>The pruner a worker asks (a new one per worker: some keep state between calls).</summary>
    public IPruner Create() => Type switch
    {
        "median" => new PercentilePruner(new PercentilePrunerOptions(50, Int("n_startup_trials") ?? 5, Int("n_warmup_steps") ?? 0, Int("interval_steps") ?? 1, Int("n_min_trials") ?? 1)),
        "percentile" => new PercentilePruner(new PercentilePrunerOptions(Double("percentile") ?? 50, Int("n_startup_trials") ?? 5, Int("n_warmup_steps") ?? 0, Int("interval_steps") ?? 1, Int("n_min_trials") ?? 1)),
        "successive_halving" => new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(Auto("min_resource"), Int("reduction_factor") ?? 4, Int("min_early_stopping_rate") ?? 0, Int("bootstrap_count") ?? 0)),
        "hyperband" => new HyperbandPruner(new HyperbandOptions(Int("min_resource") ?? 1, Auto("max_resource"), Int("reduction_factor") ?? 3, Int("bootstrap_count") ?? 0)),
        _ => new NopPruner(),
    };

    public static PrunerSettings From(ConfigEntry? entry)
    {
        if (entry is null || entry.Value is ConfigScalar { Kind: ScalarKind.Null })
        {
            return Default;
        }

        const string Where = "hydra.sweeper.pruner";
        if (entry.Value is ConfigScalar { Kind: ScalarKind.String } name)
        {
            return Checked(new PrunerSettings(Normalise(name.Text, name.Source), new Dictionary<string, object?>()), name.Source);
        }

        if (TuneSettings.ToPlain(entry.Value) is not Dictionary<string, object?> map)
        {
            throw new ConfigException(entry.Value.Source, Where, "expected a pruner type (median, percentile, successive_halving, hyperband, none) or {type: …, its arguments}.");
        }

        var type = map.Remove("type", out var t) ? t as string
            : map.Remove("_target_", out var target) && target is string s ? Targets.GetValueOrDefault(s) ?? throw new ConfigException(entry.Value.Source, Where + "._target_", $"unknown pruner '{s}'.")
            : "median";
        var settings = new PrunerSettings(Normalise(type ?? "median", entry.Value.Source), map);
        var unknown = map.Keys.Where(k => !Keys[settings.Type].Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ConfigException(entry.Value.Source, Where,
                $"unknown key(s) {string.Join(", ", unknown)} for the {settings.Type} pruner; it takes {(Keys[settings.Type].Length == 0 ? "none" : string.Join(", ", Keys[settings.Type]))}.");
        }

        return Checked(settings, entry.Value.Source);
    }

    private static PrunerSettings Checked(PrunerSettings settings, SourcePosition where)
    {
        try
        {
            settings.Create();
            return settings;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException)
        {
            throw new ConfigException(where, "hydra.sweeper.pruner", e.Message);
        }
    }

    private static string Normalise(string type, SourcePosition where)
    {
        var lower = type.ToLowerInvariant().Replace('-', '_');
        lower = lower switch
        {
            "nop" or "null" => "none",
            "sha" or "asha" => "successive_halving",
            _ => lower,
        };
        return Keys.ContainsKey(lower) ? lower
            : throw new ConfigException(where, "hydra.sweeper.pruner", $"unknown pruner '{type}'; use median, percentile, successive_halving, hyperband or none.");
    }

    private int? Int(string key) => Arguments.GetValueOrDefault(key) switch
    {
        null => null,
        long l => checked((int)l),
        var v => throw new ArgumentException($"pruner {key}: expected an integer, not {v}."),
    };

    private double? Double(string key) => Arguments.GetValueOrDefault(key) switch
    {
        null => null,
        long l => l,
        double d => d,
        var v => throw new ArgumentException($"pruner {key}: expected a number, not {v}."),
    };

    // Optuna's "auto" (the default) is null here.
    private int? Auto(string key) => Arguments.GetValueOrDefault(key) is "auto" ? null : Int(key);
}
