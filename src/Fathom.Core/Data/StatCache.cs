using System.Collections.Concurrent;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Fathom.Data;

/// <summary>
/// Remembers the md5 of workspace files keyed by path, size and modification time (100 ns), like DVC's state
/// database, so unchanged files are not hashed again; and the <c>.dir</c> hash of each tracked folder keyed by a
/// fingerprint of its listing (every file's path, size and mtime), so a no-change status over a big folder needs one
/// directory walk and nothing else. Lives in <c>.dvc/tmp/fathom-state.bin</c> (git-ignored with <c>/tmp</c>); it is
/// only an optimisation: delete it and everything is re-hashed. A flat binary file read whole and rewritten
/// atomically, not SQLite: opening SQLite alone cost more than the 0.15 s a no-change status over 20,000 files may
/// take. The folder section comes first and the per-file section is parsed only when a file is looked up.
/// </summary>
internal sealed class StatCache : IDisposable
{
    private const int FormatVersion = 2;

    /// <summary>What is read at open: enough for the folder section of a repository with hundreds of tracked folders.</summary>
    private const int HeadSize = 64 * 1024;

    private readonly string? _path;
    private readonly Dictionary<string, FolderEntry> _folders;
    private readonly Lazy<Dictionary<string, Entry>> _entries;
    private readonly ConcurrentDictionary<string, Entry> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FolderEntry> _pendingFolders = new(StringComparer.Ordinal);

    /// <summary>The open file until its per-file section has been read (or the cache is disposed).</summary>
    private SafeFileHandle? _file;

    private StatCache(string? path, Dictionary<string, FolderEntry> folders, Func<Dictionary<string, Entry>> entries)
    {
        _path = path;
        _folders = folders;
        _entries = new Lazy<Dictionary<string, Entry>>(entries, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A cache that forgets everything (for one-off hashing outside a repository).</summary>
    public static StatCache InMemory() => new(null, new Dictionary<string, FolderEntry>(StringComparer.Ordinal), EmptyEntries);

    public static StatCache Open(string path)
    {
        SafeFileHandle file;
        try
        {
            // Shared for deletion too, so a rename over it (Flush, or another process's) works on every platform.
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new StatCache(path, new Dictionary<string, FolderEntry>(StringComparer.Ordinal), EmptyEntries);
        }

        var folders = new Dictionary<string, FolderEntry>(StringComparer.Ordinal);
        int filesOffset;
        try
        {
            // Only the folder section is read now: a no-change status needs nothing else, and the per-file section
            // of 20,000 files is over a megabyte. Read from this same handle later, it is the same file even if
            // another process has renamed a newer one into its place meanwhile.
            var length = RandomAccess.GetLength(file);
            var head = new byte[(int)Math.Min(length, HeadSize)];
            RandomAccess.Read(file, head, 0);
            if (!TryReadFolders(head, folders, out filesOffset) && head.Length < length)
            {
                head = new byte[checked((int)length)];
                RandomAccess.Read(file, head, 0);
                folders.Clear();
                _ = TryReadFolders(head, folders, out filesOffset);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            // A damaged cache of hashes is worth nothing: start afresh rather than fail the command.
            file.Dispose();
            return new StatCache(path, new Dictionary<string, FolderEntry>(StringComparer.Ordinal), EmptyEntries);
        }

        if (filesOffset < 0)
        {
            file.Dispose();
            return new StatCache(path, new Dictionary<string, FolderEntry>(StringComparer.Ordinal), EmptyEntries);
        }

        return new StatCache(path, folders, () => ReadEntries(file, filesOffset)) { _file = file };
    }

    /// <summary>
    /// The folder section from the start of the file; false when <paramref name="bytes"/> ends inside it. The offset
    /// of the per-file section is -1 when the file is of another format version.
    /// </summary>
    private static bool TryReadFolders(byte[] bytes, Dictionary<string, FolderEntry> folders, out int filesOffset)
    {
        filesOffset = -1;
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        try
        {
            if (reader.ReadInt32() != FormatVersion)
            {
                return true;
            }

            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                folders[key] = new FolderEntry(reader.ReadString(), reader.ReadString());
            }
        }
        catch (EndOfStreamException)
        {
            return false;
        }

        filesOffset = (int)reader.BaseStream.Position;
        return true;
    }

    public string? TryGet(string key, long size, long mtimeTicks) =>
        _pending.TryGetValue(key, out var p) && p.Size == size && p.Mtime == mtimeTicks ? p.Md5
        : _entries.Value.TryGetValue(key, out var e) && e.Size == size && e.Mtime == mtimeTicks ? e.Md5
        : null;

    public void Set(string key, long size, long mtimeTicks, string md5)
    {
        if (!(_entries.Value.TryGetValue(key, out var e) && e.Size == size && e.Mtime == mtimeTicks && e.Md5 == md5))
        {
            _pending[key] = new Entry(size, mtimeTicks, md5);
        }
    }

    /// <summary>The <c>.dir</c> hash last computed for the folder at <paramref name="key"/> when its listing had this fingerprint.</summary>
    public string? TryGetFolder(string key, string fingerprint) =>
        _pendingFolders.TryGetValue(key, out var p) && p.Fingerprint == fingerprint ? p.Md5
        : _folders.TryGetValue(key, out var e) && e.Fingerprint == fingerprint ? e.Md5
        : null;

    public void SetFolder(string key, string fingerprint, string md5)
    {
        if (!(_folders.TryGetValue(key, out var e) && e.Fingerprint == fingerprint && e.Md5 == md5))
        {
            _pendingFolders[key] = new FolderEntry(fingerprint, md5);
        }
    }

    public void Flush()
    {
        if (_path is null || (_pending.IsEmpty && _pendingFolders.IsEmpty))
        {
            return;
        }

        var entries = _entries.Value;
        foreach (var (key, entry) in _pending)
        {
            entries[key] = entry;
        }

        foreach (var (key, entry) in _pendingFolders)
        {
            _folders[key] = entry;
        }

        _pending.Clear();
        _pendingFolders.Clear();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = AtomicFile.TempNameFor(_path);
        using (var writer = new BinaryWriter(new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8))
        {
            writer.Write(FormatVersion);
            writer.Write(_folders.Count);
            foreach (var (key, folder) in _folders)
            {
                writer.Write(key);
                writer.Write(folder.Fingerprint);
                writer.Write(folder.Md5);
            }

            writer.Write(entries.Count);
            foreach (var (key, entry) in entries)
            {
                writer.Write(key);
                writer.Write(entry.Size);
                writer.Write(entry.Mtime);
                writer.Write(entry.Md5);
            }
        }

        File.Move(temp, _path, overwrite: true);
    }

    public void Dispose()
    {
        Flush();
        _file?.Dispose();
    }

    private static Dictionary<string, Entry> EmptyEntries() => new(StringComparer.Ordinal);

    private static Dictionary<string, Entry> ReadEntries(SafeFileHandle file, int offset)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            var bytes = new byte[checked((int)(RandomAccess.GetLength(file) - offset))];
            RandomAccess.Read(file, bytes, offset);
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            var count = reader.ReadInt32();
            entries.EnsureCapacity(count);
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                entries[key] = new Entry(reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or OverflowException)
        {
            entries.Clear();
        }
        finally
        {
            file.Dispose();
        }

        return entries;
    }

    private sealed record Entry(long Size, long Mtime, string Md5);

    private sealed record FolderEntry(string Fingerprint, string Md5);
}
