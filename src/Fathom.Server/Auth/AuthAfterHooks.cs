using System.Text;
using System.Text.Json.Nodes;
using Fathom.Mlflow;
using Fathom.Registry;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// What basic-auth does around the routes that declare an <see cref="AuthHook"/>, as MLflow's after-request handlers
/// do: the creator of an experiment or registered model gets MANAGE on it; renames and deletes carry the grants along;
/// searches only show what the caller may read, in full pages (<see cref="SearchRefill"/>). The grants live in their
/// own database (basic_auth.db), so the search SQL cannot join them: pages are narrowed afterwards.
/// </summary>
internal static class AuthAfterHooks
{
    public static async Task RunAsync(HttpContext context, RequestDelegate next, IReadOnlyList<AuthHook> hooks, AuthUser user)
    {
        if (hooks.Count == 0)
        {
            await next(context);
            return;
        }

        var ct = context.RequestAborted;
        var services = context.RequestServices;
        var request = await MlflowRequests.GetAsync(context, ct);
        if (hooks.Contains(AuthHook.NarrowExperimentIds) && !user.IsAdmin)
        {
            var authorizer = services.GetRequiredService<Authorizer>();
            var readable = new List<string>();
            foreach (var id in MlflowResources.ExperimentIds(request))
            {
                if (await authorizer.CanReadExperimentAsync(user, id, ct))
                {
                    readable.Add(id);
                }
            }

            request.Narrow("experiment_ids", readable);
        }

        var after = hooks.Where(h => h != AuthHook.NarrowExperimentIds).ToList();
        if (after.Count == 0)
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
            foreach (var hook in after)
            {
                body = await AfterSuccessAsync(hook, body, services, user, request, ct) ?? body;
            }
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body, ct);
    }

    private static async Task<byte[]?> AfterSuccessAsync(AuthHook hook, byte[] body, IServiceProvider services, AuthUser user, MlflowRequest request, CancellationToken ct)
    {
        var auth = services.GetRequiredService<IAuthStore>();
        switch (hook)
        {
            case AuthHook.GrantCreatorOnExperiment when JsonNode.Parse(body) is JsonObject { } created && created["experiment_id"] is { } id:
                await GrantAsync(() => auth.CreateExperimentPermissionAsync(id.ToString(), user.Username, AccessLevel.Manage, ct));
                return null;
            case AuthHook.GrantCreatorOnModel:
                await GrantAsync(() => auth.CreateRegisteredModelPermissionAsync(MlflowResources.ModelName(request), user.Username, AccessLevel.Manage, ct));
                return null;
            case AuthHook.MoveModelGrants:
                await auth.RenameRegisteredModelPermissionsAsync(MlflowResources.ModelName(request), request.RequireString("new_name"), ct);
                return null;
            case AuthHook.DropModelGrant:
                try
                {
                    await auth.DeleteRegisteredModelPermissionAsync(MlflowResources.ModelName(request), user.Username, ct);
                }
                catch (TrackingException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
                {
                    // the caller had no explicit grant
                }

                return null;
            case AuthHook.FilterExperiments when !user.IsAdmin && JsonNode.Parse(body) is JsonObject response:
                await FilterExperimentsAsync(response, services, user, request, ct);
                return Encoding.UTF8.GetBytes(response.ToJsonString());
            case AuthHook.FilterListedExperiments when !user.IsAdmin && JsonNode.Parse(body) is JsonObject listed:
                await FilterListedExperimentsAsync(listed, services, user, ct);
                return Encoding.UTF8.GetBytes(listed.ToJsonString());
            case AuthHook.FilterModels or AuthHook.FilterModelVersions when !user.IsAdmin && JsonNode.Parse(body) is JsonObject response:
                await FilterRegistrySearchAsync(hook == AuthHook.FilterModels, response, services, user, request, ct);
                return Encoding.UTF8.GetBytes(response.ToJsonString());
            default:
                return null;
        }
    }

    private static async Task FilterExperimentsAsync(JsonObject response, IServiceProvider services, AuthUser user, MlflowRequest request, CancellationToken ct)
    {
        var auth = services.GetRequiredService<IAuthStore>();
        var options = services.GetRequiredService<AuthOptions>();
        var store = services.GetRequiredService<ITrackingStore>();
        // One read of the caller's grants, as MLflow's hook does, instead of one per experiment.
        var grants = (await auth.ListExperimentPermissionsAsync(user.Id, ct)).ToDictionary(g => g.ExperimentId, g => g.Permission.CanRead, StringComparer.Ordinal);
        var maxResults = request.Int64("max_results") ?? 1000;
        var search = new ExperimentSearch(
            ViewTypeOf(request.String("view_type")),
            (int)Math.Clamp(maxResults, 1, int.MaxValue),
            null,
            request.String("filter"),
            request.StringList("order_by"));
        await SearchRefill.RefillAsync(response, "experiments", maxResults,
            e => grants.GetValueOrDefault(e["experiment_id"]?.ToString() ?? "", options.DefaultPermission.CanRead),
            async (token, cancellationToken) =>
            {
                var page = await store.SearchExperimentsAsync(search with { PageToken = token }, cancellationToken);
                return (page.Experiments.Select(e => SearchRefill.Node(e, MlflowJson.WriteExperiment)).ToList(), page.NextPageToken);
            },
            ct);
    }

    private static async Task FilterListedExperimentsAsync(JsonObject response, IServiceProvider services, AuthUser user, CancellationToken ct)
    {
        var authorizer = services.GetRequiredService<Authorizer>();
        var readable = new JsonArray();
        foreach (var experiment in (response["experiments"] as JsonArray ?? []).OfType<JsonNode>().ToList())
        {
            if (await authorizer.CanReadExperimentAsync(user, experiment["experiment_id"]?.ToString() ?? "", ct))
            {
                readable.Add(experiment.DeepClone());
            }
        }

        response.Remove("experiments");
        if (readable.Count > 0)
        {
            response["experiments"] = readable;
        }
    }

    // A model version is readable when its registered model is (MLflow's filter_search_model_versions).
    private static async Task FilterRegistrySearchAsync(bool models, JsonObject response, IServiceProvider services, AuthUser user, MlflowRequest request, CancellationToken ct)
    {
        var auth = services.GetRequiredService<IAuthStore>();
        var options = services.GetRequiredService<AuthOptions>();
        var grants = (await auth.ListRegisteredModelPermissionsAsync(user.Id, ct)).ToDictionary(g => g.Name, g => g.Permission.CanRead, StringComparer.Ordinal);
        // MLflow's proto defaults for a search without max_results.
        var maxResults = request.Int64("max_results") ?? (models ? 100 : 200_000);
        var search = new RegistrySearch(request.String("filter"), request.StringList("order_by"), (int)Math.Clamp(maxResults, 1, int.MaxValue));
        var registry = ModelRegistries.Of(services.GetRequiredService<ITrackingStore>());
        await SearchRefill.RefillAsync(response, models ? "registered_models" : "model_versions", maxResults,
            item => grants.GetValueOrDefault(item["name"]?.ToString() ?? "", options.DefaultPermission.CanRead),
            async (token, cancellationToken) =>
            {
                if (models)
                {
                    var page = await registry.SearchRegisteredModelsAsync(search with { PageToken = token }, cancellationToken);
                    return (page.Models.Select(m => SearchRefill.Node(m, MlflowRegistryJson.WriteRegisteredModel)).ToList(), page.NextPageToken);
                }

                var versions = await registry.SearchModelVersionsAsync(search with { PageToken = token }, cancellationToken);
                return (versions.Versions.Select(v => SearchRefill.Node(v, MlflowRegistryJson.WriteModelVersion)).ToList(), versions.NextPageToken);
            },
            ct);
    }

    // The request was already validated by the handler; by name or by number, as protobuf JSON allows.
    private static ViewType ViewTypeOf(string? text) => text?.ToUpperInvariant() switch
    {
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => ViewType.ActiveOnly,
    };

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
}
