using System.Globalization;
using System.Text;

namespace Fathom.Tracking;

/// <summary>SQLite's side of <see cref="SqlDialect"/>: <c>$s0</c> parameters, is_nan stored as 0/1, GLOB for LIKE.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    private SqliteDialect()
    {
    }

    public override string Parameter(int index) => "$s" + index.ToString(CultureInfo.InvariantCulture);

    public override string IsNaN(string alias) => $"{alias}.is_nan = 1";

    public override string IsNumber(string alias) => $"{alias}.is_nan = 0";

    // SQLite's LIKE ignores ASCII case and MLflow's does not; GLOB is case-sensitive.
    public override string LikePattern(string pattern) => LikeToGlob(pattern);

    public override string Like(string column, string parameter) => $"{column} GLOB {parameter}";

    public override string ILike(string column, string parameter) => $"lower({column}) LIKE lower({parameter})";

    public override string JsonPairs(string column, string alias) => $"json_each({column}) {alias}";

    public override string JsonPairItem(string alias, int index) =>
        $"json_extract({alias}.value, '$[{index.ToString(CultureInfo.InvariantCulture)}]')";

    /// <summary>
    /// A LIKE pattern as a GLOB pattern (% → *, _ → ?, GLOB's own wildcards escaped as one-character classes).
    /// </summary>
    public static string LikeToGlob(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var glob = new StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            glob.Append(c switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }

        return glob.ToString();
    }
}
