namespace Fathom.Search;

/// <summary>A read position over the tokens of one filter or order-by string.</summary>
internal sealed class Cursor(string input, List<SearchToken> tokens, bool forOrderBy = false)
{
    private int _index = -1;

    public string Input { get; } = input;

    /// <summary>Order-by keys accept a few attributes filters do not (<c>experiment_id</c> for experiments, timestamps for the registry).</summary>
    public bool ForOrderBy { get; } = forOrderBy;

    public SearchToken Current => tokens[Math.Max(_index, 0)];

    public SearchToken Next()
    {
        if (_index < tokens.Count - 1)
        {
            _index++;
        }

        return tokens[_index];
    }

    public SearchToken Peek() => PeekAt(0);

    public SearchToken PeekAt(int ahead) => tokens[Math.Min(_index + 1 + ahead, tokens.Count - 1)];

    public string? AttributeResolver(string key, SearchTarget target) =>
        ForOrderBy ? SearchKeys.OrderAttribute(key, target) : SearchKeys.Attribute(key, target);

    public string ValidAttributes(SearchTarget target) =>
        ForOrderBy ? SearchKeys.ValidOrderAttributes(target) : SearchKeys.ValidAttributes(target);
}
