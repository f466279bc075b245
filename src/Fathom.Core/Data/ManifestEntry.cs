using System.Text.Json;

namespace Fathom.Data;

/// <summary>One file of a tracked folder, as listed in its <c>.dir</c> manifest.</summary>
internal sealed record ManifestEntry(string RelativePath, string Md5)
{
    public static IReadOnlyList<ManifestEntry> ParseManifest(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var entries = new List<ManifestEntry>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                entries.Add(new ManifestEntry(item.GetProperty("relpath").GetString()!, item.GetProperty("md5").GetString()!));
            }

            return entries;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: not a DVC folder manifest ({e.Message}).", e);
        }
    }
}
