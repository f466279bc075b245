namespace Fathom.Config;

/// <summary>Where a command finds its config: <c>--config-dir</c>, else <c>conf/base</c> in the current folder or above.</summary>
internal static class ConfigLocator
{
    /// <summary>The folder searched for below each ancestor, as the reference template lays it out.</summary>
    public const string DefaultDirectory = "conf/base";

    /// <summary>Primary configs tried, in order, when no <c>--config-name</c> is given.</summary>
    public static readonly IReadOnlyList<string> DefaultNames = ["config", "pipelines"];

    /// <summary>
    /// The config dir: <paramref name="explicitDirectory"/> (which must exist), else the nearest <c>conf/base</c> from
    /// <paramref name="start"/> upwards, stopping at the repository root (the folder holding <c>.git</c>); null when none.
    /// </summary>
    public static string? FindDirectory(string? explicitDirectory, string start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (explicitDirectory is not null)
        {
            var full = Path.GetFullPath(explicitDirectory, start);
            return Directory.Exists(full)
                ? full
                : throw new ConfigException(null, "", $"--config-dir '{explicitDirectory}' does not exist.");
        }

        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, DefaultDirectory);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            if (Directory.Exists(Path.Combine(folder.FullName, ".git")) || File.Exists(Path.Combine(folder.FullName, ".git")))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The primary config's name: <paramref name="explicitName"/>, else the first of <see cref="DefaultNames"/> present.</summary>
    public static string ConfigName(ConfigRepository repository, string? explicitName)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (explicitName is not null)
        {
            return explicitName;
        }

        return DefaultNames.FirstOrDefault(n => repository.FilePath(n) is not null)
            ?? throw new ConfigException(new SourcePosition(repository.Directory, 0, 0), "", $"no primary config: give --config-name (no {string.Join(" or ", DefaultNames.Select(n => n + ".yaml"))} here).");
    }

    /// <summary>Composes the config a command runs with; null when there is no config dir and no override asks for one.</summary>
    public static ComposedConfig? Compose(string? configDirectory, string? configName, IReadOnlyList<string> overrides, string start, bool multirun = false)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var directory = FindDirectory(configDirectory, start);
        if (directory is null)
        {
            return overrides.Count == 0 && configName is null
                ? null
                : throw new ConfigException(null, "", $"overrides and --config-name need a config dir: none given with --config-dir and no {DefaultDirectory} in this folder or above.");
        }

        var repository = new ConfigRepository(directory);
        return ConfigComposer.Compose(repository, ConfigName(repository, configName), overrides, multirun);
    }
}
