using Fathom.Storage;
using Fathom.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Server.Tests.Backends;

/// <summary>
/// The production pair: a PostgreSQL store (a throw-away cluster) and an S3 bucket (s3rver), as
/// <c>fathom server --store postgresql://… --artifacts s3://…</c> runs them.
/// </summary>
public sealed class PostgresS3Backend : ServerBackend
{
    private readonly PostgresFixture _postgres = new();
    private readonly S3rverFixture _s3 = new();

    public override string? Unavailable => _postgres.Unavailable ?? _s3.Unavailable;

    public override string? MultipartChecksUnavailable => S3rverFixture.MultipartChecksMissing;

    /// <summary>A client of the test's S3 server, to look at the bucket behind the server's back.</summary>
    internal Amazon.S3.IAmazonS3 S3 { get; private set; } = null!;

    protected override async Task StartBackendsAsync()
    {
        await Task.WhenAll(_postgres.InitializeAsync(), _s3.InitializeAsync());
        if (Unavailable is null)
        {
            S3 = new S3Settings(_s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient();
        }
    }

    protected override async Task StopBackendsAsync()
    {
        S3?.Dispose();
        await Task.WhenAll(_postgres.DisposeAsync(), _s3.DisposeAsync());
    }

    private protected override async Task<(StoreLocation Store, string Artifacts)> LocateAsync() =>
        (StoreLocation.Parse(await _postgres.CreateDatabaseAsync(), Folder), $"s3://{S3rverFixture.Bucket}/server-{Guid.NewGuid():N}");

    private protected override void Services(IServiceCollection services) =>
        services.AddSingleton(new ArtifactStoreResolver().Register("s3", uri => new S3ArtifactStore(S3, uri)));
}

/// <summary>One PostgreSQL cluster and one s3rver for every suite that runs on the production pair.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresS3Group : ICollectionFixture<PostgresS3Backend>
{
    public const string Name = "PostgreSQL and S3";
}
