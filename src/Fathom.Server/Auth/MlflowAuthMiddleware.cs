using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// MLflow basic-auth in front of the tracking API: HTTP Basic authentication on every request but /health,
/// then MLflow's per-RPC permission check on the experiment, run or registered model the request names.
/// Refusals are MLflow's: 401 with <c>WWW-Authenticate: Basic realm="mlflow"</c>, 403 <c>Permission denied</c>.
/// </summary>
internal sealed class MlflowAuthMiddleware(RequestDelegate next, IAuthStore auth, CredentialCache cache, AuthOptions options)
{
    public const string UserKey = "fathom.user";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (AuthRules.IsPublic(path))
        {
            await next(context);
            return;
        }

        var user = await AuthenticateAsync(context);
        if (user is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"mlflow\"";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("You are not authenticated. Send HTTP Basic credentials (clients read MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD).", context.RequestAborted);
            return;
        }

        context.Items[UserKey] = user;
        // The endpoints see the caller as ASP.NET's user, so they need not know about basic-auth.
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Username)], "Basic"));
        var requirement = AuthRules.For(context.Request.Method, path);
        JsonObject parameters;
        try
        {
            parameters = await RequestParameters.ReadAsync(context, path, context.RequestAborted);
        }
        catch (TrackingException e)
        {
            await MlflowErrors.WriteAsync(context.Response, e, context.RequestAborted);
            return;
        }

        var store = context.RequestServices.GetRequiredService<ITrackingStore>();
        if (!user.IsAdmin && !await IsAllowedAsync(context, store, user, requirement, path, parameters))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("Permission denied", context.RequestAborted);
            return;
        }

        await AuthAfterHooks.RunAsync(context, next, auth, options, store, user, path, parameters);
    }

    private async Task<AuthUser?> AuthenticateAsync(HttpContext context)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
        if (cache.Get(username, password) is { } cached)
        {
            return cached;
        }

        var user = await auth.AuthenticateAsync(username, password, context.RequestAborted);
        if (user is not null)
        {
            cache.Add(username, password, user);
        }

        return user;
    }

    private async Task<bool> IsAllowedAsync(HttpContext context, ITrackingStore store, AuthUser user, AuthRequirement requirement, string path, JsonObject parameters)
    {
        var ct = context.RequestAborted;
        switch (requirement.Resource)
        {
            case AuthResource.None:
                return true;
            case AuthResource.AdminOnly:
                return false;
            case AuthResource.AdminOrSelf:
                return RequestParameters.String(parameters, "username") == user.Username;
            case AuthResource.Experiment:
                var experimentId = RequestParameters.String(parameters, "experiment_id");
                if (experimentId is null && RequestParameters.String(parameters, "experiment_name") is { } name)
                {
                    experimentId = (await store.GetExperimentByNameAsync(name, ct))?.ExperimentId;
                }

                return experimentId is null || await ExperimentAllowsAsync(user, experimentId, requirement.Access, ct);
            case AuthResource.Run:
                var runId = RequestParameters.String(parameters, "run_id") ?? RequestParameters.String(parameters, "run_uuid");
                return runId is null || await RunAllowsAsync(store, user, runId, requirement.Access, ct);
            case AuthResource.Runs:
                foreach (var id in RequestParameters.List(parameters, "run_ids").Concat(RequestParameters.List(parameters, "run_id")))
                {
                    if (!await RunAllowsAsync(store, user, id, requirement.Access, ct))
                    {
                        return false;
                    }
                }

                return true;
            case AuthResource.RegisteredModel:
                var model = RequestParameters.String(parameters, "name");
                return model is null || (await auth.GetRegisteredModelPermissionAsync(model, user.Username, ct))?.Permission is var grant
                    && (grant ?? options.DefaultPermission).Allows(requirement.Access);
            case AuthResource.ArtifactPath:
                var experiment = AuthRules.ExperimentOfArtifactPath(path)
                    ?? AuthRules.ExperimentOfArtifactPath("/api/2.0/mlflow-artifacts/artifacts/" + (RequestParameters.String(parameters, "path") ?? ""));
                return experiment is null ? options.DefaultPermission.Allows(requirement.Access) : await ExperimentAllowsAsync(user, experiment, requirement.Access, ct);
            default:
                return false;
        }
    }

    private async Task<bool> RunAllowsAsync(ITrackingStore store, AuthUser user, string runId, Access access, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        // An unknown run is left to the endpoint, which answers 404 as MLflow does.
        return run is null || await ExperimentAllowsAsync(user, run.Info.ExperimentId, access, cancellationToken);
    }

    private async Task<bool> ExperimentAllowsAsync(AuthUser user, string experimentId, Access access, CancellationToken cancellationToken)
    {
        var grant = await auth.GetExperimentPermissionAsync(experimentId, user.Username, cancellationToken);
        return (grant?.Permission ?? options.DefaultPermission).Allows(access);
    }
}
