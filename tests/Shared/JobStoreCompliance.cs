using Fathom.Jobs;
using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// The job store's contract, run once per backend (SQLite, PostgreSQL): projects, the run lifecycle and its history,
/// lookups by uuid prefix, listing and deletion. A subclass supplies a fresh, empty store per test.
/// </summary>
public abstract class JobStoreCompliance : IAsyncLifetime
{
    private IJobStore _store = null!;

    private static CancellationToken Ct => CancellationToken.None;

    protected virtual string? Unavailable => null;

    internal abstract Task<IJobStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        if (Unavailable is null)
        {
            _store = await CreateStoreAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private void SkipIfUnavailable() => Skip.If(Unavailable is not null, Unavailable);

    private static JobRunRecord Run(string uuid, string project = "imdb", long created = 1000) =>
        new(uuid, project, "process-data", "job", JobStatus.Created, "local", "process-data.yml", "{\"A\": 1}", "{}", created, created, null, null, null, "/logs/" + uuid, null, 1, null);

    [SkippableFact]
    public async Task Projects_CreateListGet_NameTakenIsAlreadyExists()
    {
        SkipIfUnavailable();
        await _store.CreateProjectAsync("imdb", "reviews", null, Ct);
        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.CreateProjectAsync("imdb", null, null, Ct));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<TrackingException>(() => _store.CreateProjectAsync("../x", null, null, Ct))).Code);
        await _store.CreateRunAsync(Run("a1b2c3d4e5f60718293a4b5c6d7e8f90", project: "other"), Ct);
        var projects = await _store.ListProjectsAsync(Ct);
        Assert.Equal(["imdb", "other"], projects.Select(p => p.Name));
        Assert.Equal(("reviews", 0L), (projects[0].Description, projects[0].Runs));
        Assert.Equal(1, (await _store.GetProjectAsync("other", Ct))!.Runs);
        Assert.Null(await _store.GetProjectAsync("missing", Ct));
    }

    [SkippableFact]
    public async Task Lifecycle_ForwardMovesRecordedWithTimes_FinalStatusIsFinal()
    {
        SkipIfUnavailable();
        const string uuid = "00112233445566778899aabbccddeeff";
        await _store.CreateRunAsync(Run(uuid), Ct);
        foreach (var status in new[] { JobStatus.Queued, JobStatus.Scheduled, JobStatus.Starting, JobStatus.Running })
        {
            Assert.True(await _store.SetStatusAsync(uuid, status, null, null, Ct));
        }

        var running = (await _store.GetRunAsync(uuid, Ct))!;
        Assert.Equal(JobStatus.Running, running.Status);
        Assert.NotNull(running.StartedAt);
        Assert.Null(running.FinishedAt);
        Assert.False(await _store.SetStatusAsync(uuid, JobStatus.Queued, null, null, Ct));
        Assert.True(await _store.SetStatusAsync(uuid, JobStatus.Succeeded, "exit code 0", 0, Ct));
        Assert.False(await _store.SetStatusAsync(uuid, JobStatus.Failed, null, 1, Ct));
        var done = (await _store.GetRunAsync(uuid[..8], Ct))!;
        Assert.Equal((JobStatus.Succeeded, 0, "exit code 0"), (done.Status, done.ExitCode, done.Message));
        Assert.NotNull(done.FinishedAt);
        Assert.Equal(running.StartedAt, done.StartedAt);
        Assert.Equal(
            [JobStatus.Created, JobStatus.Queued, JobStatus.Scheduled, JobStatus.Starting, JobStatus.Running, JobStatus.Succeeded],
            (await _store.StatusesAsync(uuid, Ct)).Select(s => s.Status));
    }

    [SkippableFact]
    public async Task DagChildren_LinkedToTheirParentOldestFirst_OutputsKept()
    {
        SkipIfUnavailable();
        const string dag = "d0000000000000000000000000000000";
        await _store.CreateRunAsync(Run(dag) with { Kind = "dag" }, Ct);
        await _store.CreateRunAsync(Run("c2000000000000000000000000000000", created: 2000) with { ParentUuid = dag }, Ct);
        await _store.CreateRunAsync(Run("c1000000000000000000000000000000", created: 1500) with { ParentUuid = dag }, Ct);
        await _store.CreateRunAsync(Run("e0000000000000000000000000000000", created: 3000), Ct);

        await _store.SetOutputsAsync("c1000000000000000000000000000000", "{\"answer\": 42}", Ct);

        var children = await _store.ChildrenAsync(dag, Ct);
        Assert.Equal(["c1000000000000000000000000000000", "c2000000000000000000000000000000"], children.Select(c => c.Uuid));
        Assert.All(children, c => Assert.Equal(dag, c.ParentUuid));
        Assert.Equal("{\"answer\": 42}", children[0].OutputsJson);
        Assert.Null(children[1].OutputsJson);
        Assert.Null((await _store.GetRunAsync(dag, Ct))!.ParentUuid);
        Assert.Empty(await _store.ChildrenAsync("e0000000000000000000000000000000", Ct));
    }

    [SkippableFact]
    public async Task Retry_NextAttemptAfterRetrying()
    {
        SkipIfUnavailable();
        const string uuid = "ffeeddccbbaa99887766554433221100";
        await _store.CreateRunAsync(Run(uuid), Ct);
        await _store.SetStatusAsync(uuid, JobStatus.Running, null, null, Ct);
        Assert.True(await _store.SetStatusAsync(uuid, JobStatus.Retrying, "exit code 1", 1, Ct));
        await _store.NextAttemptAsync(uuid, Ct);
        Assert.True(await _store.SetStatusAsync(uuid, JobStatus.Starting, null, null, Ct));
        Assert.True(await _store.SetStatusAsync(uuid, JobStatus.Running, null, null, Ct));
        Assert.True(await _store.SetStatusAsync(uuid, JobStatus.Failed, "exit code 2", 2, Ct));
        var run = (await _store.GetRunAsync(uuid, Ct))!;
        Assert.Equal((2, 2, JobStatus.Failed), (run.Attempt, run.ExitCode, run.Status));
    }

    [SkippableFact]
    public async Task List_NewestFirstByProject_PrefixLookupAndDelete()
    {
        SkipIfUnavailable();
        await _store.CreateRunAsync(Run("aaaa0000000000000000000000000001", created: 1), Ct);
        await _store.CreateRunAsync(Run("aaaa0000000000000000000000000002", created: 2), Ct);
        await _store.CreateRunAsync(Run("bbbb0000000000000000000000000003", project: "other", created: 3), Ct);
        Assert.Equal(["bbbb0000000000000000000000000003", "aaaa0000000000000000000000000002", "aaaa0000000000000000000000000001"], (await _store.ListRunsAsync(null, 10, Ct)).Select(r => r.Uuid));
        Assert.Equal(["aaaa0000000000000000000000000002"], (await _store.ListRunsAsync("imdb", 1, Ct)).Select(r => r.Uuid));
        Assert.Equal("bbbb0000000000000000000000000003", (await _store.GetRunAsync("bbbb", Ct))!.Uuid);
        Assert.Equal(ErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<TrackingException>(() => _store.GetRunAsync("aaaa", Ct))).Code);
        Assert.Null(await _store.GetRunAsync("abc", Ct));
        Assert.True(await _store.DeleteRunAsync("bbbb0000000000000000000000000003", Ct));
        Assert.False(await _store.DeleteRunAsync("bbbb0000000000000000000000000003", Ct));
        Assert.Empty(await _store.StatusesAsync("bbbb0000000000000000000000000003", Ct));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<TrackingException>(() => _store.SetStatusAsync("cccc0000000000000000000000000000", JobStatus.Running, null, null, Ct))).Code);
    }
}
