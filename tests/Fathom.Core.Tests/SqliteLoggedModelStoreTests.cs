using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SqliteLoggedModelStoreTests : LoggedModelStoreCompliance, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<ITrackingStore> CreateStoreAsync() =>
        Task.FromResult(new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/")));
}
