using Fathom.Testing;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class SqliteTrackingStoreTests : TrackingStoreCompliance, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<ITrackingStore> CreateStoreAsync() =>
        Task.FromResult(TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/")));

    [Fact]
    public async Task Reopen_ExistingStore_KeepsDataAndDoesNotMigrateAgain()
    {
        var run = await Store.CreateRunAsync(new CreateRunRequest("0", "kept", "alice", 1000, []), Ct);
        await Store.DisposeAsync();

        await using var reopened = TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/"));

        Assert.Equal("kept", (await reopened.GetRunAsync(run.RunId, Ct))!.Info.RunName);
    }

    [Fact]
    public async Task Open_DatabaseFromNewerFathom_IsRefused()
    {
        await Store.DisposeAsync();
        var db = Path.Combine(_dir.Path, StoreLocation.DatabaseFileName);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO fathom_schema VALUES (999, 0);";
            await command.ExecuteNonQueryAsync();
        }

        var error = Assert.Throws<TrackingException>(() => TrackingStores.Open(StoreLocation.Parse(_dir.Path, "/")));
        Assert.Contains("newer than this Fathom understands", error.Message, StringComparison.Ordinal);
    }
}
