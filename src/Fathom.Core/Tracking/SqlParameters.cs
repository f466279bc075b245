using System.Globalization;

namespace Fathom.Tracking;

/// <summary>
/// The parameters of one query being built, each under its dialect's marker, plus fresh table aliases: user text
/// reaches the SQL only as a parameter.
/// </summary>
internal sealed class SqlParameters(SqlDialect dialect)
{
    private readonly List<KeyValuePair<string, object>> _parameters = [];
    private int _aliases;

    public SqlDialect Dialect => dialect;

    public IReadOnlyList<KeyValuePair<string, object>> List => _parameters;

    /// <summary>Adds a value and returns the marker to write where it belongs.</summary>
    public string Add(object value)
    {
        var name = dialect.Parameter(_parameters.Count);
        _parameters.Add(new(name, value));
        return name;
    }

    public string Add(string value) => Add((object)value);

    public string Add(long value) => Add((object)value);

    /// <summary>A table alias not used before in this query.</summary>
    public string Alias(string prefix) => prefix + (_aliases++).ToString(CultureInfo.InvariantCulture);
}
