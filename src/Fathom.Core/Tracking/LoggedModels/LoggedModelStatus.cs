namespace Fathom.Tracking;

/// <summary>
/// Where a logged model's upload stands (MLflow's LoggedModelStatus): created PENDING, then finalized READY once its
/// files are uploaded, or FAILED when the upload went wrong.
/// </summary>
internal enum LoggedModelStatus
{
    Unspecified = 0,
    Pending = 1,
    Ready = 2,
    Failed = 3,
}

/// <summary>The status's names: the proto enum's on the wire, the short ones (as MLflow's Python entity prints them) in the store and filters.</summary>
internal static class LoggedModelStatusNames
{
    public static string ToWire(this LoggedModelStatus status) => status switch
    {
        LoggedModelStatus.Pending => "LOGGED_MODEL_PENDING",
        LoggedModelStatus.Ready => "LOGGED_MODEL_READY",
        LoggedModelStatus.Failed => "LOGGED_MODEL_UPLOAD_FAILED",
        _ => "LOGGED_MODEL_STATUS_UNSPECIFIED",
    };

    public static string ToStored(this LoggedModelStatus status) => status switch
    {
        LoggedModelStatus.Pending => "PENDING",
        LoggedModelStatus.Ready => "READY",
        LoggedModelStatus.Failed => "FAILED",
        _ => "UNSPECIFIED",
    };

    /// <summary>A status by its wire or short name (either is accepted in requests and filters), or null.</summary>
    public static LoggedModelStatus? Parse(string name) => name switch
    {
        "LOGGED_MODEL_PENDING" or "PENDING" => LoggedModelStatus.Pending,
        "LOGGED_MODEL_READY" or "READY" => LoggedModelStatus.Ready,
        "LOGGED_MODEL_UPLOAD_FAILED" or "FAILED" => LoggedModelStatus.Failed,
        "LOGGED_MODEL_STATUS_UNSPECIFIED" or "UNSPECIFIED" => LoggedModelStatus.Unspecified,
        _ => null,
    };

    public static LoggedModelStatus? FromNumber(long number) => number is >= 0 and <= 3 ? (LoggedModelStatus)number : null;
}
