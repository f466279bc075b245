namespace Fathom.Tracking;

/// <summary>
/// The few places where the stores' SQL engines disagree, so one tracking store (<see cref="SqlTrackingStore"/>), one
/// search translator (<see cref="SearchSql"/>) and one registry store serve every database: parameter markers, how the
/// is_nan flag is typed, MLflow's case-sensitive LIKE, binary text order, reading the (key, value) pairs of an input's
/// JSON tags, lists of ids, row locks, and how writers and batches behave.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>The marker of the <paramref name="index"/>-th (0-based) parameter.</summary>
    public abstract string Parameter(int index);

    /// <summary>
    /// The ADO.NET parameter name that binds the value a marker stands for: the marker itself where the driver binds
    /// by name, empty where it binds by position.
    /// </summary>
    public virtual string BindName(string marker) => marker;

    /// <summary>How a run search joins the rows its filter needs (a metric, param or tag per clause) to the runs.</summary>
    public virtual string FilterJoin => "JOIN";

    /// <summary>What a SELECT inside a write transaction appends to lock the rows it read until the commit.</summary>
    public virtual string RowLock => string.Empty;

    /// <summary>
    /// True where the database lets one writer at a time (SQLite): the store's writers in this process then queue on a
    /// gate of their own rather than on the database's lock, whose retry loop sleeps.
    /// </summary>
    public virtual bool SingleWriter => false;

    /// <summary>
    /// True where statements sent as one batch run as one implicit transaction (PostgreSQL's extended protocol: one
    /// Sync for the batch), so a write that is a single batch needs no BEGIN and COMMIT round trips.
    /// </summary>
    public virtual bool BatchIsOneTransaction => false;

    /// <summary>How many values one <see cref="AnyOf"/> may bind; longer lists are read in slices.</summary>
    public virtual int ValuesPerList => int.MaxValue;

    /// <summary>A condition true when <paramref name="column"/> equals one of <paramref name="values"/>, bound through <paramref name="parameters"/>.</summary>
    public virtual string AnyOf<T>(SqlParameters parameters, string column, IReadOnlyList<T> values)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(values);
        return $"{column} IN ({string.Join(", ", values.Select(v => parameters.Add(v)))})";
    }

    /// <summary>A condition true when the metric row under <paramref name="alias"/> holds NaN.</summary>
    public abstract string IsNaN(string alias);

    /// <summary>A condition true when the metric row under <paramref name="alias"/> holds a number.</summary>
    public abstract string IsNumber(string alias);

    /// <summary>The value bound for a LIKE pattern (SQLite matches it with GLOB, so it is rewritten there).</summary>
    public virtual string LikePattern(string pattern) => pattern;

    /// <summary>MLflow's LIKE: case-sensitive, <c>%</c> and <c>_</c> wildcards.</summary>
    public abstract string Like(string column, string parameter);

    /// <summary>MLflow's ILIKE: LIKE ignoring case.</summary>
    public abstract string ILike(string column, string parameter);

    /// <summary>A text column as an ORDER BY term that sorts by code point (MLflow's SQL stores: upper case first).</summary>
    public virtual string BinaryOrder(string column) => column;

    /// <summary>A FROM item yielding the [key, value] pairs of the JSON array in <paramref name="column"/> as <paramref name="alias"/>.</summary>
    public abstract string JsonPairs(string column, string alias);

    /// <summary>Element <paramref name="index"/> (0 key, 1 value) of a pair from <see cref="JsonPairs"/>, as text.</summary>
    public abstract string JsonPairItem(string alias, int index);
}
