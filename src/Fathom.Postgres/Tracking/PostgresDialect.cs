using System.Globalization;

namespace Fathom.Tracking;

/// <summary>
/// PostgreSQL's side of <see cref="SqlDialect"/>: positional <c>$1</c> parameters, a boolean is_nan, native LIKE
/// and ILIKE (case-sensitive and not, as MLflow's), <c>COLLATE "C"</c> so text sorts by code point whatever the
/// database's locale, and jsonb for the input tags.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    private PostgresDialect()
    {
    }

    public override string Parameter(int index) => "$" + (index + 1).ToString(CultureInfo.InvariantCulture);

    // Npgsql binds $1, $2, … by position, and only when the parameters have no names; @name markers stay named.
    public override string BindName(string marker) => marker.StartsWith('$') ? string.Empty : marker;

    // SQLite serialises writers (BEGIN IMMEDIATE); PostgreSQL lets writers run at once, so a read that decides a
    // write (the next version number of a model) must lock what it read.
    public override string RowLock => " FOR UPDATE";

    public override bool BatchIsOneTransaction => true;

    // One array parameter: the statement's text is the same for any number of ids, so it is prepared once.
    public override string AnyOf<T>(SqlParameters parameters, string column, IReadOnlyList<T> values)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return $"{column} = ANY({parameters.Add(values.ToArray())})";
    }

    public override string IsNaN(string alias) => $"{alias}.is_nan";

    public override string IsNumber(string alias) => $"NOT {alias}.is_nan";

    public override string Like(string column, string parameter) => $"{column} LIKE {parameter}";

    public override string ILike(string column, string parameter) => $"{column} ILIKE {parameter}";

    public override string BinaryOrder(string column) => $"{column} COLLATE \"C\"";

    public override string JsonPairs(string column, string alias) => $"jsonb_array_elements({column}::jsonb) {alias}";

    public override string JsonPairItem(string alias, int index) => $"({alias} ->> {index.ToString(CultureInfo.InvariantCulture)})";
}
