using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>DVC remotes in a bucket (a real s3rver), driven through the CLI as a user drives them.</summary>
public sealed class DataS3RemoteTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = new()
    {
        // The user's own AWS settings must not leak into what the test configures explicitly.
        ["AWS_ACCESS_KEY_ID"] = "",
        ["AWS_SECRET_ACCESS_KEY"] = "",
        ["AWS_ENDPOINT_URL"] = "",
        ["AWS_ENDPOINT_URL_S3"] = "",
        ["MLFLOW_S3_ENDPOINT_URL"] = "",
        ["AWS_PROFILE"] = "",
    };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task DataS3Remote_PushStatusPullIntoCloneAndGc_RoundTripsThroughTheBucket()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var repo = _dir.Combine("repo");
        Directory.CreateDirectory(repo);
        await Ok(repo, NoEnvironment, "data", "init");
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < 100; i++)
        {
            files[$"images/{i / 10}/{i:D3}.bin"] = System.Text.Encoding.UTF8.GetBytes($"image {i}\n");
        }

        files["model.bin"] = [0, 1, 2, 3];
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repo, path))!);
            File.WriteAllBytes(Path.Combine(repo, path), bytes);
        }

        await Ok(repo, NoEnvironment, "data", "add", "images", "model.bin");
        var url = $"s3://{S3rverFixture.Bucket}/dvc-{Guid.NewGuid():N}/store";
        await Ok(repo, NoEnvironment, "data", "remote", "add", "-d", "bucket", url);
        await Ok(repo, NoEnvironment, "data", "remote", "modify", "bucket", "endpointurl", s3.Endpoint);
        await Ok(repo, NoEnvironment, "data", "remote", "modify", "--local", "bucket", "access_key_id", S3rverFixture.AccessKey);
        await Ok(repo, NoEnvironment, "data", "remote", "modify", "--local", "bucket", "secret_access_key", S3rverFixture.SecretKey);
        Assert.Equal($"[core]\n    remote = bucket\n['remote \"bucket\"']\n    url = {url}\n    endpointurl = {s3.Endpoint}\n", File.ReadAllText(Path.Combine(repo, ".dvc", "config")));
        Assert.Contains("secret_access_key = S3RVER", File.ReadAllText(Path.Combine(repo, ".dvc", "config.local")), StringComparison.Ordinal);

        var before = JsonDocument.Parse((await Ok(repo, NoEnvironment, "data", "status", "--cloud", "--json")).Stdout).RootElement;
        Assert.Equal(102, before.EnumerateObject().Count(p => p.Value.GetString() == "new"));

        // A push cut short leaves some objects there; the next push sends only the rest.
        var partial = await Ok(repo, NoEnvironment, "data", "push", "model.bin", "--json");
        Assert.Equal(1, Json(partial).GetProperty("transferred").GetInt32());
        var push = Json(await Ok(repo, NoEnvironment, "data", "push", "--json", "-j", "8"));
        Assert.Equal(101, push.GetProperty("transferred").GetInt32());
        Assert.Equal(1, push.GetProperty("skipped").GetInt32());
        Assert.Equal("Everything is up to date (102 objects already there).", (await Ok(repo, NoEnvironment, "data", "push")).Stdout.Trim());
        Assert.Equal("Cache and remote 'bucket' are in sync.", (await Ok(repo, NoEnvironment, "data", "status", "--cloud")).Stdout.Trim());

        // A fresh clone: what git would carry (.dvc/config, the .dvc files) plus the git-ignored credentials.
        var clone = _dir.Combine("clone");
        Directory.CreateDirectory(Path.Combine(clone, ".dvc"));
        foreach (var name in new[] { ".dvc/config", ".dvc/config.local", "images.dvc", "model.bin.dvc" })
        {
            File.Copy(Path.Combine(repo, name), Path.Combine(clone, name));
        }

        var cloneStatus = Json(await Ok(clone, NoEnvironment, "data", "status", "--cloud", "--json"));
        Assert.Equal(102, cloneStatus.EnumerateObject().Count(p => p.Value.GetString() == "deleted"));
        var pull = await Ok(clone, NoEnvironment, "data", "pull");
        Assert.Contains("102 objects fetched", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("A\timages/\n", pull.Stdout, StringComparison.Ordinal);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(clone, path)));
        }

        Assert.Equal("Data and pipelines are up to date.", (await Ok(clone, NoEnvironment, "data", "status")).Stdout.Trim());
        Assert.Empty(Directory.GetFiles(Path.Combine(clone, ".dvc", "cache"), "*.tmp", SearchOption.AllDirectories));

        // A new version of one file, pushed; gc -c then drops the old file object and the old folder manifest.
        File.WriteAllText(Path.Combine(repo, "images", "0", "000.bin"), "retouched\n");
        await Ok(repo, NoEnvironment, "data", "commit");
        Assert.Equal(2, Json(await Ok(repo, NoEnvironment, "data", "push", "--json")).GetProperty("transferred").GetInt32());
        var gc = Json(await Ok(repo, NoEnvironment, "data", "gc", "-w", "-c", "--json"));
        Assert.Equal(2, gc.GetProperty("remote_removed").GetInt32());
        Assert.Equal("Everything is up to date (102 objects already there).", (await Ok(repo, NoEnvironment, "data", "push")).Stdout.Trim());
        var fetchOld = await FathomProcess.RunAsync(clone, NoEnvironment, TimeSpan.FromMinutes(2), "data", "status", "--cloud", "--json");
        Assert.Equal(2, Json(fetchOld).EnumerateObject().Count(p => p.Value.GetString() == "new"));
    }

    [SkippableFact]
    public async Task DataGsRemote_CredentialsFromEnvironment_PushAndFetchThroughS3Interoperability()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        // gs:// speaks the S3 API; pointing its endpoint at s3rver stands in for storage.googleapis.com with HMAC keys.
        var environment = new Dictionary<string, string>(NoEnvironment)
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
        };
        await Ok(_dir.Path, environment, "data", "init");
        File.WriteAllText(_dir.Combine("labels.csv"), "id,label\n1,pos\n");
        await Ok(_dir.Path, environment, "data", "add", "labels.csv");
        await Ok(_dir.Path, environment, "data", "remote", "add", "-d", "gcs", $"gs://{S3rverFixture.Bucket}/gcs-{Guid.NewGuid():N}");
        await Ok(_dir.Path, environment, "data", "remote", "modify", "gcs", "endpointurl", s3.Endpoint);

        Assert.Equal(1, Json(await Ok(_dir.Path, environment, "data", "push", "--json")).GetProperty("transferred").GetInt32());
        Directory.Delete(_dir.Combine(".dvc", "cache"), recursive: true);
        File.Delete(_dir.Combine("labels.csv"));
        await Ok(_dir.Path, environment, "data", "pull");

        Assert.Equal("id,label\n1,pos\n", File.ReadAllText(_dir.Combine("labels.csv")));
        var denied = await FathomProcess.RunAsync(_dir.Path, new Dictionary<string, string>(environment) { ["AWS_ACCESS_KEY_ID"] = "NOBODY" }, TimeSpan.FromMinutes(1), "data", "push");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("access denied", denied.Stderr, StringComparison.Ordinal);
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement;

    private static async Task<CliResult> Ok(string directory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var result = await FathomProcess.RunAsync(directory, environment, TimeSpan.FromMinutes(2), args);
        Assert.True(result.ExitCode == 0, $"fathom {string.Join(' ', args)}: {result}");
        return result;
    }
}
