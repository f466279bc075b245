namespace Fathom.Tracking;

/// <summary>MLflow's error codes; the server maps each to MLflow's HTTP status.</summary>
public enum ErrorCode
{
    /// <summary>A request field is missing or has a bad value (HTTP 400).</summary>
    InvalidParameterValue,

    /// <summary>The entity named does not exist (HTTP 404).</summary>
    ResourceDoesNotExist,

    /// <summary>An entity with that name or key exists already (HTTP 400).</summary>
    ResourceAlreadyExists,

    /// <summary>The entity is in a state that forbids the change, e.g. renaming a deleted experiment (HTTP 500, as MLflow answers it).</summary>
    InvalidState,

    /// <summary>The caller may not do this (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The store failed (HTTP 500).</summary>
    InternalError,
}
