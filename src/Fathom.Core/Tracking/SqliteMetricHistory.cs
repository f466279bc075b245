using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fathom.Tracking;

/// <summary>
/// Reads one metric's history straight through SQLitePCL: a 100,000-step history is 100,000 rows, and
/// <see cref="SqliteDataReader"/> checks each column's type and state on every call, a per-row cost as large as
/// SQLite's own step. The statement runs on the caller's connection; dispose it before the connection.
/// </summary>
internal sealed class SqliteMetricHistory : IDisposable
{
    // The primary key (run_uuid, key, timestamp, step, value, is_nan) holds every column in get-history order,
    // so this is one index-only range scan with no sort (see the plan test); LIMIT -1 is SQLite's "no limit".
    internal const string Sql = """
        SELECT value, timestamp, step, is_nan FROM metrics
        WHERE run_uuid = ?1 AND key = ?2 ORDER BY timestamp, step, value LIMIT ?3 OFFSET ?4;
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteMetricHistory(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares the read of <paramref name="key"/> in <paramref name="runId"/>, skipping <paramref name="offset"/> points, at most <paramref name="limit"/> (all when null).</summary>
    public static SqliteMetricHistory Open(SqliteConnection connection, string runId, string key, long offset, long? limit)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, Sql, out var statement));
        var history = new SqliteMetricHistory(db, statement);
        try
        {
            Check(db, raw.sqlite3_bind_text(statement, 1, runId));
            Check(db, raw.sqlite3_bind_text(statement, 2, key));
            Check(db, raw.sqlite3_bind_int64(statement, 3, limit ?? -1));
            Check(db, raw.sqlite3_bind_int64(statement, 4, offset));
            return history;
        }
        catch
        {
            history.Dispose();
            throw;
        }
    }

    /// <summary>Steps to the next point; false once the history is read.</summary>
    public bool Read(out MetricPoint point)
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            // NaN is stored as 0 with is_nan set: SQLite turns a NaN REAL into NULL.
            var value = raw.sqlite3_column_int64(_statement, 3) == 1 ? double.NaN : raw.sqlite3_column_double(_statement, 0);
            point = new MetricPoint(value, raw.sqlite3_column_int64(_statement, 1), raw.sqlite3_column_int64(_statement, 2));
            return true;
        }

        point = default;
        if (rc != raw.SQLITE_DONE)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }

        return false;
    }

    public void Dispose() => _statement.Dispose();

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }
}
