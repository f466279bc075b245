using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// MLflow's search grammar, filter by filter and order by order, on every store: each case is translated to the
/// store's SQL, so a dialect difference (LIKE's case, NaN, NULL order, text collation) shows up here.
/// </summary>
public abstract partial class TrackingStoreCompliance
{
    private async Task<string> SearchRunAsync(string name, long start, double? acc, string? model = null, string? team = null, string experiment = "0")
    {
        var info = await Store.CreateRunAsync(new CreateRunRequest(experiment, name, "alice", start, team is null ? [] : [new Tag("team", team)]), Ct);
        await Store.LogBatchAsync(info.RunId, acc is { } a ? [new Metric("acc", a, start, 0)] : [], model is null ? [] : [new Param("model", model)], [], Ct);
        return info.RunId;
    }

    private async Task<List<string>> NamesAsync(string? filter, params string[] orderBy) =>
        (await Store.SearchRunsAsync(new RunSearch(["0"], Filter: filter, OrderBy: orderBy), Ct)).Runs.Select(r => r.Info.RunName).ToList();

    [SkippableFact]
    public async Task SearchRuns_MetricFilterAndOrder_ReturnsMatchesBestFirst()
    {
        SkipIfUnavailable();
        await SearchRunAsync("low", 1, 0.2);
        await SearchRunAsync("high", 2, 0.9);
        await SearchRunAsync("mid", 3, 0.6);
        await SearchRunAsync("none", 4, null);

        Assert.Equal(["high", "mid"], await NamesAsync("metrics.acc > 0.5", "metrics.acc DESC"));
        Assert.Equal(["low", "mid", "high", "none"], await NamesAsync(null, "metrics.acc ASC"));
        Assert.Equal(["high", "mid", "low", "none"], await NamesAsync(null, "metrics.acc DESC"));
        Assert.Equal(["mid"], await NamesAsync("metrics.acc >= 0.6 AND metrics.acc < 0.9"));
        Assert.Equal(["low"], await NamesAsync("metrics.acc <= 0.2"));
        Assert.Equal(["mid", "low"], await NamesAsync("metrics.acc != 0.9"));
        Assert.Equal(["high"], await NamesAsync("metrics.acc = 0.9"));
    }

    [SkippableFact]
    public async Task SearchRuns_NaNMetric_SortsAfterNumbersBeforeMissing()
    {
        SkipIfUnavailable();
        await SearchRunAsync("nan", 1, double.NaN);
        await SearchRunAsync("one", 2, 1);
        await SearchRunAsync("none", 3, null);
        await SearchRunAsync("inf", 4, double.PositiveInfinity);

        Assert.Equal(["inf", "one", "nan", "none"], await NamesAsync(null, "metrics.acc DESC"));
        Assert.Equal(["one", "inf", "nan", "none"], await NamesAsync(null, "metrics.acc ASC"));
        Assert.Equal(["inf", "one"], await NamesAsync("metrics.acc >= 0"));
        Assert.Equal(["inf"], await NamesAsync("metrics.acc > 1e308"));
    }

