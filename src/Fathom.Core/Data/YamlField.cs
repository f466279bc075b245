namespace Fathom.Data;

/// <summary>
/// One key of a block mapping as it stood in the file: its source text from the key to the line before the next key
/// (value, nested lines and trailing comments included, ending in a newline) and, for a scalar, its value.
/// </summary>
internal sealed record YamlField(string Key, string Text, string? Value);
