using System.Collections.Immutable;

namespace Fathom.Config;

/// <summary>
/// One expansion of a defaults tree: the choices registered by command-line group overrides and by <c>override</c>
/// entries (the command line wins; a config's override entries are registered before its own entries are expanded, so
/// they change choices made in its subtree), appends (<c>+group=option</c>) and deletions (<c>~group</c>).
/// </summary>
internal sealed class DefaultsWalk(ConfigRepository repository)
{
    private sealed class Choice(ImmutableArray<string?> options, bool external, string? containingConfig, string input)
    {
        public ImmutableArray<string?> Options { get; } = options;

        public bool External { get; } = external;

        public string? ContainingConfig { get; } = containingConfig;

        public string Input { get; } = input;

        public bool Used { get; set; }
    }

    private sealed class Deletion(string? option, Override source)
    {
        public string? Option { get; } = option;

        public Override Source { get; } = source;

        public bool Used { get; set; }
    }

    private readonly Dictionary<string, Choice> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Deletion> _deletions = new(StringComparer.Ordinal);
    private readonly List<DefaultsEntry> _appends = [];
    private readonly Dictionary<string, string> _selections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _knownKeys = new(StringComparer.Ordinal);
    private readonly List<(string Package, ConfigMap Content)> _configs = [];
    private readonly HashSet<string> _visiting = new(StringComparer.Ordinal);

    public void AddCommandLine(Override o)
    {
        var key = o.Package is null ? o.Key : o.Key + "@" + o.Package;
        switch (o.Kind)
        {
            case OverrideKind.ForceAdd:
                throw new ConfigException(o.Source, o.Key, $"force-add of config groups is not supported: '{o.Input}'");
            case OverrideKind.Delete:
                _deletions[key] = new Deletion(o.Value is null ? null : Option(o), o);
                return;
            case OverrideKind.Add:
                _appends.Add(new DefaultsEntry(DefaultsKind.Group, "/" + o.Key, Options(o), o.Package, false, false, o.Source));
                return;
            default:
                if (!o.Key.StartsWith("hydra/", StringComparison.Ordinal) && !repository.GroupExists(o.Key))
                {
                    throw new ConfigException(o.Source, o.Key, $"Override {o.Input} looks like a config group override, but config group '{o.Key}' does not exist.");
                }

                _choices[key] = new Choice(Options(o), external: true, containingConfig: null, o.Input);
                return;
        }
    }

    private static string Option(Override o) => o.Element is ConfigScalar { Kind: not ScalarKind.Null } s
        ? s.Text
        : throw new ConfigException(o.Source, o.Key, $"Config group override must be a string or a list. Got {o.Element.Describe()}");

    private static ImmutableArray<string?> Options(Override o) => o.Element switch
    {
        ConfigScalar { Kind: ScalarKind.Null } => [null],
        ConfigScalar s => [s.Text],
        ConfigList l => [.. l.Items.Select(i => i is ConfigScalar s ? s.Text : throw new ConfigException(o.Source, o.Key, "Config group override must be a string or a list of strings."))],
        var other => throw new ConfigException(o.Source, o.Key, $"Config group override must be a string or a list. Got {other.Describe()}"),
    };

    /// <summary>The configs to merge, in order, each with the package it goes to.</summary>
    public IReadOnlyList<(string Package, ConfigMap Content)> Run(string primary)
    {
        var document = repository.Load(primary)!;
        var package = document.Package is null or "_global_" or "_group_" or "_here_" ? "" : document.Package;
        Visit(primary, document, package, group: "", isPrimary: true);
        foreach (var (key, choice) in _choices)
        {
            if (key.StartsWith("hydra/", StringComparison.Ordinal))
            {
                // Hydra's own groups: accepted and recorded, their configs are Hydra's (see HydraDefaults).
                _selections[key] = Describe(choice.Options);
                continue;
            }

            if (!choice.Used)
            {
                throw Unused(key, choice);
            }
        }

        foreach (var (key, deletion) in _deletions.Where(d => !d.Value.Used))
        {
            var desc = deletion.Option is null ? key : $"{key}={deletion.Option}";
            throw new ConfigException(deletion.Source.Source, key, $"Could not delete '{desc}'. No match in the defaults list");
        }

        return _configs;
    }

