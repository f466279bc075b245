namespace Fathom.Endpoints;

/// <summary>
/// A named endpoint as the server keeps it: the model URI it follows (<c>models:/sentiment@champion</c>), where it runs
/// (<c>local</c>: replica processes on this machine), how many replicas, the port its router listens on, and an
/// optional canary split between fixed versions (<see cref="EndpointTraffic"/>; null: follow the URI).
/// </summary>
internal sealed record EndpointRecord(
    string Name, string ModelUri, string Target, int Replicas, int Port, string? Traffic, string? CreatedBy, long CreationTime, long LastUpdatedTime)
{
    public const string LocalTarget = "local";
}
