namespace Fathom.Config;

/// <summary>
/// Hydra's composition: the primary config's defaults list (groups, configs, <c>_self_</c>, <c>override</c>,
/// <c>optional</c>, packages) expanded depth first into an ordered list of configs, merged in that order (later wins), then
/// the value overrides applied left to right. Group overrides from the command line (<c>db=mysql</c>, <c>+db=mysql</c>,
/// <c>~db</c>, <c>db@pkg=x</c>) change the defaults list first. Hydra's own groups (<c>hydra/sweeper</c>,
/// <c>hydra/launcher</c>, …) are recorded as selections, since their configs live in Hydra, not in the config dir.
/// </summary>
internal static partial class ConfigComposer
{
    /// <summary>Composes <paramref name="configName"/> from <paramref name="repository"/> with command-line overrides.</summary>
    /// <param name="repository">The config dir.</param>
    /// <param name="configName">The primary config, with or without its extension.</param>
    /// <param name="overrides">The command-line overrides, as typed.</param>
    /// <param name="multirun">
    /// When true, sweep overrides are set aside in <see cref="ComposedConfig.Sweeps"/> (for the sweeper) instead of being
    /// refused; the other overrides are applied.
    /// </param>
    public static ComposedConfig Compose(ConfigRepository repository, string configName, IReadOnlyList<string> overrides, bool multirun = false)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(configName);
        ArgumentNullException.ThrowIfNull(overrides);
        var parsed = OverrideParser.ParseAll(overrides);
        var sweeps = new List<Override>();
        var applied = new List<Override>();
        foreach (var o in parsed)
        {
            if (o.Value is not Sweep)
            {
                applied.Add(o);
            }
            else if (!multirun)
            {
                throw new ConfigException(o.Source, o.Key, o.Value is ChoiceSweep { SimpleForm: true }
                    ? $"Ambiguous value for argument '{o.Input}': to use it as a list, use key=[value1,value2]; as a string, quote the value: key='value1,value2'; to sweep over it, add --multirun to your command line."
                    : $"Sweep parameters '{o.Input}' requires --multirun");
            }
            else if (o.IsHydraOverride)
            {
                throw new ConfigException(o.Source, o.Key, $"Sweeping over Hydra's configuration is not supported : '{o.Input}'");
            }
            else
            {
                sweeps.Add(o);
            }
        }

        var name = PrimaryName(repository, configName);
        var walk = new DefaultsWalk(repository);
        var valueOverrides = new List<Override>();
        foreach (var o in applied)
        {
            if (IsGroupOverride(repository, o))
            {
                walk.AddCommandLine(o);
            }
            else
            {
                valueOverrides.Add(o);
            }
        }

        var configs = walk.Run(name);
        var selections = walk.Selections();
        var root = HydraDefaults.For(selections);
        foreach (var (package, content) in configs)
        {
            root = (ConfigMap)ConfigMerge.Merge(root, ConfigMerge.Place(package, content));
        }

        foreach (var o in valueOverrides)
        {
            root = ConfigOverrides.Apply(root, o);
        }

        root = WithRuntime(root, selections, parsed, name);
        return new ComposedConfig(root, selections, parsed, sweeps, name, repository.Directory);
    }

    /// <summary>The primary config's path in the repository: <c>pipelines</c> for <c>pipelines</c>, <c>pipelines.yml</c> or <c>pipelines.yaml</c>.</summary>
    public static string PrimaryName(ConfigRepository repository, string configName)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(configName);
        var name = configName.EndsWith(".yaml", StringComparison.Ordinal) ? configName[..^5] : configName.EndsWith(".yml", StringComparison.Ordinal) ? configName[..^4] : configName;
        return repository.FilePath(name) is null
            ? throw new ConfigException(new SourcePosition(repository.Directory, 0, 0), "", $"Cannot find primary config '{name}'. Check that it's in your config search path (no {name}.yaml or {name}.yml in the config dir; choose one with --config-name).")
            : name;
    }

    private static bool IsGroupOverride(ConfigRepository repository, Override o) =>
        o.Kind is not (OverrideKind.Extend or OverrideKind.Remove)
        && (o.Key.Contains('/', StringComparison.Ordinal) || o.Package is not null || repository.GroupExists(o.Key));

    // What Hydra records about the run in its own node: the choices, the config name and the overrides by kind.
    private static ConfigMap WithRuntime(ConfigMap root, IReadOnlyDictionary<string, string> selections, IReadOnlyList<Override> overrides, string name)
    {
        var at = SourcePosition.Generated;
        var choices = ConfigMap.Empty(at);
        foreach (var (group, option) in selections)
        {
            choices = choices.With(group, ConfigScalar.Of(option, at));
        }

        ConfigList Strings(IEnumerable<string> items) => new([.. items.Select(s => (ConfigNode)ConfigScalar.Of(s, at))], at);
        var hydra = root.TryGet("hydra") as ConfigMap ?? ConfigMap.Empty(at);
        var runtime = (hydra.TryGet("runtime") as ConfigMap ?? ConfigMap.Empty(at)).With("choices", choices);
        var job = (hydra.TryGet("job") as ConfigMap ?? ConfigMap.Empty(at)).With("config_name", ConfigScalar.Of(name, at));
        var recorded = ConfigMap.Empty(at)
            .With("hydra", Strings(overrides.Where(o => o.IsHydraOverride).Select(o => o.Input)))
            .With("task", Strings(overrides.Where(o => !o.IsHydraOverride).Select(o => o.Input)));
        hydra = hydra.With("runtime", runtime).With("job", job).With("overrides", recorded);
        return root.With("hydra", hydra);
    }
}
