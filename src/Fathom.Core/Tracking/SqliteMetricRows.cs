using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fathom.Tracking;

/// <summary>
/// Appends a batch of metric points to the SQLite <c>metrics</c> table, <see cref="RowsPerStatement"/> rows per
/// INSERT, bound by position straight through SQLitePCL. Measured alone, such an INSERT costs half the CPU per
/// row of one ADO.NET command re-bound per row: ADO.NET boxes every value and looks each parameter up by name,
/// a linear scan that also rules out multi-row statements with named parameters.
/// The statements run on the caller's connection, so they belong to its open transaction.
/// </summary>
internal static class SqliteMetricRows
{
    /// <summary>Rows per statement: past about 50 a longer statement stops paying for its bigger parse.</summary>
    public const int RowsPerStatement = 50;

    private const int ColumnsPerRow = 5;

    /// <summary>Inserts the points, ignoring exact duplicates (MLflow's rule); throws <see cref="SqliteException"/> on a SQLite error.</summary>
    public static void Insert(SqliteConnection connection, string runId, IReadOnlyList<Metric> metrics)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(metrics);
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var full = metrics.Count / RowsPerStatement;
        if (full > 0)
        {
            using var statement = Prepare(db, RowsPerStatement);
            for (var chunk = 0; chunk < full; chunk++)
            {
                Run(db, statement, runId, metrics, chunk * RowsPerStatement, RowsPerStatement);
            }
        }

        var rest = metrics.Count % RowsPerStatement;
        if (rest > 0)
        {
            using var statement = Prepare(db, rest);
            Run(db, statement, runId, metrics, full * RowsPerStatement, rest);
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 db, int rows)
    {
        // ?1 is the run id, shared by every row; row j takes ?(2 + 5j) … ?(6 + 5j).
        var sql = new StringBuilder("INSERT OR IGNORE INTO metrics (run_uuid, key, timestamp, step, value, is_nan) VALUES ", rows * 32);
        for (var row = 0; row < rows; row++)
        {
            var first = 2 + (row * ColumnsPerRow);
            sql.Append(row == 0 ? "(?1" : ", (?1");
            for (var column = 0; column < ColumnsPerRow; column++)
            {
                sql.Append(", ?").Append((first + column).ToString(CultureInfo.InvariantCulture));
            }

            sql.Append(')');
        }

        Check(db, raw.sqlite3_prepare_v2(db, sql.ToString(), out var statement), raw.SQLITE_OK);
        return statement;
    }

    private static void Run(sqlite3 db, sqlite3_stmt statement, string runId, IReadOnlyList<Metric> metrics, int start, int rows)
    {
        Check(db, raw.sqlite3_bind_text(statement, 1, runId), raw.SQLITE_OK);
        for (var row = 0; row < rows; row++)
        {
            var metric = metrics[start + row];
            var first = 2 + (row * ColumnsPerRow);
            Check(db, raw.sqlite3_bind_text(statement, first, metric.Key), raw.SQLITE_OK);
            Check(db, raw.sqlite3_bind_int64(statement, first + 1, metric.Timestamp), raw.SQLITE_OK);
            Check(db, raw.sqlite3_bind_int64(statement, first + 2, metric.Step), raw.SQLITE_OK);
            Check(db, raw.sqlite3_bind_double(statement, first + 3, MetricValues.Stored(metric.Value)), raw.SQLITE_OK);
            Check(db, raw.sqlite3_bind_int(statement, first + 4, double.IsNaN(metric.Value) ? 1 : 0), raw.SQLITE_OK);
        }

        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        Check(db, rc, raw.SQLITE_DONE);
    }

    private static void Check(sqlite3 db, int rc, int expected)
    {
        if (rc != expected)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }
}
