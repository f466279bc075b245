namespace Fathom.Search;

/// <summary>A token: its kind, its text (unquoted for quoted kinds) and where it starts in the input.</summary>
internal sealed record SearchToken(SearchTokenKind Kind, string Text, int Position)
{
    public bool IsKeyword(string keyword) => Kind == SearchTokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
}
