using Fathom.Data;
using Fathom.Testing;

namespace Fathom.S3.Tests;

/// <summary>Where a bucket remote's credentials come from, as DVC's remote keys name them.</summary>
public sealed class S3DataRemoteCredentialsTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task S3Remote_ProfileInCredentialFile_PushesAndFetchesWithThoseKeys()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        DvcRepository.Init(_dir, force: false);
        File.WriteAllText(Path.Combine(_dir, "labels.csv"), "id,label\n1,pos\n");
        // An AWS shared credentials file outside ~/.aws, with the keys under a named profile.
        var credentials = Path.Combine(_dir, "team-credentials");
        File.WriteAllText(credentials, $"[default]\naws_access_key_id = NOBODY\naws_secret_access_key = NOTHING\n\n[ci]\naws_access_key_id = {S3rverFixture.AccessKey}\naws_secret_access_key = {S3rverFixture.SecretKey}\n");
        var workspace = Workspace();
        workspace.Add(["labels.csv"], _dir, null, default);
        workspace.AddRemote("bucket", $"s3://{S3rverFixture.Bucket}/creds-{Guid.NewGuid():N}", makeDefault: true, force: false, _dir);
        workspace.ModifyRemote("bucket", "endpointurl", s3.Endpoint, _dir);
        workspace.ModifyRemote("bucket", "credentialpath", credentials, _dir, local: true);
        workspace.ModifyRemote("bucket", "profile", "ci", _dir, local: true);

        Assert.Equal(1, (await Workspace().PushAsync([], _dir, null, null, default)).Transferred);
        Directory.Delete(Path.Combine(_dir, ".dvc", "cache"), recursive: true);
        Assert.Equal(1, (await Workspace().FetchAsync([], _dir, null, null, default)).Transferred);

        // The default profile of the same file holds keys the server refuses: the profile key decides.
        Workspace().ModifyRemote("bucket", "profile", "default", _dir, local: true);
        var denied = await Assert.ThrowsAsync<DataException>(() => Workspace().PushAsync([], _dir, null, null, default));
        Assert.Contains("access denied", denied.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void GsRemote_ServiceAccountCredentialPathOnly_SaysHmacKeysAreNeeded()
    {
        Skip.If(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 }, "AWS keys in the environment would be used instead");
        DvcRepository.Init(_dir, force: false);
        var workspace = Workspace();
        workspace.AddRemote("gcs", "gs://bucket/dvc", makeDefault: true, force: false, _dir);
        workspace.ModifyRemote("gcs", "credentialpath", "service-account.json", _dir, local: true);

        var e = Assert.Throws<DataException>(() => Workspace().Remote(null));

        Assert.Equal(DataErrorKind.InvalidInput, e.Kind);
        Assert.Contains("service-account key", e.Message, StringComparison.Ordinal);
        Assert.Contains("HMAC", e.Message, StringComparison.Ordinal);
        Assert.Contains("access_key_id", e.Message, StringComparison.Ordinal);
    }

    private DataWorkspace Workspace() => new(DvcRepository.Discover(_dir)) { Remotes = S3DataRemotes.Register(new BlobStoreResolver()) };
}
