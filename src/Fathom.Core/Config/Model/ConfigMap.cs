using System.Collections.Immutable;

namespace Fathom.Config;

/// <summary>A map with its keys in the order written (configs are small, so lookups are linear).</summary>
internal sealed record ConfigMap(ImmutableArray<ConfigEntry> Entries, SourcePosition Source) : ConfigNode(Source)
{
    public static ConfigMap Empty(SourcePosition source) => new([], source);

    public int IndexOf(string key)
    {
        for (var i = 0; i < Entries.Length; i++)
        {
            if (string.Equals(Entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public ConfigNode? TryGet(string key) => IndexOf(key) is var i and >= 0 ? Entries[i].Value : null;

    public ConfigEntry? Entry(string key) => IndexOf(key) is var i and >= 0 ? Entries[i] : null;

    /// <summary>A copy with <paramref name="key"/> set (in place when present, else appended).</summary>
    public ConfigMap With(string key, ConfigNode value, SourcePosition? keySource = null)
    {
        var i = IndexOf(key);
        return i >= 0
            ? this with { Entries = Entries.SetItem(i, Entries[i] with { Value = value }) }
            : this with { Entries = Entries.Add(new ConfigEntry(key, value, keySource ?? value.Source)) };
    }

    public ConfigMap Without(string key) => IndexOf(key) is var i and >= 0 ? this with { Entries = Entries.RemoveAt(i) } : this;

    public override ConfigNode At(SourcePosition source) =>
        new ConfigMap([.. Entries.Select(e => new ConfigEntry(e.Key, e.Value.At(source), source))], source);
}
