using System.Globalization;
using System.Security.Claims;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// MLflow basic-auth in front of the server's routes, after routing has chosen the endpoint: HTTP Basic sign-in on
/// every request but to a <see cref="RoutePermission.Public"/> route, then every permission the chosen route
/// declares, checked on the one parsed request its handler will use, then the route's <see cref="AuthHook"/>s. A route
/// that declares no permission is refused: a route forgotten is closed, never open to any signed-in user.
/// Refusals have MLflow's statuses and JSON bodies: 401 with <c>WWW-Authenticate: Basic realm="mlflow"</c>, 403,
/// and 429 with <c>Retry-After</c> while sign-ins are throttled.
/// </summary>
internal sealed partial class MlflowAuthMiddleware(RequestDelegate next, BasicSignIn signIn, Authorizer authorizer, ILogger<MlflowAuthMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var permissions = endpoint?.Metadata.GetOrderedMetadata<RoutePermission>() ?? [];
        if (permissions.Count > 0 && permissions.All(p => p.Scope == PermissionScope.Public))
        {
            await next(context);
            return;
        }

        var ct = context.RequestAborted;
        if (permissions.Count > 0 && permissions.All(p => p.Scope == PermissionScope.SignedUrl))
        {
            await SignedAsync(context, permissions, ct);
            return;
        }

        var (user, retryAfter) = await signIn.SignInAsync(context);
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await MlflowErrors.WriteAsync(context.Response, "REQUEST_LIMIT_EXCEEDED",
                $"Too many failed sign-ins; try again in {Math.Ceiling(wait.TotalSeconds)} seconds.", StatusCodes.Status429TooManyRequests, ct);
            return;
        }

        if (user is null)
        {
            // The dashboard signs in with its own form; a challenge would make the browser pop up its own dialog as well.
            if (!context.Request.Headers.ContainsKey(DashboardClientHeader))
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"mlflow\"";
            }

            await MlflowErrors.WriteAsync(context.Response, "UNAUTHENTICATED",
                "You are not authenticated. Send HTTP Basic credentials (clients read MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD).", StatusCodes.Status401Unauthorized, ct);
            return;
        }

        // The endpoints see the caller as ASP.NET's user, so they need not know about basic-auth.
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Username)], "Basic"));
        if (endpoint is not RouteEndpoint)
        {
            // No route (404) or routing's own answer (405, 415): nothing runs that a permission could guard.
            await next(context);
            return;
        }

        if (permissions.Count == 0)
        {
            LogUndeclared(logger, context.Request.Method, endpoint.DisplayName ?? context.Request.Path.Value ?? "");
            await Forbidden(context);
            return;
        }

        try
        {
            foreach (var permission in permissions)
            {
                if (!await authorizer.AllowsAsync(user, permission, permission.Id is null && permission.Ids is null ? EmptyRequest : await MlflowRequests.GetAsync(context, ct), ct))
                {
                    await Forbidden(context);
                    return;
                }
            }

            await AuthAfterHooks.RunAsync(context, next, endpoint.Metadata.GetOrderedMetadata<AuthHookMetadata>().Select(m => m.Hook).ToList(), user);
        }
        catch (TrackingException e) when (!context.Response.HasStarted)
        {
            // The request could not be read (too long, not JSON, a wrong type): the handler would refuse it the same way.
            await MlflowErrors.WriteAsync(context.Response, e, ct);
        }
    }

    /// <summary>A route whose URL is its permission: no sign-in, the signature decides.</summary>
    private async Task SignedAsync(HttpContext context, IReadOnlyList<RoutePermission> permissions, CancellationToken ct)
    {
        try
        {
            var request = await MlflowRequests.GetAsync(context, ct);
            if (!permissions.All(p => p.Verifies!(request)))
            {
                await Forbidden(context);
                return;
            }
        }
        catch (TrackingException e) when (!context.Response.HasStarted)
        {
            await MlflowErrors.WriteAsync(context.Response, e, ct);
            return;
        }

        await next(context);
    }

    /// <summary>Sent by the dashboard's page with every call: answer a missing or wrong sign-in without a Basic challenge.</summary>
    public const string DashboardClientHeader = "X-Fathom-Client";

    private static readonly MlflowRequest EmptyRequest = MlflowRequest.FromJson(default);

    private static Task Forbidden(HttpContext context) =>
        MlflowErrors.WriteAsync(context.Response, "PERMISSION_DENIED", "Permission denied", StatusCodes.Status403Forbidden, context.RequestAborted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused {Method} {Route}: the route declares no permission")]
    private static partial void LogUndeclared(ILogger logger, string method, string route);
}
