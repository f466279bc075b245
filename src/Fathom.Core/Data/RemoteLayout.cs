namespace Fathom.Data;

/// <summary>DVC 3.x's remote layout, the same as its cache: <c>files/md5/ab/cdef…</c>, folder manifests as <c>….dir</c>.</summary>
internal static class RemoteLayout
{
    public const string Prefix = "files/md5/";

    public static string Key(string objectId) => $"{Prefix}{objectId[..2]}/{objectId[2..]}";

    /// <summary>The object id a remote key names, or null for anything else under the remote (2.x objects, temporaries).</summary>
    public static string? ObjectId(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length < Prefix.Length + 3 || key[Prefix.Length + 2] != '/')
        {
            return null;
        }

        var name = key[(Prefix.Length + 3)..];
        return name.Length == 30 || (name.Length == 34 && name.EndsWith(".dir", StringComparison.Ordinal))
            ? string.Concat(key.AsSpan(Prefix.Length, 2), name)
            : null;
    }
}
