using Fathom.Mlflow;
using Fathom.Storage;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Cli.Tests;

/// <summary>fathom server on the scaled-out engines: runs in PostgreSQL, artifacts in an S3-compatible bucket.</summary>
public sealed class ServerBackendsTests(PostgresFixture postgres, S3rverFixture s3) : IClassFixture<PostgresFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task Server_OnPostgresAndS3_TakesAWholeRunFromTheSdk()
    {
        Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var client = new S3Settings(s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient();
        var options = new TrackingServerOptions
        {
            Port = 0,
            Store = StoreLocation.Parse(await postgres.CreateDatabaseAsync(), _dir.Path),
            ArtifactsDestination = $"s3://{S3rverFixture.Bucket}/server-{Guid.NewGuid():N}",
        };
        await using var server = TrackingServerHost.Build(options, services: s => s.AddSingleton(new ArtifactStoreResolver().Register("s3", uri => new S3ArtifactStore(client, uri))));
        await server.StartAsync();
        Directory.CreateDirectory(_dir.Combine("model"));
        await File.WriteAllTextAsync(_dir.Combine("model", "MLmodel"), "flavors: {}");

        Assert.DoesNotContain(":0", server.Urls.First(), StringComparison.Ordinal);
        await using var tracking = TrackingClient.Open(server.Urls.First());
        var runId = await tracking.RunAsync("scaled", async (run, ct) =>
        {
            run.LogParam("engine", "postgres+s3");
            for (var i = 0; i < 3000; i++)
            {
                run.LogMetric("loss", 1.0 / (i + 1), i);
            }

            await run.LogArtifactAsync(_dir.Combine("model"), "model", ct);
            return run.RunId;
        }, new RunOptions { CaptureLineage = false });

        var stored = (await tracking.Store.GetRunAsync(runId, default))!;
        var artifacts = await tracking.Artifacts.Resolve(stored.Info.ArtifactUri).ListRecursiveAsync(null, default);
        var bucketStore = new S3ArtifactStore(client, options.ArtifactsDestination);
        var inBucket = await bucketStore.ListRecursiveAsync(null, default);
        await using var direct = await bucketStore.OpenReadAsync($"{stored.Info.ExperimentId}/{runId}/artifacts/model/MLmodel", default);
        var directText = await new StreamReader(direct).ReadToEndAsync();
        var history = await tracking.Store.GetMetricHistoryAsync(runId, "loss", default);
        await server.StopAsync();

        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal(3000, history.Count);
        Assert.Equal(["model/MLmodel"], artifacts.Select(a => a.Path));
        Assert.Equal("flavors: {}", directText);
        Assert.Single(inBucket, a => a.Path.EndsWith($"{runId}/artifacts/model/MLmodel", StringComparison.Ordinal));
        Assert.False(File.Exists(_dir.Combine(".fathom", "fathom.db")));
    }
}