    /// <summary>Every group selection: Hydra's defaults for its own groups, then what the defaults list and overrides chose.</summary>
    public IReadOnlyDictionary<string, string> Selections()
    {
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (group, option) in HydraDefaults.Choices)
        {
            all[group] = option;
        }

        foreach (var (group, option) in _selections)
        {
            all[group] = option;
        }

        if (!all.ContainsKey("hydra/sweeper/sampler") && HydraDefaults.ImpliedChoice("hydra/sweeper/sampler", all) is { } sampler)
        {
            all["hydra/sweeper/sampler"] = sampler;
        }

        return all;
    }

    private ConfigException Unused(string key, Choice choice)
    {
        var value = Describe(choice.Options);
        if (!choice.External)
        {
            return new ConfigException(null, key, $"In '{choice.ContainingConfig}': Invalid Defaults List override '{key}: {value}'. No earlier Group Default for '{key}' exists to override.");
        }

        var group = key.Split('@')[0];
        var known = _knownKeys.GetValueOrDefault(group) ?? [];
        var message = known.Count switch
        {
            > 1 => $"Could not override '{key}'. Did you mean to override one of {string.Join(", ", known.Order(StringComparer.Ordinal))}?",
            1 => $"Could not override '{key}'. Did you mean to override {known.First()}?",
            _ => $"Could not override '{key}'. No match in the defaults list.",
        };
        return new ConfigException(null, key, $"{message} To append to your default list use +{key}={value}");
    }

    private static string Describe(ImmutableArray<string?> options) =>
        options.Length == 1 ? options[0] ?? "null" : "[" + string.Join(", ", options.Select(o => o ?? "null")) + "]";

    private void Visit(string configPath, ConfigYaml.Document document, string package, string group, bool isPrimary)
    {
        if (!_visiting.Add(configPath))
        {
            throw new ConfigException(document.Root.Source, "defaults", $"'{configPath}' includes itself through its defaults list.");
        }

        var content = document.Root.Without("defaults");
        var entries = document.Root.TryGet("defaults") is { } defaults ? DefaultsEntry.Parse(defaults) : [];
        if (isPrimary)
        {
            entries = entries.AddRange(_appends);
        }

        Validate(configPath, entries);
        foreach (var entry in entries.Where(e => e.IsOverride))
        {
            var key = entry.OverrideKey(AbsoluteGroup(group, entry.Path));
            if (!_choices.ContainsKey(key))
            {
                _choices[key] = new Choice(entry.Options, external: false, containingConfig: repository.FilePath(configPath) is { } f ? Path.GetFileName(f) : configPath, $"{key}: {Describe(entry.Options)}");
            }
        }

        if (!entries.Any(e => e.Kind == DefaultsKind.Self))
        {
            // Hydra 1.1+: the config's own content goes last unless _self_ says otherwise.
            entries = entries.Add(new DefaultsEntry(DefaultsKind.Self, "_self_", [], null, false, false, document.Root.Source));
        }

        foreach (var entry in entries.Where(e => !e.IsOverride))
        {
            switch (entry.Kind)
            {
                case DefaultsKind.Self:
                    _configs.Add((package, content));
                    break;
                case DefaultsKind.Config:
                    VisitConfig(configPath, entry, package, group);
                    break;
                default:
                    VisitGroup(configPath, entry, package, group);
                    break;
            }
        }

        _visiting.Remove(configPath);
    }

    private static void Validate(string configPath, ImmutableArray<DefaultsEntry> entries)
    {
        DefaultsEntry? firstOverride = null;
        var selves = 0;
        foreach (var entry in entries)
        {
            selves += entry.Kind == DefaultsKind.Self ? 1 : 0;
            if (selves > 1)
            {
                throw new ConfigException(entry.Source, "defaults", $"Duplicate _self_ defined in {configPath}");
            }

            if (entry.IsOverride)
            {
                firstOverride ??= entry;
            }
            else if (firstOverride is not null)
            {
                var value = entry.Kind == DefaultsKind.Group ? $"{entry.Path}: {Describe(entry.Options)}" : entry.Path;
                throw new ConfigException(firstOverride.Source, "defaults",
                    $"In {configPath}: Override '{firstOverride.Path} : {Describe(firstOverride.Options)}' is defined before '{value}'. Overrides must be at the end of the defaults list");
            }
        }
    }

    private void VisitConfig(string configPath, DefaultsEntry entry, string parentPackage, string group)
    {
        var path = AbsoluteGroup(group, entry.Path);
        var document = repository.Load(path)
            ?? throw new ConfigException(entry.Source, "defaults", $"In '{configPath}': Could not load '{path}'.");
        var configGroup = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : "";
        Visit(path, document, PackageOf(entry.Package, document.Package, parentPackage, configGroup), configGroup, isPrimary: false);
    }

    private void VisitGroup(string configPath, DefaultsEntry entry, string parentPackage, string group)
    {
        var absolute = AbsoluteGroup(group, entry.Path);
        var key = entry.OverrideKey(absolute);
        _knownKeys.TryAdd(absolute, new HashSet<string>(StringComparer.Ordinal));
        _knownKeys[absolute].Add(key);
        var options = entry.Options;
        if (_choices.TryGetValue(key, out var choice))
        {
            options = choice.Options;
            choice.Used = true;
        }

        if (_deletions.TryGetValue(key, out var deletion) && (deletion.Option is null || options.Contains(deletion.Option)))
        {
            deletion.Used = true;
            return;
        }

        _selections[key] = Describe(options);
        if (absolute.StartsWith("hydra/", StringComparison.Ordinal) && options.All(o => o is null || repository.FilePath(absolute + "/" + o) is null))
        {
            return; // Hydra's own group, recorded only.
        }

        foreach (var option in options)
        {
            if (option is null)
            {
                continue;
            }

            if (option == ConfigScalar.MissingMarker)
            {
                var available = string.Join(", ", repository.Options(absolute) ?? []);
                throw new ConfigException(entry.Source, key, $"You must specify '{key}', e.g, {key}=<OPTION>. Available options: {available}");
            }

            var path = absolute + "/" + option;
            var document = repository.Load(path);
            if (document is null)
            {
                if (entry.IsOptional)
                {
                    continue;
                }

                var available = repository.Options(absolute) is { Count: > 0 } list ? $" Available options in '{absolute}': {string.Join(", ", list)}." : "";
                throw new ConfigException(choice is { External: true } ? null : entry.Source, key, $"In '{configPath}': Could not find '{path}'.{available}");
            }

            Visit(path, document, PackageOf(entry.Package, document.Package, parentPackage, absolute), absolute, isPrimary: false);
        }
    }

    /// <summary>
    /// Hydra's package rules: a package in the defaults entry is relative to the containing config's package
    /// (<c>_global_…</c> makes it absolute); else the file's <c># @package</c> header (<c>_global_</c>, <c>_group_</c>,
    /// <c>_here_</c> or an absolute package); else the group path.
    /// </summary>
    public static string PackageOf(string? entryPackage, string? header, string parentPackage, string group)
    {
        var groupPackage = group.Replace('/', '.');
        if (entryPackage is not null)
        {
            if (entryPackage == "_global_" || entryPackage.StartsWith("_global_.", StringComparison.Ordinal))
            {
                return entryPackage.Length > 8 ? entryPackage[9..] : "";
            }

            var relative = entryPackage.Replace("_group_", groupPackage, StringComparison.Ordinal);
            return Join(parentPackage, relative);
        }

        return header switch
        {
            null => groupPackage,
            "_global_" => "",
            "_group_" => groupPackage,
            "_here_" => parentPackage,
            _ => header.Replace("_group_", groupPackage, StringComparison.Ordinal),
        };
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "." + b;

    private static string AbsoluteGroup(string group, string path) =>
        path.StartsWith('/') ? path[1..] : group.Length == 0 ? path : group + "/" + path;
}
