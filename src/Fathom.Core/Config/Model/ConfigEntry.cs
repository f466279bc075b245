namespace Fathom.Config;

/// <summary>A key of a map, where the key itself was written, and its value.</summary>
internal sealed record ConfigEntry(string Key, ConfigNode Value, SourcePosition KeySource);
