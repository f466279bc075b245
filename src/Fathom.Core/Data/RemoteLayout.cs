namespace Fathom.Data;

/// <summary>
/// DVC's remote layouts, the same as its cache's: 3.x objects under <c>files/md5/ab/cdef…</c> (folder manifests as
/// <c>….dir</c>), and the objects of 2.x entries (no <c>hash: md5</c>) at <c>ab/cdef…</c> right under the root, where
/// DVC 2 put them and DVC 3 still pushes and pulls them.
/// </summary>
internal static class RemoteLayout
{
    public const string Prefix = "files/md5/";

    public static string Key(string objectId) => $"{Prefix}{objectId[..2]}/{objectId[2..]}";

    /// <summary>The key of an object in the layout of its entry: 2.x (<paramref name="legacy"/>) or 3.x.</summary>
    public static string Key(string objectId, bool legacy) => legacy ? $"{objectId[..2]}/{objectId[2..]}" : Key(objectId);

    /// <summary>The object id a remote key names, or null for anything else under the remote (2.x objects, temporaries).</summary>
    public static string? ObjectId(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) ? Id(key.AsSpan(Prefix.Length)) : null;

    /// <summary>The object id a key names in the given layout, or null.</summary>
    public static string? ObjectId(string key, bool legacy) => legacy ? Id(key) : ObjectId(key);

    private static string? Id(ReadOnlySpan<char> key)
    {
        if (key.Length < 3 || key[2] != '/' || !char.IsAsciiHexDigit(key[0]) || !char.IsAsciiHexDigit(key[1]))
        {
            return null;
        }

        var name = key[3..];
        return name.Length == 30 || (name.Length == 34 && name.EndsWith(".dir", StringComparison.Ordinal))
            ? string.Concat(key[..2], name)
            : null;
    }
}
