using System.Text.Json;
using Fathom.Storage;

namespace Fathom.Data;

/// <summary>One file of a tracked folder, as listed in its <c>.dir</c> manifest.</summary>
internal sealed record ManifestEntry(string RelativePath, string Md5)
{
    /// <summary>
    /// The entries of a manifest read from the cache or a remote. Each name must stay inside its folder and each md5 be
    /// an object id (both become paths); the whole manifest is refused otherwise, before anything is written. Checked
    /// once here, so a checkout of its files needs only the link check of each folder.
    /// </summary>
    public static IReadOnlyList<ManifestEntry> ParseManifest(string json, string source)
    {
        var entries = new List<ManifestEntry>();
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                entries.Add(new ManifestEntry(item.GetProperty("relpath").GetString()!, item.GetProperty("md5").GetString()!.ToLowerInvariant()));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: not a DVC folder manifest ({e.Message}).", e);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (PathConfinement.NameRefusal(entries[i].RelativePath, guardMetadata: true) is { } refusal)
            {
                throw new DvcFormatException(source, 1, $"[{i}].relpath", $"'{entries[i].RelativePath}' {refusal}; the folder manifest is refused.");
            }

            if (!DvcHash.IsObjectId(entries[i].Md5) || entries[i].Md5.EndsWith(".dir", StringComparison.Ordinal))
            {
                throw new DvcFormatException(source, 1, $"[{i}].md5", $"'{entries[i].Md5}' is not a file's md5 (32 hex digits); the folder manifest is refused.");
            }
        }

        return entries;
    }
}
