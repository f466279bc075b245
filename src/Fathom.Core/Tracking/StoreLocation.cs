namespace Fathom.Tracking;

/// <summary>
/// Where runs go, decided once for the CLI, the SDK and the server: a SQLite file, a database server or a tracking
/// server, named by a URI whose scheme picks the store kind that opens it (<see cref="TrackingStores"/>).
/// </summary>
public sealed record StoreLocation
{
    /// <summary>The environment variable naming the store or tracking server for Fathom (any accepted value).</summary>
    public const string TrackingUriVariable = "FATHOM_TRACKING_URI";

    /// <summary>MLflow's variable: honoured when it names an http(s) tracking server (MLflow's own stores have another layout).</summary>
    public const string MlflowTrackingUriVariable = "MLFLOW_TRACKING_URI";

    /// <summary>The environment variable naming the store, below the two tracking-URI variables.</summary>
    public const string StoreVariable = "FATHOM_STORE";

    /// <summary>The environment variable that overrides the default artifact root (e.g. <c>s3://bucket/prefix</c>).</summary>
    public const string ArtifactsVariable = "FATHOM_ARTIFACTS";

    /// <summary>The project-local folder name.</summary>
    public const string FolderName = ".fathom";

    /// <summary>The database file name inside a store folder.</summary>
    public const string DatabaseFileName = "fathom.db";

    private StoreLocation(string uri, string scheme, string? databasePath, string localFolder, StoreSource source)
    {
        Uri = uri;
        Scheme = scheme;
        DatabasePath = databasePath;
        LocalFolder = localFolder;
        ArtifactRoot = new Uri(Path.Combine(localFolder, "artifacts")).AbsoluteUri;
        Source = source;
    }

    /// <summary>
    /// The URI the store is opened with: <c>sqlite:////absolute/path.db</c> for SQLite (SQLAlchemy's form, so it means
    /// the same file from any folder), else the value as given (<c>postgresql://…</c>, <c>http://…</c>).
    /// </summary>
    public string Uri { get; }

    /// <summary>The URI's scheme in lower case (<c>sqlite</c>, <c>postgresql</c>, <c>https</c>, …): it picks the store kind.</summary>
    public string Scheme { get; }

    /// <summary>The SQLite database file; null for other kinds.</summary>
    public string? DatabasePath { get; }

    /// <summary>
    /// The folder a host keeps its own files in beside the store (the server's <c>basic_auth.db</c>, default artifacts):
    /// the SQLite database's folder, else the project's <c>.fathom</c> folder.
    /// </summary>
    public string LocalFolder { get; }

    /// <summary>The default artifact root of new experiments: <c>FATHOM_ARTIFACTS</c> when set, else <see cref="LocalFolder"/>'s <c>artifacts</c>.</summary>
    public string ArtifactRoot { get; init; }

    /// <summary>Which rule chose this location.</summary>
    public StoreSource Source { get; }

    /// <summary>True for a tracking server reached over MLflow's REST API (<c>http(s)://</c>).</summary>
    public bool IsRemote => Scheme is "http" or "https";

    /// <summary>The database file, or the URI with any password hidden: what may be printed.</summary>
    public override string ToString() => DatabasePath ?? UriRedaction.Redact(Uri);

    /// <summary>
    /// Resolves where runs go from the process's environment; see <see cref="Resolve(string?, string, Func{string, string?})"/>.
    /// </summary>
    public static StoreLocation Resolve(string? store, string workingDirectory) =>
        Resolve(store, workingDirectory, Environment.GetEnvironmentVariable);

    /// <summary>
    /// Resolves where runs go, first match wins: <paramref name="store"/> (the <c>--store</c> / <c>--tracking-uri</c>
    /// flag, the SDK's argument), <c>FATHOM_TRACKING_URI</c>, an http(s) <c>MLFLOW_TRACKING_URI</c>, <c>FATHOM_STORE</c>,
    /// else the nearest <c>.fathom</c> folder holding a store from <paramref name="workingDirectory"/> upwards (as git finds
    /// <c>.git</c>), else <c>./.fathom</c>. New experiments put their artifacts under <c>FATHOM_ARTIFACTS</c> when set.
    /// </summary>
    /// <param name="store">An explicit value, or null/blank for none (see <see cref="Parse(string, string)"/> for the forms).</param>
    /// <param name="workingDirectory">What relative paths are relative to.</param>
    /// <param name="environment">Reads an environment variable (the process's, or a test's table).</param>
    public static StoreLocation Resolve(string? store, string workingDirectory, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(workingDirectory);
        ArgumentNullException.ThrowIfNull(environment);
        var location = Pick(store, workingDirectory, environment);
        return environment(ArtifactsVariable) is { } artifacts && !string.IsNullOrWhiteSpace(artifacts)
            ? location with { ArtifactRoot = artifacts.Trim().TrimEnd('/') }
            : location;
    }

