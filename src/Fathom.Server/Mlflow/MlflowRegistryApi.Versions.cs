using System.Text.Json;
using Fathom.Auth;
using Fathom.Registry;

namespace Fathom.Mlflow;

internal static partial class MlflowRegistryApi
{
    private static void MapVersions(RouteGroupBuilder group, MlflowState state)
    {
        // Registering reads the source's files (and lets whoever reads the model download them): the caller must
        // be able to read the run, the proxied experiment or the logged model the source comes from, besides editing the model.
        MlflowRpc.Map(group, "POST", "/model-versions/create", state, CreateVersionAsync, [
            Model(Access.Update),
            RoutePermission.Run(Access.Read, MlflowResources.OptionalRunId),
            RoutePermission.Run(Access.Read, ModelVersionSources.RunOfSource),
            RoutePermission.ArtifactPath(Access.Read, ModelVersionSources.ProxyPathOfSource),
            RoutePermission.LoggedModel(Access.Read, ModelVersionSources.LoggedModelOfSource),
        ]);
        MlflowRpc.Map(group, "PATCH", "/model-versions/update", state, UpdateVersionAsync, Model(Access.Update));
        MlflowRpc.Map(group, "POST", "/model-versions/transition-stage", state, TransitionStageAsync, Model(Access.Update));
        MlflowRpc.Map(group, "DELETE", "/model-versions/delete", state, DeleteVersionAsync, Model(Access.Delete));
        MlflowRpc.Map(group, "GET", "/model-versions/get", state, GetVersionAsync, Model(Access.Read));
        MlflowRpc.Map(group, "GET", "/model-versions/search", state, SearchVersionsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.FilterModelVersions);
        MlflowRpc.Map(group, "GET", "/model-versions/get-download-uri", state, GetDownloadUriAsync, Model(Access.Read));
        MlflowRpc.Map(group, "POST", "/model-versions/set-tag", state, SetVersionTagAsync, Model(Access.Update));
        MlflowRpc.Map(group, "DELETE", "/model-versions/delete-tag", state, DeleteVersionTagAsync, Model(Access.Delete));
    }

    // MLflow's REST API has no user_id on CreateModelVersion and its SQL store leaves the column empty; with basic-auth
    // on, the server knows who registers, so the version records it (as Databricks' registry does).
    private static async Task CreateVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = MlflowResources.ModelName(request);
        var source = request.RequireString("source");
        var runId = MlflowResources.OptionalRunId(request);
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
        var version = await state.Registry.UpdateModelVersionAsync(MlflowResources.ModelName(request), ReadVersion(request), request.String("description"), cancellationToken);
        WriteVersionResponse(writer, version);
    }

    private static async Task TransitionStageAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        // The proto marks archive_existing_versions required, but MLflow's server treats a missing one as false.
        var version = await state.Registry.TransitionModelVersionStageAsync(
            MlflowResources.ModelName(request), ReadVersion(request), request.RequireString("stage"), request.Bool("archive_existing_versions") ?? false, request.Username, cancellationToken);
        WriteVersionResponse(writer, version);
    }

    private static async Task DeleteVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteModelVersionAsync(MlflowResources.ModelName(request), ReadVersion(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task GetVersionAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = MlflowResources.ModelName(request);
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
        var uri = await state.Registry.GetModelVersionDownloadUriAsync(MlflowResources.ModelName(request), ReadVersion(request), cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("artifact_uri", uri);
        writer.WriteEndObject();
    }

    private static async Task SetVersionTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.SetModelVersionTagAsync(MlflowResources.ModelName(request), ReadVersion(request), ReadTag(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteVersionTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Registry.DeleteModelVersionTagAsync(MlflowResources.ModelName(request), ReadVersion(request), request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }
}
