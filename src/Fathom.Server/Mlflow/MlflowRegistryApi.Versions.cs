using System.Text.Json;
using Fathom.Registry;

namespace Fathom.Mlflow;

internal static partial class MlflowRegistryApi
{
    private static void MapVersions(RouteGroupBuilder group, MlflowState state)
    {
        MlflowRpc.Map(group, "POST", "/model-versions/create", state, CreateVersionAsync);
        MlflowRpc.Map(group, "PATCH", "/model-versions/update", state, UpdateVersionAsync);
        MlflowRpc.Map(group, "POST", "/model-versions/transition-stage", state, TransitionStageAsync);
        MlflowRpc.Map(group, "DELETE", "/model-versions/delete", state, DeleteVersionAsync);
        MlflowRpc.Map(group, "GET", "/model-versions/get", state, GetVersionAsync);
        MlflowRpc.Map(group, "GET", "/model-versions/search", state, SearchVersionsAsync);
        MlflowRpc.Map(group, "GET", "/model-versions/get-download-uri", state, GetDownloadUriAsync);
        MlflowRpc.Map(group, "POST", "/model-versions/set-tag", state, SetVersionTagAsync);
        MlflowRpc.Map(group, "DELETE", "/model-versions/delete-tag", state, DeleteVersionTagAsync);
    }

    // MLflow's REST API has no user_id on CreateModelVersion and its SQL store leaves the column empty; with basic-auth
    // on, the server knows who registers, so the version records it (as Databricks' registry does).
    private static async Task CreateVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = request.RequireString("name");
        var source = request.RequireString("source");
        var runId = request.String("run_id") is { Length: > 0 } id ? id : null;
        await ModelVersionSources.ValidateAsync(state.Store, source, runId, cancellationToken);
        var version = await state.Registry.CreateModelVersionAsync(
            new CreateModelVersionRequest(
                name,
                source,
                runId,
                ReadTags(request),
                request.String("run_link") is { Length: > 0 } link ? link : null,
                request.String("description"),
                request.Username),
            cancellationToken);
        WriteVersionResponse(writer, version);
    }

    private static async Task UpdateVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var version = await state.Registry.UpdateModelVersionAsync(request.RequireString("name"), ReadVersion(request), request.String("description"), cancellationToken);
        WriteVersionResponse(writer, version);
    }

    private static async Task TransitionStageAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        // The proto marks archive_existing_versions required, but MLflow's server treats a missing one as false.
        var version = await state.Registry.TransitionModelVersionStageAsync(
            request.RequireString("name"), ReadVersion(request), request.RequireString("stage"), request.Bool("archive_existing_versions") ?? false, cancellationToken);
        WriteVersionResponse(writer, version);
    }

    private static async Task DeleteVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteModelVersionAsync(request.RequireString("name"), ReadVersion(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task GetVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = request.RequireString("name");
        var number = ReadVersion(request);
        var version = await state.Registry.GetModelVersionAsync(name, number, cancellationToken) ?? throw RegistryErrors.VersionNotFound(name, number);
        WriteVersionResponse(writer, version);
    }

    private static async Task SearchVersionsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var page = await state.Registry.SearchModelVersionsAsync(ReadSearch(request, DefaultVersionResults), cancellationToken);
        WriteVersions(writer, page.Versions, page.NextPageToken);
    }

    private static async Task GetDownloadUriAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var uri = await state.Registry.GetModelVersionDownloadUriAsync(request.RequireString("name"), ReadVersion(request), cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("artifact_uri", uri);
        writer.WriteEndObject();
    }

    private static async Task SetVersionTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.SetModelVersionTagAsync(request.RequireString("name"), ReadVersion(request), ReadTag(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteVersionTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteModelVersionTagAsync(request.RequireString("name"), ReadVersion(request), request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }
}
