namespace Fathom.Tracking;

/// <summary>A SQL statement and its named parameters: user text only ever travels as a parameter.</summary>
internal sealed record SqlQuery(string Sql, IReadOnlyList<KeyValuePair<string, object>> Parameters);
