using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>Traces (MLflow's tracing API, v2), the same on every store: SQLite, PostgreSQL and the REST client.</summary>
public abstract partial class TrackingStoreCompliance
{
    private ITraceStore Traces
    {
        get
        {
            SkipIfUnavailable();
            return Assert.IsAssignableFrom<ITraceStore>(Store);
        }
    }

    private async Task<TraceInfo> StartAsync(long timestamp, string experiment = "0", IReadOnlyList<Tag>? tags = null, IReadOnlyList<Tag>? metadata = null) =>
        await Traces.StartTraceAsync(experiment, timestamp, metadata ?? [], tags ?? [], Ct);

    private async Task<string[]> SearchAsync(string? filter = null, IReadOnlyList<string>? orderBy = null, string experiment = "0") =>
        [.. (await Traces.SearchTracesAsync(new TraceSearch([experiment], filter, OrderBy: orderBy), Ct)).Traces.Select(t => t.RequestId)];

    [SkippableFact]
    public async Task StartTrace_IsInProgress_WithItsDataLocationBelowTheExperiment()
    {
        var traces = Traces;
        var started = await traces.StartTraceAsync("0", 1_700_000_000_000, [new Tag("mlflow.traceInputs", "{\"q\": 1}")], [new Tag("mlflow.traceName", "predict")], Ct);
        var read = await traces.GetTraceInfoAsync(started.RequestId, Ct);
        var experiment = await Store.GetExperimentAsync("0", Ct);

        Assert.Matches("^[0-9a-f]{32}$", started.RequestId);
        Assert.Equal(("0", 1_700_000_000_000L, (long?)null, TraceStatus.InProgress), (started.ExperimentId, started.TimestampMs, started.ExecutionTimeMs, started.Status));
        Assert.Equal([new Tag("mlflow.traceInputs", "{\"q\": 1}")], started.RequestMetadata);
        Assert.Equal(
            [new Tag(TraceTags.ArtifactLocation, $"{experiment!.ArtifactLocation}/traces/{started.RequestId}/artifacts"), new Tag("mlflow.traceName", "predict")],
            started.Tags);
        Assert.NotNull(read);
        Assert.Equal(started, read with { RequestMetadata = started.RequestMetadata, Tags = started.Tags });
        Assert.Equal(started.Tags, read.Tags);
        Assert.Null(await traces.GetTraceInfoAsync("0123456789abcdef0123456789abcdef", Ct));
    }

    [SkippableFact]
    public async Task EndTrace_SetsDurationAndStatus_AndMergesMetadataAndTags()
    {
        var traces = Traces;
        var started = await StartAsync(1000, tags: [new Tag("stage", "start")], metadata: [new Tag("kept", "1"), new Tag("replaced", "old")]);

        var ended = await traces.EndTraceAsync(started.RequestId, 1250, TraceStatus.Ok, [new Tag("replaced", "new")], [new Tag("stage", "end"), new Tag("extra", "x")], Ct);

        Assert.Equal((250L, TraceStatus.Ok), (ended.ExecutionTimeMs!.Value, ended.Status));
        Assert.Equal([new Tag("kept", "1"), new Tag("replaced", "new")], ended.RequestMetadata);
        Assert.Equal(["extra", TraceTags.ArtifactLocation, "stage"], ended.Tags.Select(t => t.Key));
        Assert.Equal("end", ended.Tags.Single(t => t.Key == "stage").Value);
        var read = await traces.GetTraceInfoAsync(started.RequestId, Ct);
        Assert.NotNull(read);
        Assert.Equal(ended, read with { RequestMetadata = ended.RequestMetadata, Tags = ended.Tags });
    }

    [SkippableFact]
    public async Task StartAndEndTrace_UnknownOrDeletedExperimentOrTrace_AreRefusedInMlflowsWords()
    {
        var traces = Traces;
        var deleted = await Store.CreateExperimentAsync("gone", null, [], Ct);
        await Store.DeleteExperimentAsync(deleted, Ct);

        var noExperiment = await Assert.ThrowsAsync<TrackingException>(() => traces.StartTraceAsync("424242", 1, [], [], Ct));
        var inDeleted = await Assert.ThrowsAsync<TrackingException>(() => traces.StartTraceAsync(deleted, 1, [], [], Ct));
        var noTrace = await Assert.ThrowsAsync<TrackingException>(() => traces.EndTraceAsync("0123456789abcdef0123456789abcdef", 2, TraceStatus.Ok, [], [], Ct));

        // MLflow's words, on every backend (the REST store says where it heard them first).
        Assert.Equal(ErrorCode.ResourceDoesNotExist, noExperiment.Code);
        Assert.EndsWith("No Experiment with id=424242 exists", noExperiment.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidParameterValue, inDeleted.Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, noTrace.Code);
        Assert.EndsWith("Trace with request_id '0123456789abcdef0123456789abcdef' not found.", noTrace.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TraceTags_SetUpsertsAndShortensLongValues_DeleteOfAnAbsentTagIsNotFound()
    {
        var traces = Traces;
        var trace = await StartAsync(1);

        await traces.SetTraceTagAsync(trace.RequestId, new Tag("topic", "a"), Ct);
        await traces.SetTraceTagAsync(trace.RequestId, new Tag("topic", "b"), Ct);
        await traces.SetTraceTagAsync(trace.RequestId, new Tag("long", new string('x', 8100)), Ct);
        await traces.DeleteTraceTagAsync(trace.RequestId, "long", Ct);
        var tags = (await traces.GetTraceInfoAsync(trace.RequestId, Ct))!.Tags;
        await traces.SetTraceTagAsync(trace.RequestId, new Tag("long", new string('x', 8100)), Ct);
        var longValue = (await traces.GetTraceInfoAsync(trace.RequestId, Ct))!.Tags.Single(t => t.Key == "long").Value;
        var absent = await Assert.ThrowsAsync<TrackingException>(() => traces.DeleteTraceTagAsync(trace.RequestId, "nope", Ct));
        var noTrace = await Assert.ThrowsAsync<TrackingException>(() => traces.SetTraceTagAsync("0123456789abcdef0123456789abcdef", new Tag("k", "v"), Ct));
        var badKey = await Assert.ThrowsAsync<TrackingException>(() => traces.SetTraceTagAsync(trace.RequestId, new Tag("../up", "v"), Ct));
        var moved = await Assert.ThrowsAsync<TrackingException>(() => traces.SetTraceTagAsync(trace.RequestId, new Tag(TraceTags.ArtifactLocation, "file:///etc"), Ct));
        var unset = await Assert.ThrowsAsync<TrackingException>(() => traces.DeleteTraceTagAsync(trace.RequestId, TraceTags.ArtifactLocation, Ct));
        var ended = await traces.EndTraceAsync(trace.RequestId, 2, TraceStatus.Ok, [], [new Tag(TraceTags.ArtifactLocation, "file:///etc")], Ct);

        Assert.Equal([TraceTags.ArtifactLocation, "topic"], tags.Select(t => t.Key));
        Assert.Equal("b", tags[1].Value);
        Assert.Equal(8000, longValue.Length);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, absent.Code);
        Assert.EndsWith($"No trace tag with key 'nope' for trace with request_id '{trace.RequestId}'", absent.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, noTrace.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, badKey.Code);
        // The data location is the store's: the server reads the spans from there.
        Assert.Equal((ErrorCode.InvalidParameterValue, ErrorCode.InvalidParameterValue), (moved.Code, unset.Code));
        Assert.Equal(trace.Tags.Single(t => t.Key == TraceTags.ArtifactLocation), ended.Tags.Single(t => t.Key == TraceTags.ArtifactLocation));
    }

    [SkippableFact]
    public async Task SearchTraces_FiltersOnAttributesTagsAndMetadata_NewestFirstByDefault()
    {
        var traces = Traces;
        var other = await Store.CreateExperimentAsync("other-traces", null, [], Ct);
        var a = await StartAsync(1000, tags: [new Tag("mlflow.traceName", "chat"), new Tag("topic", "x")], metadata: [new Tag("mlflow.sourceRun", "run-1")]);
        var b = await StartAsync(2000, tags: [new Tag("mlflow.traceName", "embed"), new Tag("topic", "y")]);
        var c = await StartAsync(3000, tags: [new Tag("topic", "x")]);
        await StartAsync(4000, other);
        await traces.EndTraceAsync(a.RequestId, 1500, TraceStatus.Ok, [], [], Ct);
        await traces.EndTraceAsync(b.RequestId, 2100, TraceStatus.Error, [], [], Ct);

        Assert.Equal([c.RequestId, b.RequestId, a.RequestId], await SearchAsync());
        Assert.Equal([b.RequestId], await SearchAsync("trace.status = 'ERROR'"));
        Assert.Equal([b.RequestId, a.RequestId], await SearchAsync("status IN ('OK', 'ERROR')"));
        Assert.Equal([c.RequestId], await SearchAsync("attributes.status != 'OK' AND tags.topic = 'x'"));
        Assert.Equal([a.RequestId], await SearchAsync("execution_time_ms > 300"));
        Assert.Equal([c.RequestId, b.RequestId], await SearchAsync("timestamp > 1000"));
        Assert.Equal([b.RequestId], await SearchAsync("name = 'embed'"));
        Assert.Equal([a.RequestId], await SearchAsync("run_id = 'run-1'"));
        Assert.Equal([a.RequestId], await SearchAsync("metadata.`mlflow.sourceRun` = 'run-1'"));
        Assert.Equal([a.RequestId, b.RequestId, c.RequestId], await SearchAsync(orderBy: ["timestamp_ms ASC"]));
        // Missing values last, whatever the direction.
        Assert.Equal([a.RequestId, b.RequestId, c.RequestId], await SearchAsync(orderBy: ["execution_time DESC"]));
        Assert.Equal([b.RequestId, a.RequestId, c.RequestId], await SearchAsync(orderBy: ["execution_time_ms ASC"]));
        Assert.Equal([a.RequestId, b.RequestId, c.RequestId], await SearchAsync(orderBy: ["name ASC"]));
        Assert.Equal([b.RequestId, c.RequestId, a.RequestId], await SearchAsync(orderBy: ["tags.topic DESC", "timestamp_ms DESC"]));
    }

    [SkippableFact]
    public async Task SearchTraces_PagesAndRefusals_AsMlflowsServer()
    {
        var traces = Traces;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await StartAsync(100 + i)).RequestId);
        }

        var first = await traces.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 2), Ct);
        var second = await traces.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 2, PageToken: first.NextPageToken), Ct);
        var last = await traces.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 2, PageToken: second.NextPageToken), Ct);
        var like = await Assert.ThrowsAsync<TrackingException>(() => traces.SearchTracesAsync(new TraceSearch(["0"], "tags.topic LIKE 'x%'"), Ct));
        var unknown = await Assert.ThrowsAsync<TrackingException>(() => traces.SearchTracesAsync(new TraceSearch(["0"], "metrics.loss > 1"), Ct));
        var tooMany = await Assert.ThrowsAsync<TrackingException>(() => traces.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 501), Ct));

        Assert.Equal(Enumerable.Reverse(ids), first.Traces.Concat(second.Traces).Concat(last.Traces).Select(t => t.RequestId));
        Assert.Null(last.NextPageToken);
        Assert.Equal(ErrorCode.InvalidParameterValue, like.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, unknown.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, tooMany.Code);
    }

    [SkippableFact]
    public async Task DeleteTraces_ByIdsOrOldestFirstUpToATime_OnlyInTheExperimentNamed()
    {
        var traces = Traces;
        var other = await Store.CreateExperimentAsync("other-deletes", null, [], Ct);
        var old1 = await StartAsync(10, tags: [new Tag("t", "v")], metadata: [new Tag("m", "v")]);
        var old2 = await StartAsync(20);
        var old3 = await StartAsync(30);
        var recent = await StartAsync(1000);
        var elsewhere = await StartAsync(5, other);

        var byIds = await traces.DeleteTracesAsync(new TraceDeletion("0", null, null, [old1.RequestId, elsewhere.RequestId]), Ct);
        var byTime = await traces.DeleteTracesAsync(new TraceDeletion("0", 100, 1, []), Ct);

        Assert.Equal((1, 1), (byIds, byTime));
        Assert.Null(await traces.GetTraceInfoAsync(old1.RequestId, Ct));
        Assert.Null(await traces.GetTraceInfoAsync(old2.RequestId, Ct));
        Assert.Equal([recent.RequestId, old3.RequestId], await SearchAsync());
        Assert.NotNull(await traces.GetTraceInfoAsync(elsewhere.RequestId, Ct));
    }
}
