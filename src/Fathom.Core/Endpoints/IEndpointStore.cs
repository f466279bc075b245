namespace Fathom.Endpoints;

/// <summary>
/// The endpoints a server keeps, in the tracking database beside the registry they follow (SQLite and PostgreSQL, one
/// SQL implementation), so a restarted server starts them again.
/// </summary>
internal interface IEndpointStore
{
    /// <summary>Stores a new endpoint; a name in use is RESOURCE_ALREADY_EXISTS.</summary>
    Task<EndpointRecord> CreateEndpointAsync(EndpointRecord endpoint, CancellationToken cancellationToken);

    /// <summary>The endpoint with this name, or null.</summary>
    Task<EndpointRecord?> GetEndpointAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every endpoint, by name.</summary>
    Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken cancellationToken);

    /// <summary>Removes the endpoint; false when there was none.</summary>
    Task<bool> DeleteEndpointAsync(string name, CancellationToken cancellationToken);
}
