using Fathom.Auth;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowArtifactsApi
{
    // MLflow's UI downloads a run's file from /get-artifact?run_uuid=…&path=…, whatever the run's artifact
    // location (proxied or direct); the path is checked like the proxy's, so it cannot leave the run's folder.
    private static void MapGetArtifact(IEndpointRouteBuilder app, MlflowState state) =>
        app.MapGet("/get-artifact", (HttpContext context) => AnswerAsync(context, async request =>
        {
            var runId = MlflowResources.RunId(request);
            var safe = RequestedFile(request);
            var run = await state.Store.GetRunAsync(runId, context.RequestAborted) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
            await SendFileAsync(context, OpenRunArtifacts(state, run.Info.ArtifactUri), safe);
        })).WithMetadata(MlflowRoute.Rpc, RoutePermission.Run(Access.Read, MlflowResources.RunId));

    // The UI's download of a registered model version's file: the path is relative to the version's storage location
    // (its download URI, proxied or direct), checked like the proxy's paths (MLflow's get_model_version_artifact_handler).
    private static void MapGetModelVersionArtifact(IEndpointRouteBuilder app, MlflowState state) =>
        app.MapGet("/model-versions/get-artifact", (HttpContext context) => AnswerAsync(context, async request =>
        {
            var name = MlflowResources.ModelName(request);
            var version = RegistryValidation.ParseVersion(request.RequireString("version"));
            var safe = RequestedFile(request);
            var location = await state.Registry.GetModelVersionDownloadUriAsync(name, version, context.RequestAborted);
            await SendFileAsync(context, OpenRunArtifacts(state, location), safe);
        })).WithMetadata(MlflowRoute.Rpc, MlflowRegistryApi.Model(Access.Read));

    // The UI's download of a trace's spans (MLflow's get_trace_artifact_handler): traces.json below the location the
    // trace's mlflow.artifactLocation tag names, proxied or direct; READ on the trace's experiment.
    private static void MapGetTraceArtifact(IEndpointRouteBuilder app, MlflowState state) =>
        app.MapGet(MlflowTrackingApi.AjaxPrefix + "/mlflow/get-trace-artifact", (HttpContext context) => AnswerAsync(context, async request =>
        {
            var requestId = TraceArtifactRequestId(request);
            var trace = await MlflowTrackingApi.TraceStore(state).GetTraceInfoAsync(requestId, context.RequestAborted)
                ?? throw TrackingException.NotFound($"Trace with request_id '{requestId}' not found.");
            var location = trace.Tags.FirstOrDefault(t => t.Key == TraceTags.ArtifactLocation)?.Value
                ?? throw TrackingException.NotFound($"Trace with request_id '{requestId}' has no {TraceTags.ArtifactLocation} tag: its data was never stored.");
            await SendFileAsync(context, OpenRunArtifacts(state, location), TraceTags.DataFile);
        })).WithMetadata(MlflowRoute.Rpc, RoutePermission.Trace(Access.Read, TraceArtifactRequestId));

    // The UI's download of a logged model's file (MLflow's get_logged_model_artifact_handler): the path, in
    // ?artifact_file_path=, is relative to the model's artifact location and checked like the proxy's paths.
    private static void MapGetLoggedModelArtifact(IEndpointRouteBuilder app, MlflowState state) =>
        app.MapGet(MlflowTrackingApi.AjaxPrefix + "/mlflow/logged-models/{model_id}/artifacts/files", (HttpContext context) => AnswerAsync(context, async request =>
        {
            var modelId = MlflowResources.LoggedModelId(request);
            var safe = SafePath(request.RequireString("artifact_file_path"));
            if (safe.Length == 0)
            {
                throw TrackingException.Invalid("Invalid path");
            }

            var model = await MlflowTrackingApi.LoggedModelStore(state).GetLoggedModelAsync(modelId, context.RequestAborted)
                ?? throw TrackingException.NotFound($"Logged model with ID '{modelId}' not found.");
            await SendFileAsync(context, OpenRunArtifacts(state, model.ArtifactLocation), safe);
        })).WithMetadata(MlflowRoute.Rpc, RoutePermission.LoggedModel(Access.Read, MlflowResources.LoggedModelId));

    private static string TraceArtifactRequestId(MlflowRequest request) =>
        request.String("request_id") is { Length: > 0 } id ? id : throw TrackingException.Invalid("Request must include the \"request_id\" query parameter.");

    // The file a download route names in ?path=: required, normalised, never the root itself.
    private static string RequestedFile(MlflowRequest request)
    {
        var safe = SafePath(request.RequireString("path"));
        return safe.Length > 0 ? safe : throw TrackingException.Invalid("Invalid path");
    }

    private static async Task AnswerAsync(HttpContext context, Func<MlflowRequest, Task> action)
    {
        try
        {
            await action(await MlflowRequests.GetAsync(context, context.RequestAborted));
        }
        catch (TrackingException e) when (!context.Response.HasStarted)
        {
            await MlflowErrors.WriteAsync(context.Response, e, context.RequestAborted);
        }
        catch (UnauthorizedAccessException e) when (!context.Response.HasStarted)
        {
            await MlflowErrors.WriteAsync(context.Response, RefusedPath(e), context.RequestAborted);
        }
    }
}
