using System.Globalization;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Registry;

namespace Fathom.Mlflow;

internal static partial class MlflowRegistryApi
{
    // Fathom's own routes beside MLflow's alias RPC (MLflow keeps no alias history, mlflow#2169): the same name and
    // alias fields, so the same permission functions read them. Reading the history is reading the model; a rollback
    // moves an alias, which is editing it, as setting one is.
    private static void MapHistory(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "GET", "/registered-models/alias/history", state, GetHistoryAsync, Model(Access.Read));
        MlflowRpc.Map(group, "POST", "/registered-models/alias/rollback", state, RollbackAliasAsync, Model(Access.Update));
    }

    private static async Task GetHistoryAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var alias = request.String("alias") is { Length: > 0 } given ? given : null;
        var entries = await state.Registry.GetAliasHistoryAsync(MlflowResources.ModelName(request), alias, cancellationToken);
        writer.WriteStartObject();
        writer.WriteStartArray("history");
        foreach (var entry in entries)
        {
            WriteHistoryEntry(writer, entry);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static async Task RollbackAliasAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var entry = await state.Registry.RollbackRegisteredModelAliasAsync(MlflowResources.ModelName(request), request.RequireString("alias"), request.Username, cancellationToken);
        writer.WriteStartObject();
        writer.WritePropertyName("entry");
        WriteHistoryEntry(writer, entry);
        writer.WriteEndObject();
    }

    // Versions are strings, as MLflow writes them everywhere in the registry API.
    private static void WriteHistoryEntry(Utf8JsonWriter writer, AliasHistoryEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("id", entry.Id.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("name", entry.Name);
        writer.WriteString("kind", entry.Kind);
        writer.WriteString("target", entry.Target);
        writer.WriteString("action", entry.Action);
        if (entry.FromVersion is { } from)
        {
            writer.WriteString("from_version", from.ToString(CultureInfo.InvariantCulture));
        }

        if (entry.ToVersion is { } to)
        {
            writer.WriteString("to_version", to.ToString(CultureInfo.InvariantCulture));
        }

        if (entry.User is { } user)
        {
            writer.WriteString("user_id", user);
        }

        writer.WriteNumber("timestamp", entry.Timestamp);
        writer.WriteEndObject();
    }
}
