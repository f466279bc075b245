using System.Text;
using System.Text.Json.Nodes;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// What basic-auth does around some RPCs, as MLflow's after-request handlers do: the creator of an experiment or
/// registered model gets MANAGE on it; renames and deletes carry the grants along; experiment, registered-model and
/// model-version searches only show what the caller may read, in full pages (<see cref="SearchRefill"/>). The grants
/// live in their own database (basic_auth.db), so the search SQL cannot join them: pages are narrowed afterwards.
/// </summary>
internal static class AuthAfterHooks
{
    public static async Task RunAsync(HttpContext context, RequestDelegate next, IAuthStore auth, AuthOptions options, ITrackingStore store, AuthUser user, string path, JsonObject parameters)
    {
        var rpc = RpcName(path);
        var ct = context.RequestAborted;
        if (rpc is "runs/search" or "experiments/search-datasets" && !user.IsAdmin)
        {
            await FilterSearchRunsRequestAsync(context, auth, options, user, parameters, ct);
        }

        var rewritesResponse = rpc is "experiments/create" or "experiments/search" or "registered-models/create" or "registered-models/rename" or "registered-models/delete"
            or "registered-models/search" or "model-versions/search";
        if (!rewritesResponse)
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            body = await AfterSuccessAsync(rpc!, body, auth, options, store, user, parameters, ct) ?? body;
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, ct);
    }

    private static async Task<byte[]?> AfterSuccessAsync(
        string rpc, byte[] body, IAuthStore auth, AuthOptions options, ITrackingStore store, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        var response = JsonNode.Parse(body) as JsonObject;
        switch (rpc)
        {
            case "experiments/create" when response is not null && response["experiment_id"] is { } id:
                await GrantAsync(() => auth.CreateExperimentPermissionAsync(id.ToString(), user.Username, AccessLevel.Manage, ct));
                return null;
            case "registered-models/create" when RequestParameters.String(parameters, "name") is { } name:
                await GrantAsync(() => auth.CreateRegisteredModelPermissionAsync(name, user.Username, AccessLevel.Manage, ct));
                return null;
            case "registered-models/rename" when RequestParameters.String(parameters, "name") is { } oldName && RequestParameters.String(parameters, "new_name") is { } newName:
                await auth.RenameRegisteredModelPermissionsAsync(oldName, newName, ct);
                return null;
            case "registered-models/delete" when RequestParameters.String(parameters, "name") is { } deleted:
                try
                {
                    await auth.DeleteRegisteredModelPermissionAsync(deleted, user.Username, ct);
                }
                catch (TrackingException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
                {
                    // the caller had no explicit grant
                }

                return null;
            case "experiments/search" when !user.IsAdmin && response is not null:
                await FilterSearchExperimentsAsync(response, auth, options, store, user, parameters, ct);
                return Encoding.UTF8.GetBytes(response.ToJsonString());
            case "registered-models/search" or "model-versions/search" when !user.IsAdmin && response is not null:
                await FilterRegistrySearchAsync(rpc, response, auth, options, store, user, parameters, ct);
                return Encoding.UTF8.GetBytes(response.ToJsonString());
            default:
                return null;
        }
    }

    private static async Task FilterSearchExperimentsAsync(
        JsonObject response, IAuthStore auth, AuthOptions options, ITrackingStore store, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        // One read of the caller's grants, as MLflow's hook does, instead of one per experiment.
        var grants = (await auth.ListExperimentPermissionsAsync(user.Id, ct)).ToDictionary(g => g.ExperimentId, g => g.Permission.CanRead, StringComparer.Ordinal);
        var maxResults = MaxResults(parameters, 1000);
        var search = new ExperimentSearch(
            ParseViewType(RequestParameters.String(parameters, "view_type")),
            (int)Math.Clamp(maxResults, 1, int.MaxValue),
            null,
            RequestParameters.String(parameters, "filter"),
            RequestParameters.List(parameters, "order_by"));
        await SearchRefill.RefillAsync(response, "experiments", maxResults,
            e => grants.GetValueOrDefault(e["experiment_id"]?.ToString() ?? "", options.DefaultPermission.CanRead),
            async (token, cancellationToken) =>
            {
                var page = await store.SearchExperimentsAsync(search with { PageToken = token }, cancellationToken);
                return (page.Experiments.Select(e => SearchRefill.Node(e, Mlflow.MlflowJson.WriteExperiment)).ToList(), page.NextPageToken);
            },
            ct);
    }

    // A model version is readable when its registered model is (MLflow's filter_search_model_versions).
    private static async Task FilterRegistrySearchAsync(
        string rpc, JsonObject response, IAuthStore auth, AuthOptions options, ITrackingStore store, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        var grants = (await auth.ListRegisteredModelPermissionsAsync(user.Id, ct)).ToDictionary(g => g.Name, g => g.Permission.CanRead, StringComparer.Ordinal);
        var models = rpc == "registered-models/search";
        // MLflow's proto defaults for a search without max_results.
        var maxResults = MaxResults(parameters, models ? 100 : 200_000);
        var search = new RegistrySearch(
            RequestParameters.String(parameters, "filter"),
            RequestParameters.List(parameters, "order_by"),
            (int)Math.Clamp(maxResults, 1, int.MaxValue));
        var registry = ModelRegistries.Of(store);
        await SearchRefill.RefillAsync(response, models ? "registered_models" : "model_versions", maxResults,
            item => grants.GetValueOrDefault(item["name"]?.ToString() ?? "", options.DefaultPermission.CanRead),
            async (token, cancellationToken) =>
            {
                if (models)
                {
                    var page = await registry.SearchRegisteredModelsAsync(search with { PageToken = token }, cancellationToken);
                    return (page.Models.Select(m => SearchRefill.Node(m, Mlflow.MlflowRegistryJson.WriteRegisteredModel)).ToList(), page.NextPageToken);
                }

                var versions = await registry.SearchModelVersionsAsync(search with { PageToken = token }, cancellationToken);
                return (versions.Versions.Select(v => SearchRefill.Node(v, Mlflow.MlflowRegistryJson.WriteModelVersion)).ToList(), versions.NextPageToken);
            },
            ct);
    }

    private static long MaxResults(JsonObject parameters, long fallback) =>
        long.TryParse(RequestParameters.String(parameters, "max_results"), System.Globalization.CultureInfo.InvariantCulture, out var max) ? max : fallback;

    // The request was already validated by the endpoint; by name or by number, as protobuf JSON allows.
    private static ViewType ParseViewType(string? text) => text?.ToUpperInvariant() switch
    {
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => ViewType.ActiveOnly,
    };

    // SearchRuns (and the UI's SearchDatasets) is narrowed to the experiments the caller may read, before it runs.
    // A GET carries its parameters in the query string, which the endpoint then reads instead of a body, so the
    // query is rewritten too: otherwise GET runs/search?experiment_ids=… would skip the check.
    private static async Task FilterSearchRunsRequestAsync(HttpContext context, IAuthStore auth, AuthOptions options, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        var readable = new JsonArray();
        var readableIds = new List<string>();
        foreach (var id in RequestParameters.List(parameters, "experiment_ids"))
        {
            var grant = await auth.GetExperimentPermissionAsync(id, user.Username, ct);
            if ((grant?.Permission ?? options.DefaultPermission).CanRead)
            {
                readable.Add(id);
                readableIds.Add(id);
            }
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            var query = context.Request.Query
                .Where(p => p.Key != "experiment_ids")
                .Append(new KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>("experiment_ids", readableIds.ToArray()));
            context.Request.QueryString = QueryString.Create(query);
            return;
        }

        parameters["experiment_ids"] = readable;
        var bytes = Encoding.UTF8.GetBytes(parameters.ToJsonString());
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
    }

    private static async Task GrantAsync(Func<Task> grant)
    {
        try
        {
            await grant();
        }
        catch (TrackingException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
        {
            // already granted
        }
    }

    private static string? RpcName(string path)
    {
        foreach (var prefix in new[] { "/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/" })
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return path[prefix.Length..];
            }
        }

        return null;
    }
}
