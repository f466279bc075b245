using System.Globalization;

namespace Fathom.Search;

/// <summary>
/// MLflow's search filter grammar (<c>clause AND clause …</c>, see mlflow/utils/search_utils.py) as a pure
/// function from a string to AND-ed clauses. Every refusal is MLflow's INVALID_PARAMETER_VALUE and names the
/// position of the offending text, so a user can find it in a long filter.
/// </summary>
internal static class SearchFilterParser
{
    public static IReadOnlyList<SearchClause> Parse(string? filter, SearchTarget target)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }

        var cursor = new Cursor(filter, SearchTokenizer.Tokenize(filter));
        var clauses = new List<SearchClause>();
        while (true)
        {
            clauses.Add(ParseClause(cursor, target));
            var next = cursor.Next();
            if (next.Kind == SearchTokenKind.End)
            {
                return clauses;
            }

            if (next.IsKeyword("AND"))
            {
                continue;
            }

            if (next.Kind == SearchTokenKind.Semicolon)
            {
                throw SearchErrors.Invalid($"Search filter '{filter}' contained multiple expressions separated by ';'. Provide AND-ed expression list.", next.Position);
            }

            if (next.IsKeyword("OR"))
            {
                throw SearchErrors.Invalid($"Invalid clause(s) in filter string: 'OR'. Only AND is supported in '{filter}'", next.Position);
            }

            throw SearchErrors.Syntax(filter, $"expected AND or the end of the filter, found '{next.Text}'", next.Position);
        }
    }

    /// <summary>
    /// Reads <c>[entity.]key</c>: used by filters and by order-by keys. A name without an entity is an attribute.
    /// </summary>
    public static (SearchEntity Entity, string Key, int Position) ParseIdentifier(Cursor cursor, SearchTarget target)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var first = cursor.Next();
        if (first.Kind is not (SearchTokenKind.Word or SearchTokenKind.BackTicked or SearchTokenKind.DoubleQuoted))
        {
            throw SearchErrors.Syntax(cursor.Input, first.Kind == SearchTokenKind.End
                ? "expected an identifier such as metrics.rmse, found the end of the input"
                : $"expected an identifier such as metrics.rmse, found '{first.Text}'", first.Position);
        }

        if (cursor.Peek().Kind != SearchTokenKind.Dot || first.Kind == SearchTokenKind.DoubleQuoted)
        {
            return (SearchEntity.Attribute, RequireAttribute(cursor, first.Text, first.Position, target), first.Position);
        }

        var entity = SearchKeys.Entity(first.Text, target)
            ?? throw SearchErrors.Invalid(
                $"Invalid entity type '{first.Text}'. Valid values are ['{string.Join("', '", target switch { SearchTarget.Runs => SearchKeys.EntityNames, SearchTarget.Traces => SearchKeys.TraceEntityNames, SearchTarget.LoggedModels => SearchKeys.LoggedModelEntityNames, _ => ["tag", "attribute"] })}']",
                first.Position);
        cursor.Next();
        var keyToken = cursor.Next();
        string key;
        switch (keyToken.Kind)
        {
            case SearchTokenKind.BackTicked or SearchTokenKind.DoubleQuoted:
                key = keyToken.Text;
                break;
            case SearchTokenKind.Word or SearchTokenKind.Number:
                // Bare dotted names (tags.mlflow.runName) continue up to the next space, as MLflow splits on the first dot only.
                var end = keyToken.Position + keyToken.Text.Length;
                while (cursor.Peek().Kind == SearchTokenKind.Dot && cursor.Peek().Position == end
                    && cursor.PeekAt(1).Kind is SearchTokenKind.Word or SearchTokenKind.Number && cursor.PeekAt(1).Position == end + 1)
                {
                    cursor.Next();
                    end = cursor.Next().Position + cursor.Current.Text.Length;
                }

                key = cursor.Input[keyToken.Position..end];
                break;
            default:
                throw SearchErrors.Syntax(cursor.Input, $"expected a key name after '{first.Text}.'", keyToken.Position);
        }

        if (key.Length == 0)
        {
            throw SearchErrors.Invalid($"Invalid identifier: the {first.Text} key is empty", keyToken.Position);
        }

        return entity switch
        {
            SearchEntity.Attribute => (entity, RequireAttribute(cursor, key, keyToken.Position, target), first.Position),
            SearchEntity.Dataset when !SearchKeys.DatasetKeys.Contains(key) => throw SearchErrors.Invalid(
                $"Invalid dataset key '{key}' specified. Valid keys are '{string.Join("', '", SearchKeys.DatasetKeys)}'", keyToken.Position),
            _ => (entity, key, first.Position),
        };
    }

    private static string RequireAttribute(Cursor cursor, string key, int position, SearchTarget target) =>
        cursor.AttributeResolver(key, target)
        ?? throw SearchErrors.Invalid($"Invalid attribute key '{key}' specified. Valid keys are '{cursor.ValidAttributes(target)}'", position);

    private static SearchClause ParseClause(Cursor cursor, SearchTarget target)
    {
        var (entity, key, position) = ParseIdentifier(cursor, target);
        var comparatorToken = cursor.Next();
        var comparator = ReadComparator(cursor, comparatorToken);
        var allowed = AllowedComparators(entity, key, target);
        if (!allowed.Contains(comparator))
        {
            throw SearchErrors.Invalid(
                $"Invalid comparator '{comparatorToken.Text}' not one of '{string.Join("', '", allowed.Select(Name))}' for {Describe(entity, key)}",
                comparatorToken.Position);
        }

        if (comparator is SearchComparator.In or SearchComparator.NotIn)
        {
            return new SearchClause(entity, key, comparator, null, null, ReadList(cursor), position);
        }

        var value = cursor.Next();
        if (IsNumeric(entity, key, target))
        {
            if (value.Kind is not (SearchTokenKind.Number or SearchTokenKind.Word)
                || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                throw SearchErrors.Invalid($"Expected numeric value type for {Describe(entity, key)}. Found '{value.Text}'", value.Position);
            }

            return new SearchClause(entity, key, comparator, null, number, null, position);
        }

        if (value.Kind is not (SearchTokenKind.SingleQuoted or SearchTokenKind.DoubleQuoted))
        {
            throw SearchErrors.Invalid(
                $"Expected a quoted string value for {Describe(entity, key)} (e.g. 'my-value'). Got value {(value.Kind == SearchTokenKind.End ? "<end of filter>" : value.Text)}",
                value.Position);
        }

        // The backslash escapes the next character of a LIKE pattern (PostgreSQL's rule, which both stores follow),
        // so a pattern cannot end in a lone one: PostgreSQL would fail the whole query.
        if (comparator is SearchComparator.Like or SearchComparator.ILike && EndsInLoneEscape(value.Text))
        {
            throw SearchErrors.Invalid(
                $"The {Name(comparator)} pattern '{value.Text}' ends in a lone escape character '\\'; write '\\\\' to match a backslash", value.Position);
        }

        return new SearchClause(entity, key, comparator, value.Text, null, null, position);
    }

    private static bool EndsInLoneEscape(string pattern)
    {
        var trailing = 0;
        for (var i = pattern.Length - 1; i >= 0 && pattern[i] == '\\'; i--)
        {
            trailing++;
        }

        return trailing % 2 == 1;
    }

    private static SearchComparator ReadComparator(Cursor cursor, SearchToken token)
    {
        if (token.Kind == SearchTokenKind.Comparator)
        {
            return token.Text switch
            {
                "=" => SearchComparator.Equal,
                "!=" => SearchComparator.NotEqual,
                ">" => SearchComparator.Greater,
                ">=" => SearchComparator.GreaterOrEqual,
                "<" => SearchComparator.Less,
                _ => SearchComparator.LessOrEqual,
            };
        }

        if (token.IsKeyword("LIKE"))
        {
            return SearchComparator.Like;
        }

        if (token.IsKeyword("ILIKE"))
        {
            return SearchComparator.ILike;
        }

        if (token.IsKeyword("IN"))
        {
            return SearchComparator.In;
        }

        if (token.IsKeyword("NOT") && cursor.Peek().IsKeyword("IN"))
        {
            cursor.Next();
            return SearchComparator.NotIn;
        }

        throw SearchErrors.Syntax(cursor.Input, token.Kind == SearchTokenKind.End
            ? "expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN), found the end of the filter"
            : $"expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN), found '{token.Text}'", token.Position);
    }

    private static List<string> ReadList(Cursor cursor)
    {
        var open = cursor.Next();
        if (open.Kind != SearchTokenKind.OpenParen)
        {
            throw SearchErrors.Syntax(cursor.Input, "IN and NOT IN take a parenthesised list of quoted strings, e.g. ('a', 'b')", open.Position);
        }

        var values = new List<string>();
        while (true)
        {
            var item = cursor.Next();
            if (item.Kind is not (SearchTokenKind.SingleQuoted or SearchTokenKind.DoubleQuoted))
            {
                throw SearchErrors.Syntax(cursor.Input, $"expected a quoted string in the list, found '{item.Text}'", item.Position);
            }

            values.Add(item.Text);
            var separator = cursor.Next();
            if (separator.Kind == SearchTokenKind.CloseParen)
            {
                return values;
            }

            if (separator.Kind != SearchTokenKind.Comma)
            {
                throw SearchErrors.Syntax(cursor.Input, "expected ',' or ')' in the list", separator.Position);
            }
        }
    }

    private static readonly SearchComparator[] Numeric =
        [SearchComparator.Equal, SearchComparator.NotEqual, SearchComparator.Greater, SearchComparator.GreaterOrEqual, SearchComparator.Less, SearchComparator.LessOrEqual];

    private static readonly SearchComparator[] Text = [SearchComparator.Equal, SearchComparator.NotEqual, SearchComparator.Like, SearchComparator.ILike];

    private static readonly SearchComparator[] TextOrList = [.. Text, SearchComparator.In, SearchComparator.NotIn];

    private static readonly SearchComparator[] Equality = [SearchComparator.Equal, SearchComparator.NotEqual];

    private static readonly SearchComparator[] EqualityOrList = [.. Equality, SearchComparator.In, SearchComparator.NotIn];

    // MLflow's table of which comparators apply where: IN lists only for run ids (of runs and model versions) and dataset
    // fields; traces take no LIKE at all (MLflow's SearchTraceUtils), and lists only for their status and id.
    private static SearchComparator[] AllowedComparators(SearchEntity entity, string key, SearchTarget target) => entity switch
    {
        _ when target == SearchTarget.Traces => entity == SearchEntity.Attribute && SearchKeys.IsNumericAttribute(key, target) ? Numeric
            : entity == SearchEntity.Attribute && key is "status" or "request_id" ? EqualityOrList
            : Equality,
        SearchEntity.Metric => Numeric,
        SearchEntity.Param or SearchEntity.Tag => Text,
        SearchEntity.Dataset => TextOrList,
        _ when SearchKeys.IsNumericAttribute(key, target) => Numeric,
        _ when target is SearchTarget.Runs or SearchTarget.ModelVersions && key == "run_id" => TextOrList,
        _ => Text,
    };

    private static bool IsNumeric(SearchEntity entity, string key, SearchTarget target) =>
        entity == SearchEntity.Metric || (entity == SearchEntity.Attribute && SearchKeys.IsNumericAttribute(key, target));

    private static string Describe(SearchEntity entity, string key) => entity switch
    {
        SearchEntity.Metric => "metric",
        SearchEntity.Param => "param",
        SearchEntity.Tag => "tag",
        SearchEntity.Dataset => "dataset",
        SearchEntity.RequestMetadata => "request_metadata",
        _ => $"attribute '{key}'",
    };

    private static string Name(SearchComparator comparator) => comparator switch
    {
        SearchComparator.Equal => "=",
        SearchComparator.NotEqual => "!=",
        SearchComparator.Greater => ">",
        SearchComparator.GreaterOrEqual => ">=",
        SearchComparator.Less => "<",
        SearchComparator.LessOrEqual => "<=",
        SearchComparator.Like => "LIKE",
        SearchComparator.ILike => "ILIKE",
        SearchComparator.In => "IN",
        _ => "NOT IN",
    };
}
