namespace Fathom.Tracking;

/// <summary>
/// Where the embedded store lives: a SQLite file and the default artifact root beside it.
/// </summary>
/// <param name="DatabasePath">The SQLite database file.</param>
/// <param name="ArtifactRoot">The default artifact root URI for new experiments.</param>
public sealed record StoreLocation(string DatabasePath, string ArtifactRoot)
{
    /// <summary>The environment variable that overrides the store.</summary>
    public const string EnvironmentVariable = "FATHOM_STORE";

    /// <summary>The environment variable that overrides the default artifact root (e.g. <c>s3://bucket/prefix</c>).</summary>
    public const string ArtifactsVariable = "FATHOM_ARTIFACTS";

    /// <summary>The project-local folder name.</summary>
    public const string FolderName = ".fathom";

    /// <summary>The database file name inside a store folder.</summary>
    public const string DatabaseFileName = "fathom.db";

    /// <summary>
    /// Resolves the store: the explicit value, else <c>FATHOM_STORE</c>, else the nearest <c>.fathom</c> folder
    /// from <paramref name="workingDirectory"/> upwards (like git finds <c>.git</c>), else <c>./.fathom</c>.
    /// New experiments put their artifacts under <c>FATHOM_ARTIFACTS</c> when set, else beside the database.
    /// A value is a folder path, or <c>sqlite:///relative.db</c> / <c>sqlite:////absolute.db</c> as SQLAlchemy
    /// (and so MLflow) writes SQLite URIs.
    /// </summary>
    public static StoreLocation Resolve(string? value, string workingDirectory)
    {
        var location = ResolveStore(value, workingDirectory);
        var artifacts = Environment.GetEnvironmentVariable(ArtifactsVariable);
        return string.IsNullOrWhiteSpace(artifacts) ? location : location with { ArtifactRoot = artifacts.TrimEnd('/') };
    }

    private static StoreLocation ResolveStore(string? value, string workingDirectory)
    {
        value = string.IsNullOrWhiteSpace(value) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : value;
        if (!string.IsNullOrWhiteSpace(value))
        {
            return Parse(value, workingDirectory);
        }

        for (var dir = new DirectoryInfo(Path.GetFullPath(workingDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FolderName);
            if (File.Exists(Path.Combine(candidate, DatabaseFileName)))
            {
                return ForFolder(candidate);
            }
        }

        return ForFolder(Path.Combine(Path.GetFullPath(workingDirectory), FolderName));
    }

    /// <summary>Parses an explicit store value; throws <see cref="ArgumentException"/> naming what is accepted.</summary>
    public static StoreLocation Parse(string value, string workingDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = value["sqlite:".Length..];
            if (!rest.StartsWith("///", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Invalid store '{value}': write sqlite:///relative/path.db or sqlite:////absolute/path.db.", nameof(value));
            }

            var path = Path.GetFullPath(Path.Combine(workingDirectory, rest[3..]));
            return new StoreLocation(path, new Uri(Path.Combine(Path.GetDirectoryName(path)!, "artifacts")).AbsoluteUri);
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            var scheme = value[..value.IndexOf(':', StringComparison.Ordinal)];
            throw new ArgumentException(
                $"Invalid store '{value}': the '{scheme}' scheme is not supported. Use a folder path, a sqlite:/// URI or an http(s):// tracking server.", nameof(value));
        }

        return ForFolder(Path.GetFullPath(Path.Combine(workingDirectory, value)));
    }

    private static StoreLocation ForFolder(string folder) =>
        new(Path.Combine(folder, DatabaseFileName), new Uri(Path.Combine(folder, "artifacts")).AbsoluteUri);
}
