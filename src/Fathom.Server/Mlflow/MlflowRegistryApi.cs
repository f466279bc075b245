using System.Text.Json;
using Fathom.Auth;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's model registry REST API (registered models and model versions), mounted beside the tracking API under
/// <c>/api/2.0/mlflow</c> and <c>/ajax-api/2.0/mlflow</c>, with MLflow's verbs: PATCH updates, DELETE removes.
/// </summary>
internal static partial class MlflowRegistryApi
{
    // MLflow's proto defaults when a search leaves max_results out.
    private const int DefaultModelResults = 100;
    private const int DefaultVersionResults = 200_000;

    public static void MapRegistry(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "POST", "/registered-models/create", state, CreateModelAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.GrantCreatorOnModel);
        MlflowRpc.Map(group, "POST", "/registered-models/rename", state, RenameModelAsync, Model(Access.Update)).WithAuthHook(AuthHook.MoveModelGrants);
        MlflowRpc.Map(group, "PATCH", "/registered-models/update", state, UpdateModelAsync, Model(Access.Update));
        MlflowRpc.Map(group, "DELETE", "/registered-models/delete", state, DeleteModelAsync, Model(Access.Delete)).WithAuthHook(AuthHook.DropModelGrant);
        MlflowRpc.Map(group, "GET", "/registered-models/get", state, GetModelAsync, Model(Access.Read));
        MlflowRpc.Map(group, "GET", "/registered-models/search", state, SearchModelsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.FilterModels);
        MlflowRpc.Map(group, "POST", "/registered-models/get-latest-versions", state, GetLatestVersionsAsync, Model(Access.Read));
        MlflowRpc.Map(group, "GET", "/registered-models/get-latest-versions", state, GetLatestVersionsAsync, Model(Access.Read));
        MlflowRpc.Map(group, "POST", "/registered-models/set-tag", state, SetModelTagAsync, Model(Access.Update));
        MlflowRpc.Map(group, "DELETE", "/registered-models/delete-tag", state, DeleteModelTagAsync, Model(Access.Update));
        // One path, three RPCs: setting an alias edits the model, deleting one needs DELETE, reading one READ (MLflow's).
        MlflowRpc.Map(group, "POST", "/registered-models/alias", state, SetAliasAsync, Model(Access.Update));
        MlflowRpc.Map(group, "DELETE", "/registered-models/alias", state, DeleteAliasAsync, Model(Access.Delete));
        MlflowRpc.Map(group, "GET", "/registered-models/alias", state, GetByAliasAsync, Model(Access.Read));
        MapHistory(group, state);
        MapVersions(group, state);
    }

    private static async Task CreateModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var model = await state.Registry.CreateRegisteredModelAsync(MlflowResources.ModelName(request), ReadTags(request), request.String("description"), cancellationToken);
        WriteModelResponse(writer, model);
    }

    private static async Task RenameModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var model = await state.Registry.RenameRegisteredModelAsync(MlflowResources.ModelName(request), request.RequireString("new_name"), cancellationToken);
        WriteModelResponse(writer, model);
    }

    private static async Task UpdateModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var model = await state.Registry.UpdateRegisteredModelAsync(MlflowResources.ModelName(request), request.String("description"), cancellationToken);
        WriteModelResponse(writer, model);
    }

    private static async Task DeleteModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteRegisteredModelAsync(MlflowResources.ModelName(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task GetModelAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = MlflowResources.ModelName(request);
        var model = await state.Registry.GetRegisteredModelAsync(name, cancellationToken) ?? throw RegistryErrors.ModelNotFound(name);
        WriteModelResponse(writer, model);
    }

    private static async Task SearchModelsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var page = await state.Registry.SearchRegisteredModelsAsync(ReadSearch(request, DefaultModelResults), cancellationToken);
        writer.WriteStartObject();
        if (page.Models.Count > 0)
        {
            writer.WriteStartArray("registered_models");
            foreach (var model in page.Models)
            {
                MlflowRegistryJson.WriteRegisteredModel(writer, model);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, page.NextPageToken);
        writer.WriteEndObject();
    }

    private static async Task GetLatestVersionsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var versions = await state.Registry.GetLatestVersionsAsync(MlflowResources.ModelName(request), request.StringList("stages"), cancellationToken);
        WriteVersions(writer, versions);
    }

    private static async Task SetModelTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.SetRegisteredModelTagAsync(MlflowResources.ModelName(request), ReadTag(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteModelTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteRegisteredModelTagAsync(MlflowResources.ModelName(request), request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SetAliasAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.SetRegisteredModelAliasAsync(MlflowResources.ModelName(request), request.RequireString("alias"), ReadVersion(request), request.Username, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteAliasAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteRegisteredModelAliasAsync(MlflowResources.ModelName(request), request.RequireString("alias"), request.Username, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task GetByAliasAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var version = await state.Registry.GetModelVersionByAliasAsync(MlflowResources.ModelName(request), request.RequireString("alias"), cancellationToken);
        WriteVersionResponse(writer, version);
    }

    /// <summary><paramref name="access"/> on the registered model the request names.</summary>
    internal static RoutePermission Model(Access access) => RoutePermission.Model(access, MlflowResources.ModelName);

    private static RegistrySearch ReadSearch(MlflowRequest request, int defaultMaxResults)
    {
        // max_results is int64 on the wire; anything outside int range is as invalid as 0 to the store.
        var maxResults = request.Int64("max_results") ?? defaultMaxResults;
        return new RegistrySearch(request.String("filter"), request.StringList("order_by"),
            maxResults is > int.MaxValue or < int.MinValue ? 0 : (int)maxResults, request.String("page_token"));
    }

    private static List<Tag> ReadTags(MlflowRequest request) =>
        request.Messages("tags").Select(t => new Tag(t.RequireString("key"), t.String("value") ?? string.Empty)).ToList();

    private static Tag ReadTag(MlflowRequest request) =>
        new(request.RequireString("key"), request.String("value") ?? throw MlflowRequest.Missing("value"));

    private static long ReadVersion(MlflowRequest request) => RegistryValidation.ParseVersion(request.RequireString("version"));

    private static void WriteModelResponse(Utf8JsonWriter writer, RegisteredModel model)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("registered_model");
        MlflowRegistryJson.WriteRegisteredModel(writer, model);
        writer.WriteEndObject();
    }

    private static void WriteVersionResponse(Utf8JsonWriter writer, ModelVersion version)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("model_version");
        MlflowRegistryJson.WriteModelVersion(writer, version);
        writer.WriteEndObject();
    }

    private static void WriteVersions(Utf8JsonWriter writer, IReadOnlyList<ModelVersion> versions, string? nextPageToken = null)
    {
        writer.WriteStartObject();
        if (versions.Count > 0)
        {
            writer.WriteStartArray("model_versions");
            foreach (var version in versions)
            {
                MlflowRegistryJson.WriteModelVersion(writer, version);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, nextPageToken);
        writer.WriteEndObject();
    }

    private static void WritePageToken(Utf8JsonWriter writer, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            writer.WriteString("next_page_token", token);
        }
    }
}
