using System.Collections.Concurrent;

namespace Fathom.Config;

/// <summary>
/// A config directory (<c>conf/base</c>): configs by path without extension (<c>pipelines</c>, <c>db/mysql</c>), read
/// from <c>.yaml</c> or <c>.yml</c>, each file parsed once per repository; config groups are its sub-folders.
/// </summary>
internal sealed class ConfigRepository
{
    private static readonly string[] Extensions = [".yaml", ".yml"];
    private readonly ConcurrentDictionary<string, ConfigYaml.Document?> _loaded = new(StringComparer.Ordinal);

    public ConfigRepository(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>The config at a path such as <c>db/mysql</c>, or null when no file has that name.</summary>
    public ConfigYaml.Document? Load(string configPath) => _loaded.GetOrAdd(configPath, path =>
    {
        if (FilePath(path) is not { } file)
        {
            return null;
        }

        // Named as Hydra names configs in messages: relative to the config dir, with the extension found.
        var name = Path.GetRelativePath(Directory, file).Replace('\\', '/');
        var info = new FileInfo(file);
        if (info.Length > 16 * 1024 * 1024)
        {
            throw new ConfigException(new SourcePosition(name, 0, 0), "", "a config file larger than 16 MiB; refused.");
        }

        return ConfigYaml.Load(File.ReadAllText(file), name);
    });

    public string? FilePath(string configPath)
    {
        if (!IsSafe(configPath))
        {
            return null;
        }

        foreach (var extension in Extensions)
        {
            var candidate = Path.Combine(Directory, configPath.EndsWith(extension, StringComparison.Ordinal) ? configPath : configPath + extension);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public bool GroupExists(string group) => IsSafe(group) && group.Length > 0 && System.IO.Directory.Exists(Path.Combine(Directory, group));

    /// <summary>The options of a group (file names without extension), sorted; null when the group does not exist.</summary>
    public IReadOnlyList<string>? Options(string group)
    {
        if (!GroupExists(group))
        {
            return null;
        }

        return [.. System.IO.Directory.EnumerateFiles(Path.Combine(Directory, group))
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    // Hydra refuses '..' and '\' in defaults paths; names stay inside the config dir.
    private static bool IsSafe(string path) =>
        !path.Contains('\\', StringComparison.Ordinal) && !path.Split('/').Any(s => s is ".." or ".") && !Path.IsPathRooted(path);
}
