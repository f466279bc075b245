using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom data sync</c> as the reference guide uses it (a bucket to a folder), and between folders.</summary>
public sealed class DataSyncTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DataSync_FolderToFolder_CopiesOnlyNewOrChangedAndDeletesOnlyWhenAsked()
    {
        var source = _dir.Combine("raw");
        Write(source, "a.txt", "alpha");
        Write(source, "nested/b.txt", "bravo");
        Write(source, "nested/deeper/c.bin", "charlie");

        var first = await Ok(_dir.Path, new Dictionary<string, string>(), "data", "sync", "raw", "copy");
        Assert.Equal("Copied 3 files (17 B), skipped 0 unchanged, deleted 0.", first.Stdout.Trim());
        Assert.Equal("charlie", File.ReadAllText(_dir.Combine("copy", "nested", "deeper", "c.bin")));
        Assert.Equal("Copied 0 files (0 B), skipped 3 unchanged, deleted 0.", (await Ok(_dir.Path, new Dictionary<string, string>(), "data", "sync", "raw", "copy")).Stdout.Trim());

        Write(source, "nested/b.txt", "BRAVO!");
        Write(_dir.Combine("copy"), "stale.txt", "old");
        var second = Json(await Ok(_dir.Path, new Dictionary<string, string>(), "data", "sync", "raw", "copy", "--json"));
        Assert.Equal(1, second.GetProperty("copied").GetInt32());
        Assert.Equal("nested/b.txt", second.GetProperty("changes")[0].GetProperty("key").GetString());
        Assert.True(File.Exists(_dir.Combine("copy", "stale.txt")));

        var dry = await Ok(_dir.Path, new Dictionary<string, string>(), "data", "sync", "raw", "copy", "--delete", "--dry-run");
        Assert.Equal(["Would delete stale.txt", "Would copy 0 files (0 B), skip 3 unchanged, delete 1."], dry.StdoutLines);
        Assert.True(File.Exists(_dir.Combine("copy", "stale.txt")));
        Assert.Equal("Copied 0 files (0 B), skipped 3 unchanged, deleted 1.", (await Ok(_dir.Path, new Dictionary<string, string>(), "data", "sync", "raw", "copy", "--delete")).Stdout.Trim());
        Assert.False(File.Exists(_dir.Combine("copy", "stale.txt")));
        Assert.Equal("BRAVO!", File.ReadAllText(_dir.Combine("copy", "nested", "b.txt")));
    }

    [SkippableFact]
    public async Task DataSync_FolderToBucketAndBack_ComparesByEtagAndStampsDownloads()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = s3.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
            ["MLFLOW_S3_ENDPOINT_URL"] = "",
            ["AWS_ENDPOINT_URL_S3"] = "",
        };
        var bucket = $"s3://{S3rverFixture.Bucket}/raw-{Guid.NewGuid():N}";
        var source = _dir.Combine("raw");
        for (var i = 0; i < 30; i++)
        {
            Write(source, $"day{i % 3}/{i:D2}.csv", $"id,value\n{i},{i * i}\n");
        }

        Assert.Equal(30, Json(await Ok(_dir.Path, environment, "data", "sync", "raw", bucket, "--json", "-j", "4")).GetProperty("copied").GetInt32());
        Assert.Equal(0, Json(await Ok(_dir.Path, environment, "data", "sync", "raw", bucket, "--json")).GetProperty("copied").GetInt32());
        Write(source, "day0/00.csv", "id,value\n0,-1\n");
        var changed = Json(await Ok(_dir.Path, environment, "data", "sync", "raw", bucket, "--json"));
        Assert.Equal(1, changed.GetProperty("copied").GetInt32());

        // The guide's step: pull the bucket's new drops into a local folder, then again with nothing new.
        var down = await Ok(_dir.Path, environment, "data", "sync", bucket, "mirror");
        Assert.StartsWith("Copied 30 files", down.Stdout.Trim(), StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(_dir.Combine("mirror", Path.GetRelativePath(source, file))));
        }

        Assert.Equal("Copied 0 files (0 B), skipped 30 unchanged, deleted 0.", (await Ok(_dir.Path, environment, "data", "sync", bucket, "mirror")).Stdout.Trim());
        File.Delete(Path.Combine(source, "day1", "01.csv"));
        Assert.Equal(1, Json(await Ok(_dir.Path, environment, "data", "sync", "raw", bucket, "--delete", "--json")).GetProperty("deleted").GetInt32());
        Assert.Equal(29, Json(await Ok(_dir.Path, environment, "data", "sync", bucket, "again", "--json")).GetProperty("copied").GetInt32());
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        // A second edit within the same clock tick must still look changed: move the time on explicitly.
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(2));
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement;

    private static async Task<CliResult> Ok(string directory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var result = await FathomProcess.RunAsync(directory, environment, TimeSpan.FromMinutes(2), args);
        Assert.True(result.ExitCode == 0, $"fathom {string.Join(' ', args)}: {result}");
        return result;
    }
}
