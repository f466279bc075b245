using Fathom.Tracking;

namespace Fathom.Tests.Tracking;

/// <summary>
/// Where runs go: the one resolution the CLI, the SDK and the server share, over the README's precedence (flag, then
/// FATHOM_TRACKING_URI / an http(s) MLFLOW_TRACKING_URI, then FATHOM_STORE, then the project's .fathom folder).
/// </summary>
public sealed class StoreLocationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Each row: the flag, the environment (NAME=value; …), the store it must pick (a path under the working folder,
    // or a URI) and the rule that picked it. The working folder is <temp>/project/src.
    public static TheoryData<string?, string, string, StoreSource> Precedence => new()
    {
        { null, "", "project/src/.fathom/fathom.db", StoreSource.Project },
        { null, "FATHOM_STORE=shared", "project/src/shared/fathom.db", StoreSource.StoreVariable },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=sqlite:///mlflow.db", "project/src/shared/fathom.db", StoreSource.StoreVariable },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=file:///mlruns", "project/src/shared/fathom.db", StoreSource.StoreVariable },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=http://10.0.0.5:5000", "http://10.0.0.5:5000", StoreSource.MlflowTrackingUriVariable },
        { null, "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=http://10.0.0.5:5000; FATHOM_TRACKING_URI=sqlite:///../elsewhere/x.db", "project/elsewhere/x.db", StoreSource.TrackingUriVariable },
        { null, "FATHOM_TRACKING_URI=postgresql://u:secret@db/runs", "postgresql://u:secret@db/runs", StoreSource.TrackingUriVariable },
        { null, "FATHOM_TRACKING_URI=  ; FATHOM_STORE=shared", "project/src/shared/fathom.db", StoreSource.StoreVariable },
        { "runs", "FATHOM_STORE=shared; MLFLOW_TRACKING_URI=http://10.0.0.5:5000; FATHOM_TRACKING_URI=sqlite:///x.db", "project/src/runs/fathom.db", StoreSource.Argument },
        { "sqlite:////abs/t.db", "FATHOM_TRACKING_URI=http://10.0.0.5:5000", "/abs/t.db", StoreSource.Argument },
        { "https://mlflow.example.com", "", "https://mlflow.example.com", StoreSource.Argument },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void Resolve_FlagAndEnvironment_FollowTheReadmesPrecedence(string? flag, string environment, string expected, StoreSource source)
    {
        var cwd = Directory.CreateDirectory(_dir.Combine("project", "src")).FullName;

        var location = StoreLocation.Resolve(flag, cwd, Environment(environment));

        var expectedPath = expected.Contains("://", StringComparison.Ordinal) ? null : Path.GetFullPath(expected.StartsWith('/') ? expected : _dir.Combine(expected));
        Assert.Equal((expectedPath, expectedPath is null ? expected : "sqlite:///" + expectedPath, source), (location.DatabasePath, location.Uri, location.Source));
    }

    [Fact]
    public void Resolve_NothingSet_FindsTheNearestStoreUpwardsLikeGit()
    {
        var project = _dir.Combine("project");
        _dir.WriteFile("project/.fathom/fathom.db", string.Empty);
        var deep = Directory.CreateDirectory(_dir.Combine("project", "src", "models")).FullName;

        var location = StoreLocation.Resolve(null, deep, Environment(""));

        Assert.Equal(Path.Combine(project, ".fathom", "fathom.db"), location.DatabasePath);
        Assert.Equal(Path.Combine(project, ".fathom"), location.LocalFolder);
        Assert.Equal(new Uri(Path.Combine(project, ".fathom", "artifacts")).AbsoluteUri, location.ArtifactRoot);
    }

    [Fact]
    public void Resolve_FathomArtifacts_IsTheArtifactRootOfEveryKind()
    {
        var env = Environment("FATHOM_ARTIFACTS=s3://bucket/prefix/");

        Assert.Equal("s3://bucket/prefix", StoreLocation.Resolve("store", _dir.Path, env).ArtifactRoot);
        Assert.Equal("s3://bucket/prefix", StoreLocation.Resolve("postgresql://db/runs", _dir.Path, env).ArtifactRoot);
    }

    [Fact]
    public void Parse_SqliteUris_FollowSqlAlchemySlashes()
    {
        var relative = StoreLocation.Parse("sqlite:///db/t.db", "/project");
        var absolute = StoreLocation.Parse("sqlite:////data/t.db", "/project");

        Assert.Equal("/project/db/t.db", relative.DatabasePath);
        Assert.Equal("sqlite:////project/db/t.db", relative.Uri);
        Assert.Equal("/data/t.db", absolute.DatabasePath);
        Assert.Equal("file:///data/artifacts", absolute.ArtifactRoot);
    }

    [Fact]
    public void Parse_DatabaseServer_KeepsItsFilesInTheProjectFolderAndHidesThePassword()
    {
        var location = StoreLocation.Parse("postgresql://ml:secret@db.internal:5432/runs", "/project");

        Assert.Equal(("postgresql", null, "/project/.fathom"), (location.Scheme, location.DatabasePath, location.LocalFolder));
        Assert.Equal("postgresql://ml:***@db.internal:5432/runs", location.ToString());
        Assert.False(location.IsRemote);
        Assert.True(StoreLocation.Parse("HTTPS://host", "/").IsRemote);
    }

    [Theory]
    [InlineData("sqlite://x.db")]
    [InlineData("sqlite:///")]
    [InlineData("1bad://x")]
    public void Parse_MalformedValue_SaysWhatIsAccepted(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => StoreLocation.Parse(value, "/"));
        Assert.Contains("sqlite:///", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SchemeNoKindOpens_NamesTheSchemesThisHostHas()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrackingStores().Open(StoreLocation.Parse("mysql://u:secret@h/db", "/")));

        Assert.StartsWith("No tracking store for 'mysql:' URIs (mysql://u:***@h/db): give a folder or one of http://…, https://…, sqlite:///path.db.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_KindsAreKeptPerInstance_NotProcessWide()
    {
        var opened = new List<string>();
        var custom = new TrackingStores().Add("memo", (location, _, _) =>
        {
            opened.Add(location.Uri);
            return new TrackingStores().Open(StoreLocation.Parse(_dir.Path, "/"));
        });

        await using (custom.Open(StoreLocation.Parse("memo://a", "/")))
        {
        }

        Assert.Equal(["memo://a"], opened);
        Assert.DoesNotContain("memo", new TrackingStores().Schemes);
        Assert.Throws<ArgumentException>(() => new TrackingStores().Open(StoreLocation.Parse("memo://a", "/")));
    }

    private static Func<string, string?> Environment(string table)
    {
        var variables = table.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        return name => variables.GetValueOrDefault(name);
    }
}
