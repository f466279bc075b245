using System.Data.Common;
using Fathom.Endpoints;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// Endpoints live beside the registry whose URIs they follow: the same database and connections, so SQLite and
/// PostgreSQL keep them with no store of their own.
/// </summary>
internal abstract partial class SqlModelRegistryStore : IEndpointStore
{
    private const string EndpointColumns = "name, model_uri, target, replicas, port, traffic, created_by, creation_time, last_updated_time";

    public async Task<EndpointRecord> CreateEndpointAsync(EndpointRecord endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        EndpointValidation.ValidateName(endpoint.Name);
        try
        {
            return await WriteAsync(async (connection, transaction) =>
            {
                if (await ScalarAsync(connection, transaction, "SELECT name FROM endpoints WHERE name = @name;", cancellationToken, ("@name", endpoint.Name)) is not null)
                {
                    throw EndpointExists(endpoint.Name);
                }

                var now = NowMs();
                await ExecuteAsync(connection, transaction, $"""
                    INSERT INTO endpoints ({EndpointColumns}) VALUES (@name, @uri, @target, @replicas, @port, @traffic, @user, @now, @now);
                    """, cancellationToken, ("@name", endpoint.Name), ("@uri", endpoint.ModelUri), ("@target", endpoint.Target), ("@replicas", endpoint.Replicas),
                    ("@port", endpoint.Port), ("@traffic", endpoint.Traffic), ("@user", endpoint.CreatedBy), ("@now", now));
                return endpoint with { CreationTime = now, LastUpdatedTime = now };
            }, cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw EndpointExists(endpoint.Name);
        }
    }

    public async Task<EndpointRecord?> GetEndpointAsync(string name, CancellationToken cancellationToken) =>
        (await ReadEndpointsAsync("WHERE name = @name", name, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken cancellationToken) => ReadEndpointsAsync(string.Empty, null, cancellationToken);

    public Task<bool> DeleteEndpointAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
            await ExecuteAsync(connection, transaction, "DELETE FROM endpoints WHERE name = @name;", cancellationToken, ("@name", name)) > 0, cancellationToken);

    private Task<IReadOnlyList<EndpointRecord>> ReadEndpointsAsync(string where, string? name, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EndpointRecord>>(async connection =>
        {
            var sql = $"SELECT {EndpointColumns} FROM endpoints {where} ORDER BY name;";
            await using var command = name is null ? Command(connection, null, sql) : Command(connection, null, sql, ("@name", name));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var endpoints = new List<EndpointRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                endpoints.Add(new EndpointRecord(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4),
                    NullableString(reader, 5), NullableString(reader, 6), reader.GetInt64(7), reader.GetInt64(8)));
            }

            return endpoints;
        }, cancellationToken);

    private static TrackingException EndpointExists(string name) =>
        new(ErrorCode.ResourceAlreadyExists, $"An endpoint named '{name}' already exists; remove it first or pick another name.");
}
