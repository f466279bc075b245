using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>How <c>fathom server</c> runs: where it listens, which store it serves, where artifacts go.</summary>
internal sealed class TrackingServerOptions
{
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; } = 5000;

    /// <summary>The store served: a SQLite file or a database server (<c>postgresql://…</c>), never another tracking server.</summary>
    public required StoreLocation Store { get; init; }


    /// <summary>Where proxied artifacts live (MLflow's <c>--artifacts-destination</c>): a local folder, or a URI such as <c>s3://bucket/prefix</c>.</summary>
    public required string ArtifactsDestination { get; init; }

    /// <summary>
    /// On (MLflow's default): new experiments get <c>mlflow-artifacts:/&lt;id&gt;</c> locations and clients move
    /// artifacts through the server's proxy routes. Off: they get the destination folder's <c>file://</c> URI.
    /// </summary>
    public bool ServeArtifacts { get; init; } = true;

    /// <summary>Basic authentication and permissions (MLflow's basic-auth app); off unless asked for.</summary>
    public Auth.AuthOptions? Auth { get; init; }

    /// <summary>The job queue's limits and agent configuration (defaults when null).</summary>
    public Jobs.JobServerOptions? Jobs { get; init; }

    /// <summary>How local endpoints run (the fathom command for replicas, swap timings); null: defaults, and no replica can start.</summary>
    public Endpoints.EndpointOptions? Endpoints { get; init; }

    /// <summary>The artifact root new experiments get (<c>&lt;root&gt;/&lt;experiment id&gt;</c>).</summary>
    public string DefaultArtifactRoot => ServeArtifacts ? "mlflow-artifacts:/" : ArtifactsDestinationUri;

    /// <summary>The destination as a URI: a folder becomes its <c>file://</c> URI.</summary>
    public string ArtifactsDestinationUri =>
        ArtifactsDestination.Contains("://", StringComparison.Ordinal) ? ArtifactsDestination.TrimEnd('/') : new Uri(Path.GetFullPath(ArtifactsDestination)).AbsoluteUri;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("--host: give an address to bind, e.g. 127.0.0.1.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"--port: {Port} is not a port (0-65535; 0 picks a free one).");
        }

        (Auth ?? new Auth.AuthOptions { DatabasePath = "unused" }).ValidateBinding(Host);

        if (Store.IsRemote)
        {
            // The clients' variables name this very server as often as another one: say where the value came from.
            throw new ArgumentException(
                $"The store is the tracking server {Store} (from {Describe(Store.Source)}), which a tracking server cannot serve: give it --store FOLDER, sqlite:///path.db or postgresql://….");
        }

        if (string.IsNullOrWhiteSpace(ArtifactsDestination))
        {
            throw new ArgumentException("--artifacts: give a folder or a file:// URI.");
        }
    }

    private static string Describe(StoreSource source) => source switch
    {
        StoreSource.TrackingUriVariable => StoreLocation.TrackingUriVariable,
        StoreSource.MlflowTrackingUriVariable => StoreLocation.MlflowTrackingUriVariable,
        StoreSource.StoreVariable => StoreLocation.StoreVariable,
        _ => "--store",
    };
}
