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
        if (rpc == "runs/search" && !user.IsAdmin)
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
            body = await AfterSuccessAsync(rpc!, body, auth, options, user, parameters, ct) ?? body;
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, ct);
    }

    private static async Task<byte[]?> AfterSuccessAsync(string rpc, byte[] body, IAuthStore auth, AuthOptions options, AuthUser user, JsonObject parameters, CancellationToken ct)
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
            case "experiments/search" when !user.IsAdmin && response is not null && response["experiments"] is JsonArray experiments:
                var readable = new JsonArray();
                foreach (var experiment in experiments.OfType<JsonObject>().ToList())
                {
                    var id = experiment["experiment_id"]?.ToString() ?? "";
                    var grant = await auth.GetExperimentPermissionAsync(id, user.Username, ct);
                    if ((grant?.Permission ?? options.DefaultPermission).CanRead)
                    {
                        experiments.Remove(experiment);
                        readable.Add(experiment);
                    }
                }

                response["experiments"] = readable;
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

    // SearchRuns is narrowed to the experiments the caller may read, before it runs.
    private static async Task FilterSearchRunsRequestAsync(HttpContext context, IAuthStore auth, AuthOptions options, AuthUser user, JsonObject parameters, CancellationToken ct)
    {
        var readable = new JsonArray();
        foreach (var id in RequestParameters.List(parameters, "experiment_ids"))
        {
            var grant = await auth.GetExperimentPermissionAsync(id, user.Username, ct);
            if ((grant?.Permission ?? options.DefaultPermission).CanRead)
            {
                readable.Add(id);
            }
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
