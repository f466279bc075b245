using System.Globalization;
using System.Text;

namespace Fathom.Tracking;

/// <summary>
/// SQLite's side of <see cref="SqlDialect"/>: <c>$s0</c> parameters, is_nan stored as 0/1, GLOB for LIKE. Patterns
/// mean what they mean on PostgreSQL (MLflow's production database), backslash escapes included: <c>\_</c>,
/// <c>\%</c> and <c>\\</c> match a literal <c>_</c>, <c>%</c> and <c>\</c>, so a filter finds the same rows on both stores.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    private SqliteDialect()
    {
    }

    public override string Parameter(int index) => "$s" + index.ToString(CultureInfo.InvariantCulture);

    public override bool SingleWriter => true;

    // CROSS JOIN makes SQLite keep the runs as the outer loop, walked newest first by their index, with one primary-key
    // look-up per clause, so a page stops after its first matches. Without ANALYZE's statistics (which the store never
    // gathers) the planner otherwise drives from latest_metrics_by_key_value and sorts every match: measured on 100,000
    // runs, `metrics.m > 0.4 and params.p != 'v'` took 1.5 s that way and 1 ms this way; the worst case here, a filter
    // that matches 0.2 % of the runs, walks them all in 0.13–0.16 s.
    public override string FilterJoin => "CROSS JOIN";

    // A statement binds at most SQLITE_MAX_VARIABLE_NUMBER values (999 before SQLite 3.32).
    public override int ValuesPerList => 500;

    public override string IsNaN(string alias) => $"{alias}.is_nan = 1";

    public override string IsNumber(string alias) => $"{alias}.is_nan = 0";

    // SQLite's LIKE ignores ASCII case and MLflow's does not; GLOB is case-sensitive.
    public override string LikePattern(string pattern) => LikeToGlob(pattern);

    public override string Like(string column, string parameter) => $"{column} GLOB {parameter}";

    // SQLite's own lower() folds only ASCII (MLflow on SQLite renders ILIKE as lower(x) LIKE lower(y), so 'Ärger'
    // ILIKE 'är%' fails there); PostgreSQL folds every letter its locale knows. UnicodeLower is registered on each
    // connection (see SqliteTrackingStore.OpenConnection) so both stores agree. SQLite's LIKE has no escape character
    // unless told; PostgreSQL's default one is the backslash.
    public override string ILike(string column, string parameter) =>
        $"{UnicodeLower}({column}) LIKE {UnicodeLower}({parameter}) ESCAPE '\\'";

    /// <summary>The SQL function that lower-cases text by Unicode's rules (invariant culture), registered per connection.</summary>
    public const string UnicodeLower = "fathom_lower";

    /// <summary>Registers <see cref="UnicodeLower"/> on an open connection.</summary>
    public static void RegisterFunctions(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.CreateFunction(UnicodeLower, static (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
    }

    public override string JsonPairs(string column, string alias) => $"json_each({column}) {alias}";

    public override string JsonPairItem(string alias, int index) =>
        $"json_extract({alias}.value, '$[{index.ToString(CultureInfo.InvariantCulture)}]')";

    /// <summary>
    /// A LIKE pattern as a GLOB pattern: % → *, _ → ?, a backslash makes the next character literal (GLOB has no
    /// escape character, so a literal * ? [ becomes a one-character class), and GLOB's own wildcards are literal.
    /// </summary>
    public static string LikeToGlob(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var glob = new StringBuilder(pattern.Length + 8);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var escaped = c == '\\' && i + 1 < pattern.Length;
            if (escaped)
            {
                c = pattern[++i];
            }

            glob.Append(c switch
            {
                '%' when !escaped => "*",
                '_' when !escaped => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }

        return glob.ToString();
    }
}
