namespace Fathom.Search;

/// <summary>One <c>order_by</c> key: <c>metrics.acc DESC</c>.</summary>
internal sealed record SearchOrder(SearchEntity Entity, string Key, bool Ascending);
