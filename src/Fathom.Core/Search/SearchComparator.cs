namespace Fathom.Search;

/// <summary>The comparators of MLflow's filter grammar.</summary>
internal enum SearchComparator
{
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Like,
    ILike,
    In,
    NotIn,
}
