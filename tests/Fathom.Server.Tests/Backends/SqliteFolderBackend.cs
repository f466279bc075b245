using Fathom.Tracking;

namespace Fathom.Server.Tests.Backends;

/// <summary>The zero-infrastructure pair: a SQLite store and a local artifacts folder.</summary>
public sealed class SqliteFolderBackend : ServerBackend
{
    public string ArtifactsFolder => Path.Combine(Folder, "artifacts");

    private protected override Task<(StoreLocation Store, string Artifacts)> LocateAsync() =>
        Task.FromResult((StoreLocation.Parse(Folder, "/"), ArtifactsFolder));
}
