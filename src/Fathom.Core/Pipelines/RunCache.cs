using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The run cache, laid out like DVC's <c>.dvc/cache/runs/&lt;key[:2]&gt;/&lt;key&gt;/&lt;value&gt;</c>: the key is a
/// sha256 of the stage's command, dep hashes, params and out paths; each value file is the lock entry of a finished
/// run. A changed stage whose inputs match a recorded run gets its outputs checked out from the cache instead of
/// running again. Only stages with a command, deps and outs, none persistent and all cached, take part (DVC's rule).
/// </summary>
internal sealed class RunCache(ObjectCache cache)
{
    private readonly string _root = Path.Combine(cache.Root, "runs");

    public static bool Eligible(PipelineStage stage) =>
        stage.Deps.Count > 0 && stage.Outs.Count > 0 && !stage.AlwaysChanged && stage.Outs.All(o => o.Cache && !o.Persist);

    /// <summary>A recorded run for the current inputs whose outputs are all in the cache, else null.</summary>
    public LockEntry? Find(LockEntry inputs)
    {
        var folder = FolderOf(inputs);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        foreach (var file in Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')))
        {
            LockEntry entry;
            try
            {
                entry = LockFileFormat.ParseEntry(File.ReadAllText(file), file);
            }
            catch (FormatException)
            {
                continue;
            }

            // A run of this stage records exactly its outs; an entry naming other paths is not one (the key holds the
            // out paths, but the file under it is data like any other), and its paths are never written.
            var sameOuts = entry.Outs.Select(o => o.Path).Order(StringComparer.Ordinal).SequenceEqual(inputs.Outs.Select(o => o.Path).Order(StringComparer.Ordinal));
            if (sameOuts && entry.Outs.All(o => o.Md5 is { } md5 && StageChanges.InCache(cache, md5)))
            {
                return entry;
            }
        }

        return null;
    }

    public void Save(LockEntry entry)
    {
        var folder = FolderOf(entry);
        var text = LockFileFormat.FormatEntry(entry);
        var path = Path.Combine(folder, Sha256(text));
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(path, text);
    }

    private string FolderOf(LockEntry entry)
    {
        var key = Key(entry);
        return Path.Combine(_root, key[..2], key);
    }

    // The inputs only: outs reduced to their paths, sizes left out, as DVC's run-cache key.
    private static string Key(LockEntry entry)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("cmd");
            foreach (var c in entry.Cmd)
            {
                json.WriteStringValue(c);
            }

            json.WriteEndArray();
            json.WriteStartArray("deps");
            foreach (var d in entry.Deps)
            {
                json.WriteStringValue(d.Path + "\0" + d.Md5);
            }

            json.WriteEndArray();
            json.WriteString("params", LockFileFormat.FormatEntry(new LockEntry([], false, [], entry.Params, [])));
            json.WriteStartArray("outs");
            foreach (var o in entry.Outs)
            {
                json.WriteStringValue(o.Path);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
