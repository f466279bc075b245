using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// The model-registry contract (MLflow's SQL registry rules), run once per backend: SQLite and PostgreSQL must
/// behave the same, and so must the REST client over Fathom's server. A subclass supplies a fresh, empty tracking store
/// per test; its registry is what is tested.
/// </summary>
public abstract partial class ModelRegistryCompliance : IAsyncLifetime
{
    private ITrackingStore _store = null!;
    private IModelRegistryStore _registry = null!;

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>Why the backend cannot run here (tests skip), or null.</summary>
    protected virtual string? Unavailable => null;

    protected abstract Task<ITrackingStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        if (Unavailable is null)
        {
            _store = await CreateStoreAsync();
            _registry = ModelRegistries.Of(_store);
        }
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await CleanUpAsync();
    }

    /// <summary>Releases what <see cref="CreateStoreAsync"/> started besides the store (a server), after the store is closed.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    private void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private async Task<ModelVersion> NewVersionAsync(string name, string source = "s3://bucket/model", string? runId = null, params Tag[] tags) =>
        await _registry.CreateModelVersionAsync(new CreateModelVersionRequest(name, source, runId, tags), Ct);

    private static async Task<TrackingException> RefusedAsync(Func<Task> action) => await Assert.ThrowsAsync<TrackingException>(action);

    // A remote store prefixes the server's message with the status and URL it came from.
    private static void AssertMessage(string expected, TrackingException error) => Assert.EndsWith(expected, error.Message, StringComparison.Ordinal);

    [SkippableFact]
    public async Task CreateModel_ThenGet_HasTagsDescriptionAndNoVersions()
    {
        SkipIfUnavailable();
        var created = await _registry.CreateRegisteredModelAsync("churn", [new Tag("team", "growth")], "predicts churn", Ct);

        var model = await _registry.GetRegisteredModelAsync("churn", Ct);

        Assert.NotNull(model);
        Assert.Equal((created.Name, created.CreationTimestamp), (model.Name, model.CreationTimestamp));
        Assert.Equal("predicts churn", model.Description);
        Assert.Equal(new Tag("team", "growth"), Assert.Single(model.Tags));
        Assert.Empty(model.LatestVersions);
        Assert.True(model.CreationTimestamp > 0 && model.LastUpdatedTimestamp >= model.CreationTimestamp);
        Assert.Null(await _registry.GetRegisteredModelAsync("CHURN", Ct));
    }

    [SkippableFact]
    public async Task CreateModel_NameTaken_IsAlreadyExists()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("churn", [], null, Ct);

        var error = await RefusedAsync(() => _registry.CreateRegisteredModelAsync("churn", [], null, Ct));

        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
        AssertMessage("Registered Model (name=churn) already exists.", error);
        Assert.Equal(ErrorCode.InvalidParameterValue, (await RefusedAsync(() => _registry.CreateRegisteredModelAsync("", [], null, Ct))).Code);
    }

    [SkippableFact]
    public async Task CreateVersion_NumbersPerModelFromOne_NeverReusingDeletedNumbers()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("a", [], null, Ct);
        await _registry.CreateRegisteredModelAsync("b", [], null, Ct);
        await NewVersionAsync("a");
        await NewVersionAsync("a");
        var third = await NewVersionAsync("a");
        await _registry.DeleteModelVersionAsync("a", 3, Ct);

        var fourth = await NewVersionAsync("a");
        var first = await NewVersionAsync("b");

        Assert.Equal((3L, 4L, 1L), (third.Version, fourth.Version, first.Version));
        Assert.Equal((ModelStages.None, "READY"), (fourth.CurrentStage, fourth.Status));
        Assert.Null(await _registry.GetModelVersionAsync("a", 3, Ct));
        var error = await RefusedAsync(() => _registry.UpdateModelVersionAsync("a", 3, "x", Ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, error.Code);
        AssertMessage("Model Version (name=a, version=3) not found", error);
    }

    [SkippableFact]
    public async Task CreateVersion_UnknownModelOrRelativeSource_IsRefused()
    {
        SkipIfUnavailable();
        var missing = await RefusedAsync(() => NewVersionAsync("nope"));
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        var relative = await RefusedAsync(() => NewVersionAsync("m", "s3://bucket/a/../../etc"));

        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
        AssertMessage("Registered Model with name=nope not found", missing);
        Assert.Equal(ErrorCode.InvalidParameterValue, relative.Code);
    }

    [SkippableFact]
    public async Task ConcurrentRegistrations_EachGetADistinctNumber()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("busy", [], null, Ct);

        var versions = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => NewVersionAsync("busy"))));

        Assert.Equal(Enumerable.Range(1, 8).Select(v => (long)v), versions.Select(v => v.Version).Order());
    }

    [SkippableFact]
    public async Task TransitionStage_ArchivingExisting_MovesOtherProductionVersionsToArchived()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        for (var i = 0; i < 4; i++)
        {
            await NewVersionAsync("m");
        }

        await _registry.TransitionModelVersionStageAsync("m", 1, "production", false, null, Ct);
        await _registry.TransitionModelVersionStageAsync("m", 2, "Production", false, null, Ct);
        await _registry.TransitionModelVersionStageAsync("m", 3, "staging", false, null, Ct);
        var promoted = await _registry.TransitionModelVersionStageAsync("m", 4, "PRODUCTION", archiveExistingVersions: true, null, Ct);

        Assert.Equal(ModelStages.Production, promoted.CurrentStage);
        Assert.Equal(ModelStages.Archived, (await _registry.GetModelVersionAsync("m", 1, Ct))!.CurrentStage);
        Assert.Equal(ModelStages.Archived, (await _registry.GetModelVersionAsync("m", 2, Ct))!.CurrentStage);
        Assert.Equal(ModelStages.Staging, (await _registry.GetModelVersionAsync("m", 3, Ct))!.CurrentStage);
        var latest = await _registry.GetLatestVersionsAsync("m", [], Ct);
        Assert.Equal([(2L, "Archived"), (3L, "Staging"), (4L, "Production")], latest.Select(v => (v.Version, v.CurrentStage)));
        Assert.Equal(4L, Assert.Single(await _registry.GetLatestVersionsAsync("m", ["Production"], Ct)).Version);
        Assert.Equal(latest.Select(v => v.Version), (await _registry.GetRegisteredModelAsync("m", Ct))!.LatestVersions.Select(v => v.Version));
    }

    [SkippableFact]
    public async Task TransitionStage_BadStageOrArchivingFromNone_IsRefused()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");

        var bad = await RefusedAsync(() => _registry.TransitionModelVersionStageAsync("m", 1, "prod", false, null, Ct));
        var archive = await RefusedAsync(() => _registry.TransitionModelVersionStageAsync("m", 1, "None", true, null, Ct));
        var latest = await RefusedAsync(() => _registry.GetLatestVersionsAsync("m", ["Live"], Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, bad.Code);
        AssertMessage("Invalid Model Version stage: prod. Value must be one of None, Staging, Production, Archived.", bad);
        Assert.Equal(ErrorCode.InternalError, archive.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, latest.Code);
    }

    [SkippableFact]
    public async Task Aliases_SetMoveResolveAndVanishWithTheirVersion()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");
        await NewVersionAsync("m");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, null, Ct);
        await _registry.SetRegisteredModelAliasAsync("m", "challenger", 2, null, Ct);
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 2, null, Ct);

        var champion = await _registry.GetModelVersionByAliasAsync("m", "champion", Ct);
        var model = await _registry.GetRegisteredModelAsync("m", Ct);

        Assert.Equal(2, champion.Version);
        Assert.Equal(["challenger", "champion"], champion.Aliases);
        Assert.Equal([new RegisteredModelAlias("challenger", 2), new RegisteredModelAlias("champion", 2)], model!.Aliases);
        Assert.Equal(2, (await _registry.GetModelVersionByAliasAsync("m", "latest", Ct)).Version);

        await _registry.DeleteModelVersionAsync("m", 2, Ct);

        var gone = await RefusedAsync(() => _registry.GetModelVersionByAliasAsync("m", "champion", Ct));
        Assert.Equal(ErrorCode.InvalidParameterValue, gone.Code);
        AssertMessage("Registered model alias champion not found.", gone);
        Assert.Empty((await _registry.GetRegisteredModelAsync("m", Ct))!.Aliases);
        Assert.Equal(1, (await _registry.GetModelVersionByAliasAsync("m", "latest", Ct)).Version);
    }

    [SkippableFact]
    public async Task Aliases_ReservedOrMalformedOrOnMissingVersion_AreRefused()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");

        foreach (var alias in new[] { "latest", "Latest", "v1", "V12", "has space", "" })
        {
            Assert.Equal(ErrorCode.InvalidParameterValue, (await RefusedAsync(() => _registry.SetRegisteredModelAliasAsync("m", alias, 1, null, Ct))).Code);
        }

        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await RefusedAsync(() => _registry.SetRegisteredModelAliasAsync("m", "gold", 9, null, Ct))).Code);
        await _registry.DeleteRegisteredModelAliasAsync("m", "never-set", null, Ct);
    }

    [SkippableFact]
    public async Task Rename_VersionsTagsAndAliasesFollowTheModel()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("old", [new Tag("k", "v")], null, Ct);
        await NewVersionAsync("old", tags: new Tag("vk", "vv"));
        await _registry.SetRegisteredModelAliasAsync("old", "prod", 1, null, Ct);
        await _registry.CreateRegisteredModelAsync("taken", [], null, Ct);

        var clash = await RefusedAsync(() => _registry.RenameRegisteredModelAsync("old", "taken", Ct));
        var renamed = await _registry.RenameRegisteredModelAsync("old", "new", Ct);

        Assert.Equal(ErrorCode.ResourceAlreadyExists, clash.Code);
        Assert.Equal("new", renamed.Name);
        Assert.Equal(new Tag("k", "v"), Assert.Single(renamed.Tags));
        var version = await _registry.GetModelVersionByAliasAsync("new", "prod", Ct);
        Assert.Equal(("new", 1L, new Tag("vk", "vv")), (version.Name, version.Version, Assert.Single(version.Tags)));
        Assert.Null(await _registry.GetRegisteredModelAsync("old", Ct));
        Assert.Null(await _registry.GetModelVersionAsync("old", 1, Ct));
    }

    [SkippableFact]
    public async Task DeleteModel_RemovesEverything_AndTheNameStartsAgainFromOne()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [new Tag("k", "v")], null, Ct);
        await NewVersionAsync("m", tags: new Tag("a", "b"));
        await NewVersionAsync("m");

        await _registry.DeleteRegisteredModelAsync("m", Ct);

        Assert.Null(await _registry.GetRegisteredModelAsync("m", Ct));
        Assert.Empty((await _registry.SearchModelVersionsAsync(new RegistrySearch("name = 'm'"), Ct)).Versions);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await RefusedAsync(() => _registry.DeleteRegisteredModelAsync("m", Ct))).Code);
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        Assert.Equal(1, (await NewVersionAsync("m")).Version);
        Assert.Empty((await _registry.GetRegisteredModelAsync("m", Ct))!.Tags);
    }

    [SkippableFact]
    public async Task Tags_OnModelsAndVersions_UpsertAndDelete()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");

        await _registry.SetRegisteredModelTagAsync("m", new Tag("owner", "ann"), Ct);
        await _registry.SetRegisteredModelTagAsync("m", new Tag("owner", "bob"), Ct);
        await _registry.SetModelVersionTagAsync("m", 1, new Tag("validated", "yes"), Ct);
        await _registry.SetModelVersionTagAsync("m", 1, new Tag("gone", "soon"), Ct);
        await _registry.DeleteModelVersionTagAsync("m", 1, "gone", Ct);
        await _registry.DeleteRegisteredModelTagAsync("m", "absent", Ct);

        Assert.Equal(new Tag("owner", "bob"), Assert.Single((await _registry.GetRegisteredModelAsync("m", Ct))!.Tags));
        Assert.Equal(new Tag("validated", "yes"), Assert.Single((await _registry.GetModelVersionAsync("m", 1, Ct))!.Tags));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await RefusedAsync(() => _registry.SetModelVersionTagAsync("m", 7, new Tag("a", "b"), Ct))).Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, (await RefusedAsync(() => _registry.SetRegisteredModelTagAsync("m", new Tag("bad//key", "x"), Ct))).Code);
    }

    // Unlike run tags, registry tags are not shortened: MLflow refuses a value over 5,000 characters, in these words.
    [SkippableFact]
    public async Task Tags_OnModelsAndVersions_OverFiveThousandCharacters_AreRefused()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");

        await _registry.SetRegisteredModelTagAsync("m", new Tag("fits", new string('x', 5000)), Ct);
        var onModel = await RefusedAsync(() => _registry.SetRegisteredModelTagAsync("m", new Tag("long", new string('x', 5001)), Ct));
        var onVersion = await RefusedAsync(() => _registry.SetModelVersionTagAsync("m", 1, new Tag("long", new string('x', 5001)), Ct));
        var onCreate = await RefusedAsync(() => _registry.CreateRegisteredModelAsync("n", [new Tag("long", new string('x', 5001))], null, Ct));

        Assert.All([onModel, onVersion, onCreate], e =>
        {
            Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
            AssertMessage("'value' exceeds the maximum length of 5000 characters", e);
        });
        Assert.Equal(["fits"], (await _registry.GetRegisteredModelAsync("m", Ct))!.Tags.Select(t => t.Key));
    }

    [SkippableFact]
    public async Task UpdateDescriptions_ChangeModelAndVersion()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], "first", Ct);
        await NewVersionAsync("m");

        var model = await _registry.UpdateRegisteredModelAsync("m", "second", Ct);
        var version = await _registry.UpdateModelVersionAsync("m", 1, "checked", Ct);

        Assert.Equal(("second", "checked"), (model.Description, version.Description));
        Assert.Equal("checked", (await _registry.GetModelVersionAsync("m", 1, Ct))!.Description);
    }

    [SkippableFact]
    public async Task SearchModels_FiltersOnNameAndTags_OrdersAndPages()
    {
        SkipIfUnavailable();
        foreach (var (name, team) in new[] { ("churn-a", "growth"), ("churn-b", "risk"), ("Churn-c", "growth"), ("fraud", "risk") })
        {
            await _registry.CreateRegisteredModelAsync(name, [new Tag("team", team)], null, Ct);
        }

        async Task<string[]> NamesAsync(string? filter, params string[] orderBy) =>
            (await _registry.SearchRegisteredModelsAsync(new RegistrySearch(filter, orderBy), Ct)).Models.Select(m => m.Name).ToArray();

        Assert.Equal(["churn-a", "churn-b"], await NamesAsync("name LIKE 'churn%'"));
        Assert.Equal(["Churn-c", "churn-a", "churn-b"], await NamesAsync("name ILIKE 'churn%'"));
        Assert.Equal(["churn-a"], await NamesAsync("name LIKE 'churn%' AND tags.team = 'growth'"));
        Assert.Equal(["fraud"], await NamesAsync("name = 'fraud'"));
        Assert.Equal(["fraud", "churn-b"], await NamesAsync("tags.team != 'growth'", "name DESC"));
        var first = await _registry.SearchRegisteredModelsAsync(new RegistrySearch(MaxResults: 3), Ct);
        var second = await _registry.SearchRegisteredModelsAsync(new RegistrySearch(MaxResults: 3, PageToken: first.NextPageToken), Ct);
        Assert.Equal(["Churn-c", "churn-a", "churn-b", "fraud"], first.Models.Concat(second.Models).Select(m => m.Name));
        Assert.Null(second.NextPageToken);
    }

    [SkippableFact]
    public async Task SearchRegistry_ILikeOnNonAsciiNames_FoldsCaseOnEveryStore()
    {
        SkipIfUnavailable();
        foreach (var name in new[] { "Modèle-Ä", "modèle-ä", "modele-a" })
        {
            await _registry.CreateRegisteredModelAsync(name, [new Tag("équipe", name.ToUpperInvariant())], null, Ct);
            await NewVersionAsync(name);
        }

        async Task<string[]> ModelsAsync(string filter) =>
            (await _registry.SearchRegisteredModelsAsync(new RegistrySearch(filter, ["name"]), Ct)).Models.Select(m => m.Name).ToArray();
        async Task<string[]> VersionsAsync(string filter) =>
            (await _registry.SearchModelVersionsAsync(new RegistrySearch(filter, ["name"]), Ct)).Versions.Select(v => v.Name).ToArray();

        Assert.Equal(["Modèle-Ä", "modèle-ä"], await ModelsAsync("name ILIKE 'MODÈLE-ä'"));
        Assert.Equal(["Modèle-Ä", "modèle-ä"], await VersionsAsync("name ILIKE 'modÈle%'"));
        Assert.Equal(["Modèle-Ä", "modèle-ä"], await ModelsAsync("tags.`équipe` ILIKE 'modèle-ä'"));
        Assert.Equal(["modèle-ä"], await ModelsAsync("name LIKE 'modèle%'"));
    }

    [SkippableFact]
    public async Task SearchRegistry_BackslashInLikePattern_EscapesTheNextCharacterOnEveryStore()
    {
        SkipIfUnavailable();
        foreach (var name in new[] { "churn_v1", "churnxv1", "churn%2", @"churn\3" })
        {
            await _registry.CreateRegisteredModelAsync(name, [new Tag("path", name)], null, Ct);
            await NewVersionAsync(name, "s3://bucket/" + name, null, new Tag("path", name));
        }

        async Task<string[]> ModelsAsync(string filter) =>
            (await _registry.SearchRegisteredModelsAsync(new RegistrySearch(filter), Ct)).Models.Select(m => m.Name).ToArray();
        async Task<string[]> VersionsAsync(string filter) =>
            (await _registry.SearchModelVersionsAsync(new RegistrySearch(filter, ["name"]), Ct)).Versions.Select(v => v.Name).ToArray();

        Assert.Equal(["churn_v1", "churnxv1"], await ModelsAsync("name LIKE 'churn_v1'"));
        Assert.Equal(["churn_v1"], await ModelsAsync(@"name LIKE 'churn\_%'"));
        Assert.Equal(["churn%2"], await ModelsAsync(@"tags.path ILIKE 'CHURN\%%'"));
        Assert.Equal([@"churn\3"], await ModelsAsync(@"name LIKE '%\\%'"));
        Assert.Equal(["churn_v1"], await VersionsAsync(@"name LIKE 'churn\_v1'"));
        Assert.Equal(["churn%2"], await VersionsAsync(@"source_path LIKE '%\%2'"));
        Assert.Equal([@"churn\3"], await VersionsAsync(@"tags.path ILIKE '%\\3'"));
        var lone = await RefusedAsync(() => ModelsAsync(@"name LIKE 'churn\'"));
        Assert.Equal(ErrorCode.InvalidParameterValue, lone.Code);
    }

    [SkippableFact]
    public async Task SearchModels_BadFilterOrPageSize_IsInvalidParameter()
    {
        SkipIfUnavailable();
        var filter = await RefusedAsync(() => _registry.SearchRegisteredModelsAsync(new RegistrySearch("run_id = 'x'"), Ct));
        var size = await RefusedAsync(() => _registry.SearchRegisteredModelsAsync(new RegistrySearch(MaxResults: 1001), Ct));
        var order = await RefusedAsync(() => _registry.SearchRegisteredModelsAsync(new RegistrySearch(OrderBy: ["metrics.acc"]), Ct));

        Assert.Contains("Invalid attribute key 'run_id'", filter.Message, StringComparison.Ordinal);
        Assert.Contains("at position 0", filter.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorCode.InvalidParameterValue, ErrorCode.InvalidParameterValue), (size.Code, order.Code));
    }

    [SkippableFact]
    public async Task SearchVersions_FiltersOnAttributesAndTags_SkippingDeletedOnes()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await _registry.CreateRegisteredModelAsync("n", [], null, Ct);
        await NewVersionAsync("m", "s3://b/run1/model", "run1", new Tag("data", "v1"));
        await NewVersionAsync("m", "s3://b/run2/model", "run2", new Tag("data", "v2"));
        await NewVersionAsync("m", "s3://b/run3/model", "run3");
        await NewVersionAsync("n", "s3://b/run2/other", "run2");
        await _registry.DeleteModelVersionAsync("m", 3, Ct);

        async Task<(string, long)[]> FoundAsync(string filter, params string[] orderBy) =>
            (await _registry.SearchModelVersionsAsync(new RegistrySearch(filter, orderBy, 1000), Ct)).Versions.Select(v => (v.Name, v.Version)).ToArray();

        Assert.Equal([("m", 1L), ("m", 2L)], await FoundAsync("name = 'm'", "version_number ASC"));
        Assert.Equal([("m", 2L), ("n", 1L)], await FoundAsync("run_id = 'run2'", "name"));
        Assert.Equal([("m", 1L)], await FoundAsync("run_id IN ('run1', 'nope')"));
        Assert.Equal([("m", 2L)], await FoundAsync("name = 'm' AND version_number > 1"));
        Assert.Equal([("m", 2L)], await FoundAsync("tags.data = 'v2'"));
        Assert.Equal([("n", 1L)], await FoundAsync("source_path LIKE '%/other'"));
        Assert.Empty(await FoundAsync("run_id = 'run3'"));
    }

    [SkippableFact]
    public async Task SearchVersions_DefaultOrderIsMostRecentlyChangedFirst_AndPagesAreStable()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        for (var i = 0; i < 5; i++)
        {
            await NewVersionAsync("m");
        }

        var seen = new List<long>();
        string? token = null;
        do
        {
            var page = await _registry.SearchModelVersionsAsync(new RegistrySearch("name = 'm'", MaxResults: 2, PageToken: token), Ct);
            seen.AddRange(page.Versions.Select(v => v.Version));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal([5L, 4L, 3L, 2L, 1L], seen);
        var bad = await RefusedAsync(() => _registry.SearchModelVersionsAsync(new RegistrySearch("version_number = 'one'"), Ct));
        Assert.Contains("Expected numeric value type", bad.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task DownloadUri_ResolvesRunsAndModelsSources()
    {
        SkipIfUnavailable();
        var run = await _store.CreateRunAsync(new CreateRunRequest("0", "train", "alice", 1000, []), Ct);
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await _registry.CreateRegisteredModelAsync("copy", [], null, Ct);
        var fromRun = await NewVersionAsync("m", ModelUris.Runs(run.RunId, "model"), run.RunId);
        await NewVersionAsync("m", "s3://bucket/elsewhere");
        await NewVersionAsync("copy", "models:/m/1");

        Assert.Equal($"runs:/{run.RunId}/model", fromRun.Source);
        Assert.Equal(run.ArtifactUri + "/model", await _registry.GetModelVersionDownloadUriAsync("m", 1, Ct));
        Assert.Equal("s3://bucket/elsewhere", await _registry.GetModelVersionDownloadUriAsync("m", 2, Ct));
        Assert.Equal(run.ArtifactUri + "/model", await _registry.GetModelVersionDownloadUriAsync("copy", 1, Ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await RefusedAsync(() => _registry.GetModelVersionDownloadUriAsync("m", 9, Ct))).Code);
    }

    [SkippableFact]
    public async Task DownloadUri_AliasSource_IsTheAliasedVersionsLocationWhenRegistered()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await _registry.CreateRegisteredModelAsync("served", [], null, Ct);
        await NewVersionAsync("m", "s3://bucket/one");
        await NewVersionAsync("m", "s3://bucket/two");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, null, Ct);

        var champion = await NewVersionAsync("served", "models:/m@champion");
        var latest = await NewVersionAsync("served", "models:/m@latest");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 2, null, Ct);
        var missing = await RefusedAsync(() => NewVersionAsync("served", "models:/m@nobody"));

        Assert.Equal("models:/m@champion", champion.Source);
        // The alias moved afterwards; the registered files did not.
        Assert.Equal("s3://bucket/one", await _registry.GetModelVersionDownloadUriAsync("served", 1, Ct));
        Assert.Equal("s3://bucket/two", await _registry.GetModelVersionDownloadUriAsync("served", latest.Version, Ct));
        AssertMessage("Registered model alias nobody not found.", missing);
    }
}
