namespace Fathom.Tracking;

/// <summary>How artifact URIs are composed: MLflow joins them with '/' (<c>append_to_uri_path</c>).</summary>
public static class ArtifactLocations
{
    /// <summary>Joins a root URI and a relative path with exactly one '/'.</summary>
    public static string Join(string root, string relative) =>
        root.TrimEnd('/') + "/" + relative.TrimStart('/');

    /// <summary>A run's artifact URI: <c>&lt;experiment location&gt;/&lt;run id&gt;/artifacts</c>.</summary>
    public static string ForRun(string experimentLocation, string runId) =>
        Join(experimentLocation, runId + "/artifacts");
}
