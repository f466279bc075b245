using Fathom.Jobs;
using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Tests.Jobs;

public sealed class SqliteJobStoreTests : JobStoreCompliance, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    internal override Task<IJobStore> CreateStoreAsync() =>
        Task.FromResult<IJobStore>(new JobStores().Open(StoreLocation.Parse(_dir.Path, "/"), TimeProvider.System));

    [Fact]
    public async Task Open_BesideTrackingStore_OneDatabaseMigratedOnce()
    {
        await using var tracking = new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/"));
        await using var jobs = new JobStores().Open(StoreLocation.Parse(_dir.Path, "/"), TimeProvider.System);
        await jobs.CreateProjectAsync("imdb", null, null, CancellationToken.None);
        Assert.Single(Directory.GetFiles(_dir.Path, "*.db"));
        Assert.NotNull(await tracking.GetExperimentAsync("0", CancellationToken.None));
    }
}
