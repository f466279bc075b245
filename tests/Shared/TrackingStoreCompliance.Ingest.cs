using Fathom.Tracking;

namespace Fathom.Testing;

/// <summary>
/// The log-batch write path under the shapes the stores optimise for: batches not a multiple of the insert chunk,
/// awkward doubles that must come back bit for bit, duplicates inside one batch, and concurrent writers.
/// </summary>
public abstract partial class TrackingStoreCompliance
{
    [SkippableFact]
    public async Task LogBatch_AwkwardDoubles_RoundTripBitForBit()
    {
        SkipIfUnavailable();
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "doubles", "alice", 1, []), Ct);
        double[] awkward = [0.1, 1.0 / 3, 5e-324, 2.2250738585072014E-308, 1e300, -123456789.123456789, 9007199254740993, 0.30000000000000004, double.MinValue];
        var random = new Random(7);
        // 999 points, as many as MLflow allows less one: whole insert chunks plus a remainder, and bit patterns drawn at random.
        var values = awkward.Concat(Enumerable.Range(0, 999 - awkward.Length).Select(_ => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)))).ToList();
        var points = values.Select((v, i) => new Metric("x", v, 1000 + i, i)).ToList();

        await Store.LogBatchAsync(run.RunId, points, [], [], Ct);
        await Store.LogBatchAsync(run.RunId, points.Take(100).ToList(), [], [], Ct); // exact duplicates: ignored

        var history = await Store.GetMetricHistoryAsync(run.RunId, "x", Ct);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), history.Select(m => BitConverter.DoubleToInt64Bits(m.Value)));
        Assert.Equal(new Metric("x", values[^1], 1000 + values.Count - 1, values.Count - 1), (await Store.GetRunAsync(run.RunId, Ct))!.Metrics.Single());
    }

    [SkippableFact]
    public async Task LogBatch_OverMlflowsLimits_IsRefusedAndWritesNothing()
    {
        SkipIfUnavailable();
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "limits", "alice", 1, []), Ct);
        List<Metric> Points(int count) => [.. Enumerable.Range(0, count).Select(i => new Metric("m", i, 1000 + i, i))];

        var metrics = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run.RunId, Points(1001), [], [], Ct));
        var parameters = await Assert.ThrowsAsync<TrackingException>(() =>
            Store.LogBatchAsync(run.RunId, [], [.. Enumerable.Range(0, 101).Select(i => new Param($"p{i}", "v"))], [], Ct));
        var total = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run.RunId, Points(1000), [], [new Tag("t", "v")], Ct));
        await Store.LogBatchAsync(run.RunId, Points(999), [], [new Tag("t", "v")], Ct);

        // MLflow's limits and words (mlflow/utils/validation.py), on every store and not only at the server's door.
        Assert.All([metrics, parameters, total], e => Assert.Equal(ErrorCode.InvalidParameterValue, e.Code));
        Assert.EndsWith("A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.", metrics.Message, StringComparison.Ordinal);
        Assert.Contains("at most 100 params. Got 101 params.", parameters.Message, StringComparison.Ordinal);
        Assert.Contains("at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags.", total.Message, StringComparison.Ordinal);
        Assert.Equal(999, (await Store.GetMetricHistoryAsync(run.RunId, "m", Ct)).Count);
    }

    [SkippableFact]
    public async Task LogBatch_DuplicatesInOneBatch_AreStoredOnce()
    {
        SkipIfUnavailable();
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "dups", "alice", 1, []), Ct);
        var point = new Metric("m", 0.5, 10, 1);

        await Store.LogBatchAsync(run.RunId, [point, point, new Metric("m", 0.6, 10, 1), point], [], [], Ct);

        Assert.Equal([0.5, 0.6], (await Store.GetMetricHistoryAsync(run.RunId, "m", Ct)).Select(m => m.Value));
        Assert.Equal(0.6, (await Store.GetRunAsync(run.RunId, Ct))!.Metrics.Single().Value);
    }

    [SkippableFact]
    public async Task LogBatch_EightWritersOnOneRun_LoseNothingAndKeepTheLatest()
    {
        SkipIfUnavailable();
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "shared", "alice", 1, []), Ct);

        // Writers interleave steps, so whichever commits last, the latest must be the highest step overall.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var points = Enumerable.Range(0, 120).Select(i =>
                {
                    var step = (((batch * 120) + i) * 8) + writer;
                    return new Metric(i % 2 == 0 ? "loss" : "acc", step, 5000 + step, step);
                }).ToList();
                await Store.LogBatchAsync(run.RunId, points, [new Param($"w{writer}", "1")], [new Tag($"w{writer}", batch.ToString(System.Globalization.CultureInfo.InvariantCulture))], Ct);
            }
        })));

        var stored = (await Store.GetRunAsync(run.RunId, Ct))!;
        Assert.Equal(4800, (await Store.GetMetricHistoryAsync(run.RunId, "loss", Ct)).Count);
        Assert.Equal(4800, (await Store.GetMetricHistoryAsync(run.RunId, "acc", Ct)).Count);
        Assert.Equal(9599, stored.Metrics.Single(m => m.Key == "acc").Step);
        Assert.Equal(9591, stored.Metrics.Single(m => m.Key == "loss").Step);
        Assert.Equal(8, stored.Params.Count);
        Assert.All(stored.Tags.Where(t => t.Key.StartsWith('w')), t => Assert.Equal("9", t.Value));
    }

    [SkippableFact]
    public async Task LogBatch_DeletedOrUnknownRun_IsRefusedAndWritesNothing()
    {
        SkipIfUnavailable();
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "gone", "alice", 1, []), Ct);
        await Store.LogBatchAsync(run.RunId, [new Metric("m", 1, 10, 1)], [], [], Ct);
        await Store.DeleteRunAsync(run.RunId, Ct);

        // Points only (the stores' fastest path) and points with a tag: both refused, neither leaves a trace.
        var pointsOnly = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run.RunId, [new Metric("m", 2, 20, 2)], [], [], Ct));
        var withTag = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync(run.RunId, [new Metric("m", 3, 30, 3)], [], [new Tag("t", "v")], Ct));
        var unknown = await Assert.ThrowsAsync<TrackingException>(() => Store.LogBatchAsync("0123456789abcdef0123456789abcdef", [new Metric("m", 1, 10, 1)], [], [], Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, pointsOnly.Code);
        Assert.Equal(ErrorCode.InvalidParameterValue, withTag.Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, unknown.Code);
        await Store.RestoreRunAsync(run.RunId, Ct);
        Assert.Equal([1.0], (await Store.GetMetricHistoryAsync(run.RunId, "m", Ct)).Select(m => m.Value));
        var stored = (await Store.GetRunAsync(run.RunId, Ct))!;
        Assert.Equal(1, stored.Metrics.Single().Value);
        Assert.DoesNotContain(stored.Tags, t => t.Key == "t");
        Assert.Empty(await Store.GetMetricHistoryAsync("0123456789abcdef0123456789abcdef", "m", Ct));
    }
}
