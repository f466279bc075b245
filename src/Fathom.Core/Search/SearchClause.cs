namespace Fathom.Search;

/// <summary>
/// One AND-ed clause of a filter: <c>entity.key comparator value</c>. Exactly one of <see cref="Text"/>,
/// <see cref="Number"/> and <see cref="List"/> is set, as the comparator requires.
/// </summary>
/// <remarks><see cref="SearchClause.Position"/> is where the clause starts in the filter (0-based), for error messages.</remarks>
internal sealed record SearchClause(
    SearchEntity Entity,
    string Key,
    SearchComparator Comparator,
    string? Text,
    double? Number,
    IReadOnlyList<string>? List,
    int Position);
