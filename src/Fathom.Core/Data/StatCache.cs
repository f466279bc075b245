using System.Collections.Concurrent;
using System.Text;

namespace Fathom.Data;

/// <summary>
/// Remembers the md5 of workspace files keyed by path, size and modification time (100 ns), like DVC's state
/// database, so unchanged files are not hashed again. Lives in <c>.dvc/tmp/fathom-state.bin</c> (git-ignored with
/// <c>/tmp</c>); it is only an optimisation: delete it and everything is re-hashed. A flat binary file read whole and
/// rewritten atomically, not SQLite: opening SQLite alone cost more than the 0.15 s a no-change status over 20,000
/// files may take.
/// </summary>
internal sealed class StatCache : IDisposable
{
    private const int FormatVersion = 1;

    private readonly string? _path;
    private readonly Dictionary<string, Entry> _entries;
    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);

    private StatCache(string? path, Dictionary<string, Entry> entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>A cache that forgets everything (for one-off hashing outside a repository).</summary>
    public static StatCache InMemory() => new(null, new Dictionary<string, Entry>(StringComparer.Ordinal));

    public static StatCache Open(string path)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            try
            {
                using var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), Encoding.UTF8);
                if (reader.ReadInt32() == FormatVersion)
                {
                    var count = reader.ReadInt32();
                    entries.EnsureCapacity(count);
                    for (var i = 0; i < count; i++)
                    {
                        var key = reader.ReadString();
                        entries[key] = new Entry(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
                    }
                }
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
            {
                // A damaged cache of hashes is worth nothing: start afresh rather than fail the command.
                entries.Clear();
            }
        }

        return new StatCache(path, entries);
    }

    public string? TryGet(string key, long size, long mtimeTicks) =>
        _pending.TryGetValue(key, out var p) && p.Size == size && p.Mtime == mtimeTicks ? p.Md5
        : _entries.TryGetValue(key, out var e) && e.Size == size && e.Mtime == mtimeTicks ? e.Md5
        : null;

    public void Set(string key, long size, long mtimeTicks, string md5)
    {
        if (!(_entries.TryGetValue(key, out var e) && e.Size == size && e.Mtime == mtimeTicks && e.Md5 == md5))
        {
            _pending[key] = new Entry(size, mtimeTicks, md5);
        }
    }

    public void Flush()
    {
        if (_path is null || _pending.IsEmpty)
        {
            return;
        }

        foreach (var (key, entry) in _pending)
        {
            _entries[key] = entry;
        }

        _pending.Clear();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = AtomicFile.TempNameFor(_path);
        using (var writer = new BinaryWriter(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            writer.Write(FormatVersion);
            writer.Write(_entries.Count);
            foreach (var (key, entry) in _entries)
            {
                writer.Write(key);
                writer.Write(entry.Size);
                writer.Write(entry.Mtime);
                writer.Write(entry.Md5);
            }
        }

        File.Move(temp, _path, overwrite: true);
    }

    public void Dispose() => Flush();

    private sealed record Entry(long Size, long Mtime, string Md5);
}
