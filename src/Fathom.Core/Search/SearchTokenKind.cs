namespace Fathom.Search;

/// <summary>The lexical classes of MLflow's filter grammar.</summary>
internal enum SearchTokenKind
{
    /// <summary>A bare word: a name or a keyword (AND, LIKE, IN, NOT, …).</summary>
    Word,

    /// <summary>A `back-ticked` name.</summary>
    BackTicked,

    /// <summary>A "double-quoted" name or string.</summary>
    DoubleQuoted,

    /// <summary>A 'single-quoted' string.</summary>
    SingleQuoted,

    Number,
    Dot,
    Comparator,
    OpenParen,
    CloseParen,
    Comma,
    Semicolon,
    End,
}
