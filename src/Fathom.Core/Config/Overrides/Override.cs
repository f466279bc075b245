namespace Fathom.Config;

/// <summary>What an override does (Hydra's <c>OverrideType</c>, plus Fathom's list operators).</summary>
internal enum OverrideKind
{
    /// <summary><c>key=value</c>: change an existing value or select a group option.</summary>
    Change,

    /// <summary><c>+key=value</c>: add a key that is not there (or a group to the defaults list).</summary>
    Add,

    /// <summary><c>++key=value</c>: add or change.</summary>
    ForceAdd,

    /// <summary><c>~key</c>, <c>~key=value</c>: delete (only when equal to the value, if given).</summary>
    Delete,

    /// <summary>Fathom extension <c>key+=[a,b]</c> (extend) / <c>key+=a</c> (append); <c>key[2]+=a</c> inserts before index 2.</summary>
    Extend,

    /// <summary>Fathom extension <c>key-=a</c>: remove every element equal to the value.</summary>
    Remove,
}

/// <summary>
/// One parsed command-line override. <see cref="Key"/> is a dotted key or a group path (<c>db</c>,
/// <c>hydra/sweeper</c>); an indexed key (<c>tags[2]</c>) is normalised to the dotted form (<c>tags.2</c>).
/// <see cref="Value"/> is null for a bare <c>~key</c>; <c>key=</c> is the empty string.
/// </summary>
internal sealed record Override(OverrideKind Kind, string Key, string? Package, OverrideValue? Value, string Input, int Argument)
{
    public bool IsSweep => Value is Sweep;

    /// <summary>Hydra's own settings (<c>hydra.…</c> keys and <c>hydra/…</c> groups) go to <c>hydra.yaml</c>, not <c>overrides.yaml</c>.</summary>
    public bool IsHydraOverride => Key == "hydra" || Key.StartsWith("hydra.", StringComparison.Ordinal) || Key.StartsWith("hydra/", StringComparison.Ordinal);

    /// <summary>The position of this override, for errors.</summary>
    public SourcePosition Source => SourcePosition.Override(Argument, 1);

    /// <summary>The element value (not a sweep), or an error naming the override.</summary>
    public ConfigNode Element => Value switch
    {
        ElementValue e => e.Node,
        null => throw new ConfigException(Source, Key, $"'{Input}' has no value."),
        _ => throw new ConfigException(Source, Key, $"Sweep parameters '{Input}' requires --multirun"),
    };
}