    [SkippableFact]
    public async Task SearchRuns_ParamsTagsAndAttributes_FilterInSql()
    {
        SkipIfUnavailable();
        await SearchRunAsync("lr-a", 1, 0.5, "LogisticRegression", "nlp");
        await SearchRunAsync("svm-b", 2, 0.7, "SVM", "vision");
        await SearchRunAsync("lr-c", 3, 0.6, "logisticregression");

        Assert.Equal(["lr-a"], await NamesAsync("params.model = 'LogisticRegression'"));
        Assert.Equal(["lr-a"], await NamesAsync("params.model LIKE 'Logistic%'"));
        Assert.Equal(["lr-c", "lr-a"], await NamesAsync("params.model ILIKE 'logistic%'"));
        Assert.Equal(["svm-b", "lr-a"], await NamesAsync("params.model != 'logisticregression'"));
        Assert.Equal(["svm-b"], await NamesAsync("tags.team != 'nlp'"));
        Assert.Equal(["svm-b"], await NamesAsync("tags.`team` ILIKE 'VIS%'"));
        Assert.Equal(["lr-c", "lr-a"], await NamesAsync("attributes.run_name LIKE 'lr-_'"));
        Assert.Empty(await NamesAsync("attributes.run_name LIKE 'LR-%'"));
        Assert.Equal(["lr-c", "lr-a"], await NamesAsync("run_name ILIKE 'LR-%'"));
        Assert.Equal(["svm-b", "lr-a"], await NamesAsync("attributes.start_time <= 2 AND attributes.status = 'RUNNING'"));
        Assert.Equal(["lr-c"], await NamesAsync("attributes.created > 2 AND user_id = 'alice'"));
        // Binary order, as MLflow's SQL stores compare: upper case sorts first.
        Assert.Equal(["lr-a", "svm-b", "lr-c"], await NamesAsync(null, "params.model"));
    }

    [SkippableFact]
    public async Task SearchRuns_ILikeOnNonAsciiText_FoldsCaseOnEveryStore()
    {
        SkipIfUnavailable();
        await SearchRunAsync("Überlauf", 1, null, "Ärger", "ΔΕΛΤΑ");
        await SearchRunAsync("übung", 2, null, "ärger-2", "δελτα");
        await SearchRunAsync("plain", 3, null, "arger", "delta");

        // SQLite's own lower() folds only ASCII; ILIKE must fold Ä/ä and Δ/δ as PostgreSQL does.
        Assert.Equal(["übung", "Überlauf"], await NamesAsync("params.model ILIKE 'äR%'"));
        Assert.Equal(["übung", "Überlauf"], await NamesAsync("tags.team ILIKE 'ΔΕΛ%'"));
        Assert.Equal(["übung", "Überlauf"], await NamesAsync("run_name ILIKE 'ÜB%'"));
        // LIKE and = stay case-sensitive on non-ASCII letters too.
        Assert.Equal(["übung"], await NamesAsync("params.model LIKE 'är%'"));
        Assert.Equal(["Überlauf"], await NamesAsync("run_name = 'Überlauf'"));
        var experiment = await Store.CreateExperimentAsync("Été-2026", null, [], Ct);
        var found = await Store.SearchExperimentsAsync(new ExperimentSearch(Filter: "name ILIKE 'été%'"), Ct);
        Assert.Equal(experiment, Assert.Single(found.Experiments).ExperimentId);
    }

    [SkippableFact]
    public async Task SearchRuns_LikeWildcardsInValues_MatchLiterally()
    {
        SkipIfUnavailable();
        await SearchRunAsync("star", 1, null, "a*b?[c]");
        await SearchRunAsync("plain", 2, null, "axb");

        Assert.Equal(["star"], await NamesAsync("params.model LIKE 'a*b?[c]'"));
        Assert.Equal(["plain", "star"], await NamesAsync("params.model LIKE 'a%b%'"));
    }

    [SkippableFact]
    public async Task SearchRuns_BackslashInLikePattern_EscapesTheNextCharacterOnEveryStore()
    {
        SkipIfUnavailable();
        await SearchRunAsync("underscore", 1, null, "lr_v1", "a%b");
        await SearchRunAsync("other", 2, null, "lrxv1", "axb");
        await SearchRunAsync("backslash", 3, null, @"C:\lr", @"a\b");

        Assert.Equal(["other", "underscore"], await NamesAsync("params.model LIKE 'lr_v1'"));
        Assert.Equal(["underscore"], await NamesAsync(@"params.model LIKE 'lr\_v%'"));
        Assert.Equal(["underscore"], await NamesAsync(@"tags.team LIKE 'a\%b'"));
        Assert.Equal(["underscore"], await NamesAsync(@"tags.team ILIKE 'A\%B'"));
        Assert.Equal(["backslash"], await NamesAsync(@"params.model LIKE 'C:\\%'"));
        Assert.Equal(["backslash"], await NamesAsync(@"tags.team ILIKE 'A\\B'"));
        // An escaped ordinary character is just that character.
        Assert.Equal(["backslash", "other", "underscore"], await NamesAsync(@"params.model LIKE '%\l%'"));
    }

