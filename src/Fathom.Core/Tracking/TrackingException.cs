namespace Fathom.Tracking;

/// <summary>
/// A tracking request the store refuses: an unknown run, a param logged twice with different values,
/// a deleted experiment. Carries MLflow's error code so every front end (CLI, REST) reports it the same way.
/// </summary>
/// <remarks>
/// An exception rather than a result value because the SDK's callers are user training scripts, for whom
/// a refused write is a bug to surface, exactly as MLflow's <c>MlflowException</c> does.
/// </remarks>
public sealed class TrackingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrackingException(ErrorCode code, string message)
        : base(message) => Code = code;

    /// <summary>Creates the exception with an inner cause.</summary>
    public TrackingException(ErrorCode code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>Needed by the analyzers' exception pattern; prefer the coded constructors.</summary>
    public TrackingException() => Code = ErrorCode.InternalError;

    /// <summary>Needed by the analyzers' exception pattern; prefer the coded constructors.</summary>
    public TrackingException(string message)
        : base(message) => Code = ErrorCode.InternalError;

    /// <summary>Needed by the analyzers' exception pattern; prefer the coded constructors.</summary>
    public TrackingException(string message, Exception innerException)
        : base(message, innerException) => Code = ErrorCode.InternalError;

    /// <summary>The MLflow error code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The MLflow wire name of the code, e.g. <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    public string WireCode => Code switch
    {
        ErrorCode.InvalidParameterValue => "INVALID_PARAMETER_VALUE",
        ErrorCode.ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
        ErrorCode.ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
        ErrorCode.InvalidState => "INVALID_STATE",
        ErrorCode.PermissionDenied => "PERMISSION_DENIED",
        _ => "INTERNAL_ERROR",
    };

    internal static TrackingException NotFound(string message) => new(ErrorCode.ResourceDoesNotExist, message);

    internal static TrackingException Invalid(string message) => new(ErrorCode.InvalidParameterValue, message);
}
