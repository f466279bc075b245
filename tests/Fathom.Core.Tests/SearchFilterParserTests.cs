using Fathom.Search;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SearchFilterParserTests
{
    private static IReadOnlyList<SearchClause> Runs(string filter) => SearchFilterParser.Parse(filter, SearchTarget.Runs);

    private static TrackingException RunsError(string filter) => Assert.Throws<TrackingException>(() => Runs(filter));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_EmptyFilter_HasNoClauses(string? filter) => Assert.Empty(SearchFilterParser.Parse(filter, SearchTarget.Runs));

    [Fact]
    public void Parse_MetricAndParam_ReadsBothClauses()
    {
        var clauses = Runs("metrics.rmse < 1 and params.model = 'LogisticRegression'");

        Assert.Equal(2, clauses.Count);
        Assert.Equal(new SearchClause(SearchEntity.Metric, "rmse", SearchComparator.Less, null, 1, null, 0), clauses[0]);
        Assert.Equal((SearchEntity.Param, "model", SearchComparator.Equal, "LogisticRegression"), (clauses[1].Entity, clauses[1].Key, clauses[1].Comparator, clauses[1].Text));
        Assert.Equal(21, clauses[1].Position);
    }

    [Theory]
    [InlineData("metrics.`f1 score` >= 0.5", "Metric", "f1 score")]
    [InlineData("metrics.\"f1 score\" >= 0.5", "Metric", "f1 score")]
    [InlineData("`metrics`.`f1 score` >= 0.5", "Metric", "f1 score")]
    [InlineData("metric.loss != -1.5e-3", "Metric", "loss")]
    [InlineData("tags.`mlflow.source.type` = 'NOTEBOOK'", "Tag", "mlflow.source.type")]
    [InlineData("tags.mlflow.runName = 'x'", "Tag", "mlflow.runName")]
    [InlineData("tag.\"team\" LIKE 'nl%'", "Tag", "team")]
    [InlineData("param.alpha ILIKE '0.%'", "Param", "alpha")]
    [InlineData("parameters.`learning-rate` = \"0.1\"", "Param", "learning-rate")]
    [InlineData("attributes.status = 'FINISHED'", "Attribute", "status")]
    [InlineData("attr.start_time >= 1700000000000", "Attribute", "start_time")]
    [InlineData("created > 5", "Attribute", "start_time")]
    [InlineData("run_name ILIKE '%sweep%'", "Attribute", "run_name")]
    [InlineData("attributes.`Run name` = 'a'", "Attribute", "run_name")]
    [InlineData("run.run_id IN ('a1', 'b2')", "Attribute", "run_id")]
    [InlineData("attributes.run_id NOT IN ('a1')", "Attribute", "run_id")]
    [InlineData("datasets.context IN ('training','validation')", "Dataset", "context")]
    [InlineData("dataset.digest NOT IN ('x')", "Dataset", "digest")]
    [InlineData("datasets.name LIKE 'iris%'", "Dataset", "name")]
    public void Parse_ValidClause_ResolvesEntityAndKey(string filter, string entity, string key)
    {
        var clause = Assert.Single(Runs(filter));

        Assert.Equal((entity, key), (clause.Entity.ToString(), clause.Key));
    }

    [Fact]
    public void Parse_InList_KeepsValuesInOrder()
    {
        var clause = Assert.Single(Runs("attributes.run_id IN ('a', \"b\", 'c''d')"));

        Assert.Equal(SearchComparator.In, clause.Comparator);
        Assert.Equal(["a", "b", "c'd"], clause.List!);
    }

    [Fact]
    public void Parse_KeywordsInAnyCase_AreAccepted()
    {
        var clauses = Runs("params.a like 'x' AnD tags.b IlIkE 'y' and attributes.run_id not in ('z')");

        Assert.Equal([SearchComparator.Like, SearchComparator.ILike, SearchComparator.NotIn], clauses.Select(c => c.Comparator));
    }

    [Theory]
    [InlineData("metrics.acc > 0.5 OR metrics.acc < 0.1", "'OR'", 18)]
    [InlineData("metrics.acc > 0.5; params.a = 'b'", "multiple expressions", 17)]
    [InlineData("foo.bar = 'x'", "Invalid entity type 'foo'", 0)]
    [InlineData("attributes.colour = 'x'", "Invalid attribute key 'colour'", 11)]
    [InlineData("colour = 'x'", "Invalid attribute key 'colour'", 0)]
    [InlineData("metrics.acc > 'abc'", "Expected numeric value type for metric. Found 'abc'", 14)]
    [InlineData("metrics.acc > abc", "Expected numeric value type for metric", 14)]
    [InlineData("params.alpha = 3", "Expected a quoted string value for param", 15)]
    [InlineData("tags.team = nlp", "Expected a quoted string value for tag", 12)]
    [InlineData("metrics.acc LIKE '0.5'", "Invalid comparator 'LIKE'", 12)]
    [InlineData("params.alpha > '1'", "Invalid comparator '>'", 13)]
    [InlineData("params.alpha IN ('1')", "Invalid comparator 'IN'", 13)]
    [InlineData("attributes.status IN ('FINISHED')", "Invalid comparator 'IN'", 18)]
    [InlineData("attributes.start_time LIKE '1%'", "Invalid comparator 'LIKE'", 22)]
    [InlineData("metrics.acc ~ 1", "unexpected character '~'", 12)]
    [InlineData("metrics.acc", "found the end of the filter", 11)]
    [InlineData("metrics.acc >", "Expected numeric value type for metric", 13)]
    [InlineData("params.a = 'unterminated", "unterminated", 11)]
    [InlineData("params.a = 'x' metrics.b > 1", "expected AND", 15)]
    [InlineData("datasets.profile = 'x'", "Invalid dataset key 'profile'", 9)]
    [InlineData("attributes.run_id IN 'a'", "parenthesised list", 21)]
    [InlineData("attributes.run_id IN ('a' 'b')", "expected ',' or ')'", 26)]
    [InlineData("= 3", "expected an identifier", 0)]
    public void Parse_InvalidFilter_IsInvalidParameterValueWithPosition(string filter, string message, int position)
    {
        var error = RunsError(filter);

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(at position {position}).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExperimentFilter_AllowsNameTimesAndTags()
    {
        var clauses = SearchFilterParser.Parse("name LIKE 'test-%' AND tags.team = 'ml' AND attribute.creation_time > 5", SearchTarget.Experiments);

        Assert.Equal([SearchEntity.Attribute, SearchEntity.Tag, SearchEntity.Attribute], clauses.Select(c => c.Entity));
        Assert.Equal(5, clauses[2].Number);
    }

    [Theory]
    [InlineData("metrics.acc > 1", "Invalid entity type 'metrics'")]
    [InlineData("experiment_id = '1'", "Invalid attribute key 'experiment_id'")]
    [InlineData("name > 'a'", "Invalid comparator '>'")]
    public void Parse_ExperimentFilterOutsideItsGrammar_IsRefused(string filter, string message)
    {
        var error = Assert.Throws<TrackingException>(() => SearchFilterParser.Parse(filter, SearchTarget.Experiments));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOrderBy_SeveralKeys_ReadsDirections()
    {
        var orders = SearchOrderParser.Parse(["metrics.`f1 score` DESC", "params.alpha", "attributes.start_time asc"], SearchTarget.Runs);

        Assert.Equal(
            [new SearchOrder(SearchEntity.Metric, "f1 score", false), new SearchOrder(SearchEntity.Param, "alpha", true), new SearchOrder(SearchEntity.Attribute, "start_time", true)],
            orders);
    }

    [Theory]
    [InlineData(new[] { "metrics.a DESC", "metrics.a ASC" }, "duplicate fields")]
    [InlineData(new[] { "metrics.a DOWN" }, "expected ASC, DESC")]
    [InlineData(new[] { "colour" }, "Invalid attribute key 'colour'")]
    [InlineData(new[] { "datasets.name" }, "Invalid order_by clause")]
    [InlineData(new[] { "" }, "Invalid order_by clause")]
    public void ParseOrderBy_Invalid_IsRefused(string[] orderBy, string message)
    {
        var error = Assert.Throws<TrackingException>(() => SearchOrderParser.Parse(orderBy, SearchTarget.Runs));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOrderBy_Experiments_AllowsExperimentIdButNotTags()
    {
        Assert.Single(SearchOrderParser.Parse(["experiment_id DESC"], SearchTarget.Experiments));
        Assert.Throws<TrackingException>(() => SearchOrderParser.Parse(["tags.team"], SearchTarget.Experiments));
    }

    // MLflow's SearchTraceUtils: trace./attributes./tags./metadata. prefixes, timestamp and execution_time aliases, no LIKE,
    // lists only for status and request_id.
    [Theory]
    [InlineData("trace.status = 'OK'", "Attribute", "status")]
    [InlineData("status IN ('OK', 'ERROR')", "Attribute", "status")]
    [InlineData("attributes.request_id NOT IN ('a')", "Attribute", "request_id")]
    [InlineData("timestamp > 1711089570679", "Attribute", "timestamp_ms")]
    [InlineData("attribute.execution_time <= 100", "Attribute", "execution_time_ms")]
    [InlineData("name = 'predict'", "Attribute", "name")]
    [InlineData("tags.topic != 'x'", "Tag", "topic")]
    [InlineData("metadata.`mlflow.sourceRun` = 'r'", "RequestMetadata", "mlflow.sourceRun")]
    [InlineData("request_metadata.k = 'v'", "RequestMetadata", "k")]
    public void Parse_TraceClause_ResolvesEntityAndKey(string filter, string entity, string key)
    {
        var clause = Assert.Single(SearchFilterParser.Parse(filter, SearchTarget.Traces));

        Assert.Equal((entity, key), (clause.Entity.ToString(), clause.Key));
    }

    [Theory]
    [InlineData("tags.topic LIKE 'x%'", "Invalid comparator 'LIKE'")]
    [InlineData("name IN ('a')", "Invalid comparator 'IN'")]
    [InlineData("metrics.loss > 1", "Invalid entity type 'metrics'. Valid values are ['tag', 'attribute', 'request_metadata']")]
    [InlineData("run_name = 'x'", "Invalid attribute key 'run_name'")]
    [InlineData("timestamp_ms > 'x'", "Expected numeric value type")]
    public void Parse_InvalidTraceClause_IsRefused(string filter, string message)
    {
        var error = Assert.Throws<TrackingException>(() => SearchFilterParser.Parse(filter, SearchTarget.Traces));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOrderBy_Traces_AllowsAttributesTagsAndMetadata()
    {
        var orders = SearchOrderParser.Parse(["timestamp DESC", "experiment_id", "tags.topic", "metadata.k DESC"], SearchTarget.Traces);

        Assert.Equal(
            [new SearchOrder(SearchEntity.Attribute, "timestamp_ms", false), new SearchOrder(SearchEntity.Attribute, "experiment_id", true), new SearchOrder(SearchEntity.Tag, "topic", true), new SearchOrder(SearchEntity.RequestMetadata, "k", false)],
            orders);
    }

    [Theory]
    [InlineData("a%b_c", "a*b?c")]
    [InlineData("*?[", "[*][?][[]")]
    [InlineData(@"a\_b\%c\\d", @"a_b%c\d")]
    [InlineData(@"\*\x", @"[*]x")]
    public void LikeToGlob_Pattern_TranslatesWildcards(string like, string glob) => Assert.Equal(glob, SqliteDialect.LikeToGlob(like));
}
