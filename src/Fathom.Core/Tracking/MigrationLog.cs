using Microsoft.Extensions.Logging;

namespace Fathom.Tracking;

/// <summary>
/// What a schema upgrade says while it runs: one line before each step that rewrites or indexes existing tables, with
/// their row counts (estimates on PostgreSQL), so whoever upgrades a big store knows why the start takes a while.
/// </summary>
internal static partial class MigrationLog
{
    /// <summary>The log category the hosts show at Information level.</summary>
    public const string Category = "Fathom.Tracking.Migrations";

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgrading the {Store} tracking store to schema version {Version}: {Summary} (rows: {Rows}); this can take a while on a large store")]
    public static partial void Step(ILogger logger, string store, int version, string summary, string rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgraded the {Store} tracking store from schema version {From} to {To} in {ElapsedMs} ms")]
    public static partial void Done(ILogger logger, string store, int from, int to, long elapsedMs);

    /// <summary>The tables and their rows as one log value: <c>metrics ≈ 1200000, inputs ≈ 30</c>.</summary>
    public static string Rows(IEnumerable<(string Table, long? Rows)> tables) =>
        string.Join(", ", tables.Select(t => $"{t.Table} ≈ {(t.Rows is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")}"));
}
