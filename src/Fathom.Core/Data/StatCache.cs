using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Fathom.Data;

/// <summary>
/// Remembers the md5 of workspace files keyed by path, size and modification time (100 ns), like DVC's state
/// database, so unchanged files are not hashed again. Lives in <c>.dvc/tmp/fathom-state.db</c> (git-ignored with
/// <c>/tmp</c>); it is only an optimisation: delete it and everything is re-hashed. Loaded whole at open and written
/// back in one transaction, because a status over 20,000 files must not pay a query per file.
/// </summary>
internal sealed class StatCache : IDisposable
{
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
                using var connection = Connect(path);
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT path, size, mtime, md5 FROM state";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    entries[reader.GetString(0)] = new Entry(reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
                }
            }
            catch (SqliteException)
            {
                // A damaged cache of hashes is worth nothing: start afresh rather than fail the command.
                entries.Clear();
                SqliteConnection.ClearAllPools();
                File.Delete(path);
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

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        using var connection = Connect(_path);
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; CREATE TABLE IF NOT EXISTS state (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, md5 TEXT NOT NULL) WITHOUT ROWID";
            create.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = "INSERT OR REPLACE INTO state (path, size, mtime, md5) VALUES ($p, $s, $m, $h)";
        var p = upsert.Parameters.Add("$p", SqliteType.Text);
        var s = upsert.Parameters.Add("$s", SqliteType.Integer);
        var m = upsert.Parameters.Add("$m", SqliteType.Integer);
        var h = upsert.Parameters.Add("$h", SqliteType.Text);
        foreach (var (key, entry) in _pending)
        {
            p.Value = key;
            s.Value = entry.Size;
            m.Value = entry.Mtime;
            h.Value = entry.Md5;
            upsert.ExecuteNonQuery();
            _entries[key] = entry;
        }

        transaction.Commit();
        _pending.Clear();
    }

    public void Dispose() => Flush();

    private static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private sealed record Entry(long Size, long Mtime, string Md5);
}