    /// <summary>
    /// Parses an explicit value: a folder (its <c>fathom.db</c>), <c>sqlite:///relative.db</c> or
    /// <c>sqlite:////absolute.db</c> as SQLAlchemy (and so MLflow) writes SQLite URIs, or any other <c>scheme://…</c> URI
    /// (<c>postgresql://</c>, <c>http(s)://</c>), which the store kinds of the host accept or refuse. Throws
    /// <see cref="ArgumentException"/> naming the accepted forms.
    /// </summary>
    public static StoreLocation Parse(string value, string workingDirectory) => Parse(value, workingDirectory, StoreSource.Argument);

    private static StoreLocation Pick(string? store, string workingDirectory, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(store))
        {
            return Parse(store, workingDirectory, StoreSource.Argument);
        }

        if (environment(TrackingUriVariable) is { } fathom && !string.IsNullOrWhiteSpace(fathom))
        {
            return Parse(fathom, workingDirectory, StoreSource.TrackingUriVariable);
        }

        // MLflow's file and SQL stores have another layout than Fathom's: its variable counts only for servers.
        if (environment(MlflowTrackingUriVariable) is { } mlflow && IsHttp(mlflow.Trim()))
        {
            return Parse(mlflow, workingDirectory, StoreSource.MlflowTrackingUriVariable);
        }

        if (environment(StoreVariable) is { } folder && !string.IsNullOrWhiteSpace(folder))
        {
            return Parse(folder, workingDirectory, StoreSource.StoreVariable);
        }

        for (var dir = new DirectoryInfo(Path.GetFullPath(workingDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FolderName);
            if (File.Exists(Path.Combine(candidate, DatabaseFileName)))
            {
                return Folder(candidate, StoreSource.Project);
            }
        }

        return Folder(ProjectFolder(workingDirectory), StoreSource.Project);
    }

    private static StoreLocation Parse(string value, string workingDirectory, StoreSource source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        ArgumentNullException.ThrowIfNull(workingDirectory);
        value = value.Trim();
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = value["sqlite:".Length..];
            if (!rest.StartsWith("///", StringComparison.Ordinal) || rest.Length == 3)
            {
                throw new ArgumentException($"Invalid store '{value}': write sqlite:///relative/path.db or sqlite:////absolute/path.db.", nameof(value));
            }

            var path = Path.GetFullPath(Path.Combine(workingDirectory, rest[3..]));
            return new StoreLocation("sqlite:///" + path, "sqlite", path, Path.GetDirectoryName(path)!, source);
        }

        var separator = value.IndexOf("://", StringComparison.Ordinal);
        if (separator >= 0)
        {
            var scheme = value[..separator];
            if (!System.Uri.CheckSchemeName(scheme))
            {
                throw new ArgumentException(
                    $"Invalid store '{UriRedaction.Redact(value)}': give a folder, sqlite:///path.db, postgresql://user@host/db or an http(s):// tracking server.", nameof(value));
            }

            return new StoreLocation(value, scheme.ToLowerInvariant(), null, ProjectFolder(workingDirectory), source);
        }

        return Folder(Path.GetFullPath(Path.Combine(workingDirectory, value)), source);
    }

    private static StoreLocation Folder(string folder, StoreSource source)
    {
        var path = Path.Combine(folder, DatabaseFileName);
        return new StoreLocation("sqlite:///" + path, "sqlite", path, folder, source);
    }

    // A database or tracking server keeps no files here; the host's own files go to the project's folder.
    private static string ProjectFolder(string workingDirectory) => Path.Combine(Path.GetFullPath(workingDirectory), FolderName);

    private static bool IsHttp(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