    [SkippableFact]
    public async Task SearchRuns_LikePatternEndingInLoneBackslash_IsInvalidParameterWithPosition()
    {
        SkipIfUnavailable();
        await SearchRunAsync("a", 1, null, "x");

        var error = await Assert.ThrowsAsync<TrackingException>(() => NamesAsync(@"params.model LIKE 'x\'"));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
        Assert.Contains(@"ends in a lone escape character '\'", error.Message, StringComparison.Ordinal);
        Assert.Contains("at position 18", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SearchRuns_SeveralOrderKeys_ApplyInTurnWithMlflowTieBreaks()
    {
        SkipIfUnavailable();
        await SearchRunAsync("lr-low", 1, 0.1, "lr");
        await SearchRunAsync("svm", 2, 0.5, "svm");
        await SearchRunAsync("lr-high", 3, 0.9, "lr");
        await SearchRunAsync("no-model", 4, 0.7);

        Assert.Equal(["lr-high", "lr-low", "svm", "no-model"], await NamesAsync(null, "params.model ASC", "metrics.acc DESC"));
        Assert.Equal(["svm", "lr-low", "lr-high", "no-model"], await NamesAsync(null, "params.model DESC", "start_time"));
    }

    [SkippableFact]
    public async Task SearchRuns_SameStartTime_RunIdBreaksTheTie()
    {
        SkipIfUnavailable();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await SearchRunAsync($"tie-{i}", 7, 0.5));
        }

        var found = await Store.SearchRunsAsync(new RunSearch(["0"], Filter: "metrics.acc = 0.5", OrderBy: ["metrics.acc DESC"]), Ct);

        Assert.Equal(ids.Order(StringComparer.Ordinal), found.Runs.Select(r => r.Info.RunId));
    }

    [SkippableFact]
    public async Task SearchRuns_EndTimeOrder_UnfinishedRunsLastBothWays()
    {
        SkipIfUnavailable();
        var early = await SearchRunAsync("early", 1, null);
        await SearchRunAsync("open", 2, null);
        var late = await SearchRunAsync("late", 3, null);
        await Store.UpdateRunAsync(early, RunStatus.Finished, 100, null, Ct);
        await Store.UpdateRunAsync(late, RunStatus.Failed, 200, null, Ct);

        Assert.Equal(["early", "late", "open"], await NamesAsync(null, "attributes.end_time ASC"));
        Assert.Equal(["late", "early", "open"], await NamesAsync(null, "end_time DESC"));
        Assert.Equal(["late"], await NamesAsync("end_time > 150"));
        Assert.Equal(["early", "late"], await NamesAsync("status != 'RUNNING'", "status DESC")); // FINISHED > FAILED
    }

    [SkippableFact]
    public async Task SearchRuns_RunIdIn_ReturnsThoseRuns()
    {
        SkipIfUnavailable();
        var a = await SearchRunAsync("a", 1, null);
        await SearchRunAsync("b", 2, null);
        var c = await SearchRunAsync("c", 3, null);

        Assert.Equal(["c", "a"], await NamesAsync($"attributes.run_id IN ('{a}', '{c}')"));
        Assert.Equal(["b"], await NamesAsync($"run_id NOT IN ('{a}', '{c}')"));
        Assert.Equal(["a"], await NamesAsync($"run_id = '{a}'"));
    }

