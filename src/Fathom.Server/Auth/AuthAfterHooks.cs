using System.Text;
using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// What basic-auth does around some RPCs, as MLflow's after-request handlers do: the creator of an experiment or
/// registered model gets MANAGE on it; renames and deletes carry the grants along; experiment and registered-model
/// searches only show what the caller may read (page by page: a page may come back shorter than max_results).
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
            or "registered-models/search";
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
            case "registered-models/search" when !user.IsAdmin && response is not null && response["registered_models"] is JsonArray models:
                var visible = new JsonArray();
                foreach (var model in models.OfType<JsonObject>().ToList())
                {
                    var grant = await auth.GetRegisteredModelPermissionAsync(model["name"]?.ToString() ?? "", user.Username, ct);
                    if ((grant?.Permission ?? options.DefaultPermission).CanRead)
                    {
                        models.Remove(model);
                        visible.Add(model);
                    }
                }

                response["registered_models"] = visible;
                return Encoding.UTF8.GetBytes(response.ToJsonString());
            default:
                return null;
        }
    }

    // Unreadable experiments are dropped, then the page is refilled from the store up to max_results, as MLflow's
    // filter_search_experiments does: a caller never gets a short page while readable experiments remain. The
    // token moves past every experiment looked at, readable or not.
    private static async Task FilterSearchExperimentsAsync(
        JsonObject response, IAuthStore auth, AuthOptions options, ITrackingStore store, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        var cache = new Dictionary<string, bool>(StringComparer.Ordinal);
        async Task<bool> CanReadAsync(string id)
        {
            if (!cache.TryGetValue(id, out var can))
            {
                var grant = await auth.GetExperimentPermissionAsync(id, user.Username, ct);
                cache[id] = can = (grant?.Permission ?? options.DefaultPermission).CanRead;
            }

            return can;
        }

        var readable = new JsonArray();
        foreach (var experiment in (response["experiments"] as JsonArray ?? []).OfType<JsonObject>().ToList())
        {
            if (await CanReadAsync(experiment["experiment_id"]?.ToString() ?? ""))
            {
                readable.Add(experiment.DeepClone());
            }
        }

        var maxResults = long.TryParse(RequestParameters.String(parameters, "max_results"), System.Globalization.CultureInfo.InvariantCulture, out var max) ? max : 1000;
        var token = response["next_page_token"]?.ToString();
        var search = new ExperimentSearch(
            ParseViewType(RequestParameters.String(parameters, "view_type")),
            (int)Math.Clamp(maxResults, 1, int.MaxValue),
            null,
            RequestParameters.String(parameters, "filter"),
            RequestParameters.List(parameters, "order_by"));
        while (readable.Count < maxResults && !string.IsNullOrEmpty(token))
        {
            var page = await store.SearchExperimentsAsync(search with { PageToken = token }, ct);
            var looked = page.Experiments.Take((int)(maxResults - readable.Count)).ToList();
            if (looked.Count == 0)
            {
                token = null;
                break;
            }

            foreach (var experiment in looked)
            {
                if (await CanReadAsync(experiment.ExperimentId))
                {
                    readable.Add(ExperimentNode(experiment));
                }
            }

            token = PageTokens.Encode(PageTokens.Decode(token) + looked.Count);
        }

        response.Remove("experiments");
        response.Remove("next_page_token");
        if (readable.Count > 0)
        {
            response["experiments"] = readable;
        }

        if (!string.IsNullOrEmpty(token))
        {
            response["next_page_token"] = token;
        }
    }

    // The request was already validated by the endpoint; by name or by number, as protobuf JSON allows.
    private static ViewType ParseViewType(string? text) => text?.ToUpperInvariant() switch
    {
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => ViewType.ActiveOnly,
    };

    private static JsonNode ExperimentNode(Experiment experiment)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, Mlflow.MlflowJson.WriterOptions))
        {
            Mlflow.MlflowJson.WriteExperiment(writer, experiment);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!;
    }

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
