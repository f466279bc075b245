namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    public IReadOnlyList<RemoteInfo> ListRemotes()
    {
        var config = Repository.Config;
        var defaultName = config.Get("core", "remote");
        return config.RemoteNames.Select(n => new RemoteInfo(n, config.Get(DvcConfig.RemoteSection(n), "url") ?? "", string.Equals(n, defaultName, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    /// <summary>
    /// <c>dvc remote add</c>. A relative local path is taken from <paramref name="baseDirectory"/> and stored relative
    /// to <c>.dvc/</c>, as DVC stores it.
    /// </summary>
    public void AddRemote(string name, string url, bool makeDefault, bool force, string baseDirectory)
    {
        ValidateRemoteName(name);
        var config = Repository.Config;
        var section = DvcConfig.RemoteSection(name);
        if (config.HasSection(section) && !force)
        {
            throw new DataException(DataErrorKind.InvalidInput, $"Remote '{name}' exists already; use --force to replace it or 'remote modify' to change it.");
        }

        config.RemoveSection(section);
        config.Set(section, "url", StoredUrl(url, baseDirectory));
        if (makeDefault)
        {
            config.Set("core", "remote", name);
        }

        config.Save(Repository.ConfigPath);
    }

    /// <summary>
    /// <c>dvc remote modify [--local]</c>: sets or unsets one key of a remote's section, keeping the others. With
    /// <paramref name="local"/> the key goes to the git-ignored <c>.dvc/config.local</c>, the place for secrets.
    /// </summary>
    public void ModifyRemote(string name, string key, string? value, string baseDirectory, bool local = false)
    {
        var section = DvcConfig.RemoteSection(name);
        var config = local ? DvcConfig.Load(LocalConfigPath) : Repository.Config;
        if (!Repository.Config.HasSection(section) && !config.HasSection(section))
        {
            throw new DataException(DataErrorKind.NotFound, $"No remote named '{name}'; see 'fathom data remote list'.");
        }

        key = key.Trim().ToLowerInvariant();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '[' or ']'))
        {
            throw new DataException(DataErrorKind.InvalidInput, $"'{key}' is not a valid config key.");
        }

        if (value is null)
        {
            if (key == "url")
            {
                throw new DataException(DataErrorKind.InvalidInput, "A remote needs a url; it cannot be unset.");
            }

            config.Unset(section, key);
        }
        else
        {
            config.Set(section, key, key == "url" ? StoredUrl(value, baseDirectory) : value);
        }

        config.Save(local ? LocalConfigPath : Repository.ConfigPath);
    }

    /// <summary><c>dvc remote default</c>: the default remote's name, after setting or unsetting it when asked.</summary>
    public string? DefaultRemote(string? name, bool unset)
    {
        var config = Repository.Config;
        if (unset)
        {
            config.Unset("core", "remote");
            config.Save(Repository.ConfigPath);
            return null;
        }

        if (name is not null)
        {
            if (!config.HasSection(DvcConfig.RemoteSection(name)))
            {
                throw new DataException(DataErrorKind.NotFound, $"No remote named '{name}'; add it first with 'fathom data remote add {name} <url>'.");
            }

            config.Set("core", "remote", name);
            config.Save(Repository.ConfigPath);
        }

        return config.Get("core", "remote");
    }

    /// <summary>How remotes are reached by scheme; hosts register cloud schemes (see <c>S3DataRemotes.Register</c>).</summary>
    public BlobStoreResolver Remotes { get; init; } = new();

    /// <summary>The <c>--jobs</c> the user gave, if any; transfers otherwise use what suits the remote.</summary>
    public int? TransferJobs { get; init; }

    /// <summary>
    /// The store of a remote (the default one when <paramref name="name"/> is null), configured from its section in
    /// <c>.dvc/config</c> overlaid with <c>.dvc/config.local</c>, where DVC keeps credentials out of git.
    /// </summary>
    public IBlobStore Remote(string? name)
    {
        var config = Repository.Config;
        var local = DvcConfig.Load(LocalConfigPath);
        name ??= local.Get("core", "remote") ?? config.Get("core", "remote")
            ?? throw new DataException(DataErrorKind.InvalidInput, "No remote given and no default remote set; use -r NAME or 'fathom data remote add -d NAME URL'.");
        var section = DvcConfig.RemoteSection(name);
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in config.Entries(section).Concat(local.Entries(section)))
        {
            options[key] = value;
        }

        if (!options.TryGetValue("url", out var url))
        {
            throw new DataException(DataErrorKind.NotFound, $"No remote named '{name}' in .dvc/config; see 'fathom data remote list'.");
        }

        // A relative local remote is relative to .dvc/, as DVC stores it.
        return Remotes.Resolve(url, options, Repository.DvcFolder);
    }

    private string LocalConfigPath => Path.Combine(Repository.DvcFolder, "config.local");

    private string StoredUrl(string url, string baseDirectory)
    {
        if (url.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(url))
        {
            return url;
        }

        return Path.GetRelativePath(Repository.DvcFolder, Path.GetFullPath(url, baseDirectory)).Replace(Path.DirectorySeparatorChar, '/');
    }

    private static void ValidateRemoteName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => c is '"' or '\'' or '[' or ']' || char.IsWhiteSpace(c)))
        {
            throw new DataException(DataErrorKind.InvalidInput, $"'{name}' is not a valid remote name (no spaces, quotes or brackets).");
        }
    }
}