    [SkippableFact]
    public async Task SearchRuns_Datasets_MatchAnyInput()
    {
        SkipIfUnavailable();
        var a = await SearchRunAsync("a", 1, null);
        var b = await SearchRunAsync("b", 2, null);
        await SearchRunAsync("c", 3, null);
        await Store.LogInputsAsync(a, [new DatasetInput(new Dataset("imdb", "d1", "local", "{}"), [new Tag("mlflow.data.context", "training")])], Ct);
        await Store.LogInputsAsync(b, [new DatasetInput(new Dataset("IMDB-eval", "e2", "local", "{}"), [new Tag("mlflow.data.context", "evaluation")])], Ct);

        Assert.Equal(["a"], await NamesAsync("datasets.context IN ('training', 'validation')"));
        Assert.Equal(["b"], await NamesAsync("datasets.context NOT IN ('training')"));
        Assert.Equal(["a"], await NamesAsync("datasets.name = 'imdb' AND datasets.digest LIKE 'd%'"));
        Assert.Equal(["b", "a"], await NamesAsync("datasets.name ILIKE 'imdb%'"));
        Assert.Equal(["b"], await NamesAsync("datasets.digest != 'd1'"));
        Assert.Empty(await NamesAsync("datasets.context = 'testing'"));
    }

    [SkippableFact]
    public async Task SearchDatasets_DistinctDatasetAndContext_MostRecentlyUsedFirst()
    {
        SkipIfUnavailable();
        Skip.IfNot(Store is IDatasetSummaries, "The store has no dataset summaries query.");
        var other = await Store.CreateExperimentAsync("other-datasets", null, [], Ct);
        var imdb = new Dataset("imdb", "d1", "local", "{}");
        var a = await SearchRunAsync("a", 1, null);
        var b = await SearchRunAsync("b", 2, null);
        var c = await SearchRunAsync("c", 3, null);
        var d = await SearchRunAsync("d", 4, null, experiment: other);
        await Store.LogInputsAsync(a, [new DatasetInput(imdb, [new Tag("mlflow.data.context", "training")]), new DatasetInput(new Dataset("imdb-test", "t1", "local", "{}"), [])], Ct);
        await Store.LogInputsAsync(b, [new DatasetInput(imdb, [new Tag("mlflow.data.context", "training")])], Ct);
        await Store.LogInputsAsync(c, [new DatasetInput(imdb, [new Tag("other", "x"), new Tag("mlflow.data.context", "evaluation")])], Ct);
        await Store.LogInputsAsync(d, [new DatasetInput(new Dataset("news", "n1", "local", "{}"), [])], Ct);
        await Store.DeleteRunAsync(c, Ct);
        var summaries = (IDatasetSummaries)Store;

        var zero = await summaries.SearchDatasetsAsync([0], 1000, Ct);
        var both = await summaries.SearchDatasetsAsync([0, long.Parse(other, System.Globalization.CultureInfo.InvariantCulture)], 2, Ct);

        // Deleted runs count, as in MLflow's SQL store; each (data set, context) once, at its latest use.
        Assert.Equal(
            [new DatasetSummary("0", "imdb", "d1", "evaluation"), new DatasetSummary("0", "imdb", "d1", "training"), new DatasetSummary("0", "imdb-test", "t1", null)],
            zero);
        Assert.Equal([new DatasetSummary(other, "news", "n1", null), new DatasetSummary("0", "imdb", "d1", "evaluation")], both);
    }

    [SkippableFact]
    public async Task SearchRuns_FilterWithViewTypeAndExperiments_ScopesTheSearch()
    {
        SkipIfUnavailable();
        var other = await Store.CreateExperimentAsync("other", null, [], Ct);
        await SearchRunAsync("here", 1, 0.9);
        var gone = await SearchRunAsync("gone", 2, 0.9);
        await SearchRunAsync("there", 3, 0.9, experiment: other);
        await Store.DeleteRunAsync(gone, Ct);

        var active = await Store.SearchRunsAsync(new RunSearch(["0", other], Filter: "metrics.acc > 0.5"), Ct);
        var all = await Store.SearchRunsAsync(new RunSearch(["0"], ViewType.All, Filter: "metrics.acc > 0.5"), Ct);
        var deleted = await Store.SearchRunsAsync(new RunSearch(["0"], ViewType.DeletedOnly, Filter: "metrics.acc > 0.5"), Ct);

        Assert.Equal(["there", "here"], active.Runs.Select(r => r.Info.RunName));
        Assert.Equal(["gone", "here"], all.Runs.Select(r => r.Info.RunName));
        Assert.Equal(["gone"], deleted.Runs.Select(r => r.Info.RunName));
    }

