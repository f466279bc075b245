using System.Collections.Immutable;

namespace Fathom.Config;

/// <summary>The kinds of entry in a defaults list.</summary>
internal enum DefaultsKind
{
    /// <summary><c>_self_</c>: where the containing config's own content is merged.</summary>
    Self,

    /// <summary><c>- path/to/config</c> or <c>- path/to/config@pkg</c>.</summary>
    Config,

    /// <summary><c>- [optional|override] group@pkg: option</c> (or a list of options, or null).</summary>
    Group,
}

/// <summary>
/// One entry of a defaults list, as written. <see cref="Options"/> holds the chosen option(s); a null item is Hydra's
/// <c>null</c> placeholder (skipped), <c>???</c> a choice the user must make.
/// </summary>
internal sealed record DefaultsEntry(DefaultsKind Kind, string Path, ImmutableArray<string?> Options, string? Package, bool IsOverride, bool IsOptional, SourcePosition Source)
{
    /// <summary>
    /// The entries of a <c>defaults</c> node; errors name the file and line. Group option values may not be
    /// interpolations of other selections here (not supported, see the README).
    /// </summary>
    public static ImmutableArray<DefaultsEntry> Parse(ConfigNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not ConfigList list)
        {
            throw new ConfigException(node.Source, "defaults", "the defaults list must be a list (- entries).");
        }

        var entries = ImmutableArray.CreateBuilder<DefaultsEntry>(list.Items.Length);
        foreach (var item in list.Items)
        {
            entries.Add(item switch
            {
                ConfigScalar { Kind: ScalarKind.String, Value: "_self_" } s => new DefaultsEntry(DefaultsKind.Self, "_self_", [], null, false, false, s.Source),
                ConfigScalar { Kind: ScalarKind.String } s => Config((string)s.Value!, s.Source),
                ConfigMap { Entries: [var entry] } => Group(entry),
                _ => throw new ConfigException(item.Source, "defaults", "an entry is '- group: option', '- config_name' or '- _self_'."),
            });
        }

        return entries.ToImmutable();
    }

    /// <summary>The key a command-line override names this entry by: <c>group</c>, or <c>group@pkg</c> when a package is given.</summary>
    public string OverrideKey(string absoluteGroup) => Package is null ? absoluteGroup : absoluteGroup + "@" + Package;

    private static DefaultsEntry Config(string text, SourcePosition source)
    {
        var (path, package) = SplitPackage(text.Trim());
        return new DefaultsEntry(DefaultsKind.Config, path, [], package, false, false, source);
    }

    private static DefaultsEntry Group(ConfigEntry entry)
    {
        var words = entry.Key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var isOverride = words.Length == 2 && words[0] == "override";
        var isOptional = words.Length == 2 && words[0] == "optional";
        if (words.Length is 0 or > 2 || (words.Length == 2 && !isOverride && !isOptional))
        {
            throw new ConfigException(entry.KeySource, "defaults", $"'{entry.Key}': a group entry is '[optional|override] group[@package]: option'.");
        }

        var (group, package) = SplitPackage(words[^1]);
        ImmutableArray<string?> options = entry.Value switch
        {
            ConfigScalar { Kind: ScalarKind.Null } => [null],
            ConfigScalar s => [s.Text],
            ConfigList l when !isOverride || true => [.. l.Items.Select(i => i is ConfigScalar { Kind: not ScalarKind.Null } s ? s.Text : throw new ConfigException(i.Source, "defaults", "a list of options holds option names."))],
            _ => throw new ConfigException(entry.Value.Source, "defaults", $"'{entry.Key}': the option is a name, a list of names or null."),
        };
        if (options.Any(o => o is not null && o.Contains("${", StringComparison.Ordinal)))
        {
            throw new ConfigException(entry.Value.Source, "defaults", $"'{entry.Key}': interpolated options in the defaults list are not supported by Fathom; name the option.");
        }

        return new DefaultsEntry(DefaultsKind.Group, group, options, package, isOverride, isOptional, entry.KeySource);
    }

    private static (string Path, string? Package) SplitPackage(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (text, null) : (text[..at], text[(at + 1)..]);
    }
}
