using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

internal static partial class MlflowTrackingApi
{
    private static void MapExperiments(RouteGroupBuilder group, MlflowState state)
    {
        // Any signed-in user may create one, and becomes its manager; searches are narrowed to what the caller may read.
        MlflowRpc.Map(group, "POST", "/experiments/create", state, CreateExperimentAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.GrantCreatorOnExperiment);
        MlflowRpc.Map(group, "POST", "/experiments/search", state, SearchExperimentsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.FilterExperiments);
        MlflowRpc.Map(group, "GET", "/experiments/search", state, SearchExperimentsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.FilterExperiments);
        MlflowRpc.Map(group, "GET", "/experiments/list", state, ListExperimentsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.FilterListedExperiments);
        MlflowRpc.Map(group, "GET", "/experiments/get", state, GetExperimentAsync, RoutePermission.Experiment(Access.Read, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "GET", "/experiments/get-by-name", state, GetExperimentByNameAsync, RoutePermission.ExperimentNamed(Access.Read, MlflowResources.ExperimentName));
        MlflowRpc.Map(group, "POST", "/experiments/delete", state, DeleteExperimentAsync, RoutePermission.Experiment(Access.Delete, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "POST", "/experiments/restore", state, RestoreExperimentAsync, RoutePermission.Experiment(Access.Delete, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "POST", "/experiments/update", state, UpdateExperimentAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "POST", "/experiments/set-experiment-tag", state, SetExperimentTagAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "POST", "/experiments/delete-experiment-tag", state, DeleteExperimentTagAsync, RoutePermission.Experiment(Access.Update, MlflowResources.ExperimentId));
        MlflowRpc.Map(group, "POST", "/experiments/search-datasets", state, SearchDatasetsAsync, RoutePermission.SignedIn).WithAuthHook(AuthHook.NarrowExperimentIds);
    }

    private static async Task CreateExperimentAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = request.RequireString("name");
        var location = request.String("artifact_location");
        ArtifactLocationRules.Validate(location);
        var id = await state.Store.CreateExperimentAsync(name, location, ReadTags(request, "tags"), cancellationToken);
        writer.WriteStartObject();
        writer.WriteString("experiment_id", id);
        writer.WriteEndObject();
    }

    private static async Task SearchExperimentsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var page = await state.Store.SearchExperimentsAsync(
            new ExperimentSearch(ReadViewType(request, "view_type"), ReadMaxResults(request, 1000), request.String("page_token"), request.String("filter"), request.StringList("order_by")),
            cancellationToken);
        writer.WriteStartObject();
        if (page.Experiments.Count > 0)
        {
            writer.WriteStartArray("experiments");
            foreach (var experiment in page.Experiments)
            {
                MlflowJson.WriteExperiment(writer, experiment);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, page.NextPageToken);
        writer.WriteEndObject();
    }

    // MLflow 1.x's ListExperiments, dropped in 2.0 in favour of search, is still what older clients call (the npm
    // "mlflow" package lists experiments this way). Without max_results it answered every experiment, oldest id first.
    private static async Task ListExperimentsAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var viewType = ReadViewType(request, "view_type");
        var maxResults = request.Int64("max_results");
        var token = request.String("page_token");
        var experiments = new List<Experiment>();
        string? next;
        do
        {
            var page = await state.Store.SearchExperimentsAsync(
                new ExperimentSearch(viewType, maxResults is null ? 1000 : ReadMaxResults(request, 1000), token, null, ["experiment_id ASC"]),
                cancellationToken);
            experiments.AddRange(page.Experiments);
            next = page.NextPageToken;
            token = next;
        }
        while (maxResults is null && next is not null);

        writer.WriteStartObject();
        if (experiments.Count > 0)
        {
            writer.WriteStartArray("experiments");
            foreach (var experiment in experiments)
            {
                MlflowJson.WriteExperiment(writer, experiment);
            }

            writer.WriteEndArray();
        }

        WritePageToken(writer, maxResults is null ? null : next);
        writer.WriteEndObject();
    }

    private static async Task GetExperimentAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var id = MlflowResources.ExperimentId(request);
        var experiment = await state.Store.GetExperimentAsync(id, cancellationToken)
            ?? throw TrackingException.NotFound($"No Experiment with id={id} exists");
        WriteExperimentResponse(writer, experiment);
    }

    private static async Task GetExperimentByNameAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var name = MlflowResources.ExperimentName(request);
        var experiment = await state.Store.GetExperimentByNameAsync(name, cancellationToken)
            ?? throw TrackingException.NotFound($"Could not find experiment with name '{name}'");
        WriteExperimentResponse(writer, experiment);
    }

    private static async Task DeleteExperimentAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.DeleteExperimentAsync(MlflowResources.ExperimentId(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task RestoreExperimentAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        await state.Store.RestoreExperimentAsync(MlflowResources.ExperimentId(request), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task UpdateExperimentAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var id = MlflowResources.ExperimentId(request);
        await state.Store.RenameExperimentAsync(id, request.RequireString("new_name"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task SetExperimentTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var id = MlflowResources.ExperimentId(request);
        var tag = new Tag(request.RequireString("key"), request.String("value") ?? string.Empty);
        await state.Store.SetExperimentTagAsync(id, tag, cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static async Task DeleteExperimentTagAsync(MlflowState state, MlflowRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        var id = MlflowResources.ExperimentId(request);
        await state.Store.DeleteExperimentTagAsync(id, request.RequireString("key"), cancellationToken);
        MlflowRpc.WriteEmpty(writer);
    }

    private static void WriteExperimentResponse(Utf8JsonWriter writer, Experiment experiment)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("experiment");
        MlflowJson.WriteExperiment(writer, experiment);
        writer.WriteEndObject();
    }
}
