namespace Fathom.Search;

/// <summary>
/// MLflow's <c>order_by</c> strings: one <c>identifier [ASC|DESC]</c> each, direction case-insensitive and
/// ascending by default; a key given twice is refused, as MLflow does.
/// </summary>
internal static class SearchOrderParser
{
    public static IReadOnlyList<SearchOrder> Parse(IReadOnlyList<string>? orderBy, SearchTarget target)
    {
        if (orderBy is null || orderBy.Count == 0)
        {
            return [];
        }

        var orders = new List<SearchOrder>();
        foreach (var text in orderBy)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Tracking.TrackingException.Invalid("Invalid order_by clause ''. It must be an identifier optionally followed by ASC or DESC.");
            }

            var cursor = new Cursor(text, SearchTokenizer.Tokenize(text), forOrderBy: true);
            var (entity, key, _) = SearchFilterParser.ParseIdentifier(cursor, target);
            // Runs order by any entity but data sets, traces by attributes, tags and request metadata, the rest by attributes.
            // Logged models order by attributes and metrics (MLflow's SearchLoggedModels).
            if (entity == SearchEntity.Dataset
                || (target == SearchTarget.LoggedModels && entity is not (SearchEntity.Attribute or SearchEntity.Metric))
                || (target is not (SearchTarget.Runs or SearchTarget.Traces or SearchTarget.LoggedModels) && entity != SearchEntity.Attribute))
            {
                throw SearchErrors.Invalid($"Invalid order_by clause '{text}': only attributes, metrics, params and tags of runs, attributes and metrics of logged models, and attributes of experiments and registry entities, can be ordered by", 0);
            }

            var ascending = true;
            var next = cursor.Next();
            if (next.IsKeyword("ASC") || next.IsKeyword("DESC"))
            {
                ascending = next.IsKeyword("ASC");
                next = cursor.Next();
            }

            if (next.Kind != SearchTokenKind.End)
            {
                throw SearchErrors.Invalid($"Invalid order_by clause '{text}': expected ASC, DESC or the end, found '{next.Text}'", next.Position);
            }

            if (orders.Any(o => o.Entity == entity && o.Key == key))
            {
                throw Tracking.TrackingException.Invalid("`order_by` contains duplicate fields: " + string.Join(", ", orderBy));
            }

            orders.Add(new SearchOrder(entity, key, ascending));
        }

        return orders;
    }
}
