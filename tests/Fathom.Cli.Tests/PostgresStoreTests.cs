using System.Text.Json;

namespace Fathom.Cli.Tests;

public sealed class PostgresStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task Experiments_OnPostgresUri_CreateAndListLikeSqlite()
    {
        Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
        var uri = await postgres.CreateDatabaseAsync();

        var create = await FathomProcess.RunAsync(_dir.Path, "experiments", "create", "sentiment", "--tracking-uri", uri);
        var list = await FathomProcess.RunAsync(_dir.Path, "experiments", "list", "--json", "--store", uri);

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal("1", create.StdoutLines[^1]);
        var names = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString());
        Assert.Equal(["Default", "sentiment"], names);
        Assert.False(File.Exists(_dir.Combine(".fathom", "fathom.db"))); // nothing went to a local store
    }
}
