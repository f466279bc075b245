using Fathom.Tracking;

namespace Fathom.Testing;

public abstract partial class ModelRegistryCompliance
{
    /// <summary>
    /// Whether the store records the actor its caller names; a REST client's server records its signed-in user
    /// instead (none without auth), so that a client cannot claim to be someone else.
    /// </summary>
    protected virtual bool RecordsCallerActor => true;

    private string? ExpectedActor(string actor) => RecordsCallerActor ? actor : null;

    [SkippableFact]
    public async Task AliasHistory_SetMoveDeleteAndStage_RecordsEveryMoveNewestFirst()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");
        await NewVersionAsync("m");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, "alice", Ct);
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, "alice", Ct); // no move: not recorded
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 2, "bob", Ct);
        await _registry.SetRegisteredModelAliasAsync("m", "challenger", 1, "bob", Ct);
        await _registry.DeleteRegisteredModelAliasAsync("m", "challenger", "carol", Ct);
        await _registry.TransitionModelVersionStageAsync("m", 1, "Production", false, "dave", Ct);
        await _registry.TransitionModelVersionStageAsync("m", 2, "production", true, "dave", Ct);

        var all = await _registry.GetAliasHistoryAsync("m", null, Ct);
        var champion = await _registry.GetAliasHistoryAsync("m", "champion", Ct);

        Assert.Equal(
            [("stage", "Production", "transition", (long?)1, (long?)2), ("stage", "Production", "transition", null, 1),
             ("alias", "challenger", "delete", 1, null), ("alias", "challenger", "set", null, 1),
             ("alias", "champion", "set", 1, 2), ("alias", "champion", "set", null, 1)],
            all.Select(e => (e.Kind, e.Target, e.Action, e.FromVersion, e.ToVersion)).ToList());
        Assert.Equal([ExpectedActor("dave"), ExpectedActor("dave"), ExpectedActor("carol"), ExpectedActor("bob"), ExpectedActor("bob"), ExpectedActor("alice")], all.Select(e => e.User).ToList());
        Assert.All(all, e => Assert.True(e.Timestamp > 0));
        Assert.Equal([2L, 1L], champion.Select(e => e.ToVersion!.Value).ToList());
    }

    [SkippableFact]
    public async Task Rollback_AfterAMove_PointsBackAndIsRecorded_ASecondRollbackUndoesIt()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");
        await NewVersionAsync("m");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, "alice", Ct);
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 2, "alice", Ct);

        var back = await _registry.RollbackRegisteredModelAliasAsync("m", "champion", "bob", Ct);
        var afterFirst = (await _registry.GetModelVersionByAliasAsync("m", "champion", Ct)).Version;
        await _registry.RollbackRegisteredModelAliasAsync("m", "champion", "bob", Ct);
        var afterSecond = (await _registry.GetModelVersionByAliasAsync("m", "champion", Ct)).Version;

        Assert.Equal(("rollback", (long?)2, (long?)1, ExpectedActor("bob")), (back.Action, back.FromVersion, back.ToVersion, back.User));
        Assert.Equal(1, afterFirst);
        Assert.Equal(2, afterSecond);
        Assert.Equal(4, (await _registry.GetAliasHistoryAsync("m", "champion", Ct)).Count);
    }

    [SkippableFact]
    public async Task Rollback_WithoutAnEarlierVersion_IsRefusedAndChangesNothing()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("m", [], null, Ct);
        await NewVersionAsync("m");
        await _registry.SetRegisteredModelAliasAsync("m", "champion", 1, "alice", Ct);

        var first = await RefusedAsync(() => _registry.RollbackRegisteredModelAliasAsync("m", "champion", "bob", Ct));
        var never = await RefusedAsync(() => _registry.RollbackRegisteredModelAliasAsync("m", "never-set", "bob", Ct));
        var unknown = await RefusedAsync(() => _registry.GetAliasHistoryAsync("nope", null, Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, first.Code);
        AssertMessage("Alias 'champion' of model 'm' pointed at no version before its last move; there is nothing to roll back to.", first);
        AssertMessage("Alias 'never-set' of model 'm' has no recorded moves; there is nothing to roll back to.", never);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, unknown.Code);
        Assert.Single(await _registry.GetAliasHistoryAsync("m", null, Ct));
        Assert.Equal(1, (await _registry.GetModelVersionByAliasAsync("m", "champion", Ct)).Version);
    }

    [SkippableFact]
    public async Task AliasHistory_FollowsARenameAndGoesWithTheModel()
    {
        SkipIfUnavailable();
        await _registry.CreateRegisteredModelAsync("old", [], null, Ct);
        await NewVersionAsync("old");
        await _registry.SetRegisteredModelAliasAsync("old", "champion", 1, "alice", Ct);
        await _registry.RenameRegisteredModelAsync("old", "new", Ct);

        var renamed = await _registry.GetAliasHistoryAsync("new", "champion", Ct);
        await _registry.DeleteRegisteredModelAsync("new", Ct);
        await _registry.CreateRegisteredModelAsync("new", [], null, Ct);

        Assert.Equal("new", Assert.Single(renamed).Name);
        Assert.Empty(await _registry.GetAliasHistoryAsync("new", null, Ct));
    }
}
