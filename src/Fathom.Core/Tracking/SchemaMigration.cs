namespace Fathom.Tracking;

/// <summary>
/// One step of a store's schema: its SQL, what it does in a sentence for the upgrade log, and the existing tables it
/// rewrites or indexes (whose size tells a user upgrading a big store how long to expect; empty when the step only
/// creates new tables or changes a catalog entry).
/// </summary>
internal sealed record SchemaMigration(string Sql, string Summary, params IReadOnlyList<string> Tables);
