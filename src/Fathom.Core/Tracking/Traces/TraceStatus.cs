namespace Fathom.Tracking;

/// <summary>MLflow's TraceStatus (service.proto): how the traced operation ended, or that it is still running.</summary>
internal enum TraceStatus
{
    Unspecified = 0,
    Ok = 1,
    Error = 2,
    InProgress = 3,
}

/// <summary>The status's wire names, which the stores keep too (MLflow's SQL store writes the enum's name).</summary>
internal static class TraceStatusNames
{
    public static string ToWire(this TraceStatus status) => status switch
    {
        TraceStatus.Ok => "OK",
        TraceStatus.Error => "ERROR",
        TraceStatus.InProgress => "IN_PROGRESS",
        _ => "TRACE_STATUS_UNSPECIFIED",
    };

    /// <summary>A wire name (exactly as protobuf spells it), or null.</summary>
    public static TraceStatus? Parse(string name) => name switch
    {
        "TRACE_STATUS_UNSPECIFIED" => TraceStatus.Unspecified,
        "OK" => TraceStatus.Ok,
        "ERROR" => TraceStatus.Error,
        "IN_PROGRESS" => TraceStatus.InProgress,
        _ => null,
    };

    /// <summary>A wire number, or null.</summary>
    public static TraceStatus? FromNumber(long number) => number is >= 0 and <= 3 ? (TraceStatus)number : null;
}