    [SkippableFact]
    public async Task SearchRuns_Pages_WalkAllRunsInOrder()
    {
        SkipIfUnavailable();
        for (var i = 0; i < 5; i++)
        {
            await SearchRunAsync($"r{i}", i, i);
        }

        var page1 = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"]), Ct);
        var page2 = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"], PageToken: page1.NextPageToken), Ct);
        var page3 = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 2, OrderBy: ["metrics.acc ASC"], PageToken: page2.NextPageToken), Ct);

        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], page1.Runs.Concat(page2.Runs).Concat(page3.Runs).Select(r => r.Info.RunName));
        Assert.Null(page3.NextPageToken);
    }

    [SkippableTheory]
    [InlineData("metrics.acc DESC", null)]
    [InlineData("metrics.acc ASC", null)]
    [InlineData("metrics.acc DESC", "params.model != 'b'")]
    [InlineData("metrics.acc ASC", "metrics.acc >= 0.2")]
    public async Task SearchRuns_PagesSortedByAMetric_MatchOneFullSortAcrossTiesNaNAndMissing(string order, string? filter)
    {
        // Pages sorted by a metric read only the runs up to the page's last value (an index walk, then a bounded
        // query), so runs tied on the value across a page's edge, NaN, missing values and other experiments' runs
        // must still come out exactly as one sort of every run would put them.
        SkipIfUnavailable();
        var other = await Store.CreateExperimentAsync("elsewhere", null, [], Ct);
        for (var i = 0; i < 23; i++)
        {
            await SearchRunAsync($"r{i:00}", i, (i % 5) / 10.0, model: i % 3 == 0 ? "b" : "a");
            await SearchRunAsync($"x{i:00}", i, 0.9, experiment: other);
        }

        await SearchRunAsync("nan", 30, double.NaN);
        await SearchRunAsync("none", 31, null);

        var everything = await NamesAsync(filter, order);
        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 4, Filter: filter, OrderBy: [order], PageToken: token), Ct);
            paged.AddRange(page.Runs.Select(r => r.Info.RunName));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(everything, paged);
        Assert.DoesNotContain(everything, name => name.StartsWith('x'));
        var numbered = everything.Where(name => name.StartsWith('r')).ToList();
        var values = numbered.Select(name => (int.Parse(name[1..], CultureInfo.InvariantCulture) % 5) / 10.0).ToList();
        Assert.Equal(order.EndsWith("ASC", StringComparison.Ordinal) ? values.Order() : values.OrderDescending(), values);
        if (filter is null)
        {
            Assert.Equal(["nan", "none"], everything[^2..]);
        }
    }

    [SkippableTheory]
    [InlineData("metrics.acc > 'x'")]
    [InlineData("params.model = 3")]
    [InlineData("metrics.acc > 1 OR metrics.acc < 0")]
    [InlineData("foo.bar = 'x'")]
    public async Task SearchRuns_BadFilter_IsInvalidParameterValue(string filter)
    {
        SkipIfUnavailable();
        var error = await Assert.ThrowsAsync<TrackingException>(() => NamesAsync(filter));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [SkippableFact]
    public async Task SearchRuns_MaxResultsOutOfRange_IsInvalidParameterValue()
    {
        SkipIfUnavailable();
        var error = await Assert.ThrowsAsync<TrackingException>(() => Store.SearchRunsAsync(new RunSearch(["0"], MaxResults: 50_001), Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.Code);
    }

    [SkippableFact]
    public async Task SearchExperiments_FilterAndOrder_WorkOnNamesAndTags()
    {
        SkipIfUnavailable();
        await Store.CreateExperimentAsync("test-a", null, [new Tag("team", "ml")], Ct);
        await Store.CreateExperimentAsync("test-b", null, [], Ct);
        await Store.CreateExperimentAsync("prod", null, [new Tag("team", "ml")], Ct);
        await Store.CreateExperimentAsync("Zeta", null, [new Tag("team", "ML-ops")], Ct);

        var page = await Store.SearchExperimentsAsync(new ExperimentSearch(Filter: "name LIKE 'test-%' AND tags.team = 'ml'"), Ct);
        var ordered = await Store.SearchExperimentsAsync(new ExperimentSearch(OrderBy: ["name DESC"]), Ct);
        var ilike = await Store.SearchExperimentsAsync(new ExperimentSearch(Filter: "tags.team ILIKE 'ml%'", OrderBy: ["name"]), Ct);
        var created = await Store.SearchExperimentsAsync(new ExperimentSearch(Filter: "creation_time >= 0 AND name != 'Default'", OrderBy: ["experiment_id DESC"]), Ct);

        Assert.Equal("test-a", Assert.Single(page.Experiments).Name);
        // Binary order: upper case before lower case.
        Assert.Equal(["test-b", "test-a", "prod", "Zeta", "Default"], ordered.Experiments.Select(e => e.Name));
        Assert.Equal(["Zeta", "prod", "test-a"], ilike.Experiments.Select(e => e.Name));
        Assert.Equal(["Zeta", "prod", "test-b", "test-a"], created.Experiments.Select(e => e.Name));
    }

    [SkippableFact]
    public async Task SearchExperiments_Pages_AndViewTypes()
    {
        SkipIfUnavailable();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await Store.CreateExperimentAsync(name, null, [], Ct);
        }

        await Store.DeleteExperimentAsync((await Store.GetExperimentByNameAsync("b", Ct))!.ExperimentId, Ct);
        var first = await Store.SearchExperimentsAsync(new ExperimentSearch(MaxResults: 2, OrderBy: ["name"]), Ct);
        var second = await Store.SearchExperimentsAsync(new ExperimentSearch(MaxResults: 2, OrderBy: ["name"], PageToken: first.NextPageToken), Ct);
        var deleted = await Store.SearchExperimentsAsync(new ExperimentSearch(ViewType: ViewType.DeletedOnly, Filter: "name = 'b'"), Ct);

        Assert.Equal(["Default", "a"], first.Experiments.Select(e => e.Name));
        Assert.Equal(["c"], second.Experiments.Select(e => e.Name));
        Assert.Null(second.NextPageToken);
        Assert.Equal("b", Assert.Single(deleted.Experiments).Name);
    }

    [SkippableFact]
    public async Task RenameAndTagExperiment_ActiveExperiment_AreStored()
    {
        SkipIfUnavailable();
        var id = await Store.CreateExperimentAsync("old", null, [], Ct);
        await Store.RenameExperimentAsync(id, "new", Ct);
        await Store.SetExperimentTagAsync(id, new Tag("team", "ml"), Ct);
        await Store.SetExperimentTagAsync(id, new Tag("team", "nlp"), Ct);

        var experiment = await Store.GetExperimentAsync(id, Ct);
        Assert.Equal("new", experiment!.Name);
        Assert.Equal(new Tag("team", "nlp"), Assert.Single(experiment.Tags));
        await Store.DeleteExperimentTagAsync(id, "team", Ct);
        var missing = await Assert.ThrowsAsync<TrackingException>(() => Store.DeleteExperimentTagAsync(id, "team", Ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
        var clash = await Assert.ThrowsAsync<TrackingException>(() => Store.RenameExperimentAsync(id, "Default", Ct));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, clash.Code);
        Assert.EndsWith("Experiment(name=Default) already exists.", clash.Message, StringComparison.Ordinal);
    }
}
