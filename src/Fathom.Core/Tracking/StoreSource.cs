namespace Fathom.Tracking;

/// <summary>Which rule of <see cref="StoreLocation.Resolve(string?, string)"/> chose a location.</summary>
public enum StoreSource
{
    /// <summary>The value given: the <c>--store</c> / <c>--tracking-uri</c> flag or the SDK's argument.</summary>
    Argument,

    /// <summary><c>FATHOM_TRACKING_URI</c>.</summary>
    TrackingUriVariable,

    /// <summary>An http(s) <c>MLFLOW_TRACKING_URI</c>.</summary>
    MlflowTrackingUriVariable,

    /// <summary><c>FATHOM_STORE</c>.</summary>
    StoreVariable,

    /// <summary>The nearest <c>.fathom</c> folder, or a new one in the working directory.</summary>
    Project,
}
