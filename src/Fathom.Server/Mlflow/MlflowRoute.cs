using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// How an MLflow route's request is read, as endpoint metadata: the longest body it takes (and how it words a longer
/// one), whether the body stays bytes for a one-pass reader, or is the route's content (an artifact upload) and not
/// parameters at all, and whether that content may be longer than the server's request limit.
/// </summary>
internal sealed record MlflowRoute(long MaxBodyBytes, Func<long, TrackingException> TooLarge, bool KeepsRawBody = false, bool StreamsBody = false, bool Unbounded = false)
{
    /// <summary>
    /// The longest body an RPC without a limit of its own reads: above MLflow's largest field (a dataset profile,
    /// 16 MiB), below Kestrel's 30 MB request limit. MLflow's Flask server sets no cap of its own; this one keeps a
    /// body that no RPC could accept from being parsed.
    /// </summary>
    public const long DefaultMaxBodyBytes = 20_000_000;

    /// <summary>An RPC with the default limit.</summary>
    public static MlflowRoute Rpc { get; } = new(DefaultMaxBodyBytes, BodyTooLarge);

    /// <summary>A route whose parameters are its path and query only; a body, if any, is not read as parameters.</summary>
    public static MlflowRoute PathOnly { get; } = new(0, BodyTooLarge, StreamsBody: true);

    /// <summary>
    /// A route whose body is a file streamed to a store, of any size (MLflow's server sets no limit on an upload):
    /// Kestrel's request limit, which bounds every other route, is lifted for it before the body is read.
    /// </summary>
    public static MlflowRoute Upload { get; } = new(0, BodyTooLarge, StreamsBody: true, Unbounded: true);

    /// <summary>The refusal of a body longer than <see cref="DefaultMaxBodyBytes"/>, MLflow's INVALID_PARAMETER_VALUE.</summary>
    public static TrackingException BodyTooLarge(long size) =>
        TrackingException.Invalid($"Request bodies must be at most {DefaultMaxBodyBytes} bytes, got a request of size {size}.");
}
