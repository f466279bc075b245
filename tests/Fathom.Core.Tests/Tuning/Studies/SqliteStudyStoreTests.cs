using Fathom.Testing;
using Fathom.Tracking;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning.Studies;

public sealed class SqliteStudyStoreTests : StudyStoreCompliance, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

    internal override Task<StudyStore> OpenAsync(TimeProvider time) => new StudyStores().OpenAsync(StoreLocation.Parse(_dir.Path, "/"), time);

    [Fact]
    public async Task Open_TrackingServerLocation_IsRefusedWithWhatToGive()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new StudyStores().OpenAsync(StoreLocation.Parse("http://localhost:5000", "/")));

        Assert.Contains("set hydra.sweeper.storage to sqlite:///path.db", error.Message, StringComparison.Ordinal);
    }
}
