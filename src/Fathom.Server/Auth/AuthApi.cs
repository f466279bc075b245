using System.Text.Json.Nodes;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>MLflow basic-auth's user and permission endpoints, under <c>/api/2.0/mlflow/</c> and <c>/ajax-api/2.0/mlflow/</c>.</summary>
internal static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/2.0/mlflow", "/ajax-api/2.0/mlflow" })
        {
            var group = app.MapGroup(prefix).WithTags("auth");
            group.MapPost("/users/create", (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                var user = await auth.CreateUserAsync(Required(p, "username"), Required(p, "password"), false, ct);
                return new JsonObject { ["user"] = await UserJsonAsync(auth, user, ct) };
            }));
            group.MapGet("/users/get", (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                var user = await auth.GetUserAsync(Required(p, "username"), ct) ?? throw UserNotFound(Required(p, "username"));
                return new JsonObject { ["user"] = await UserJsonAsync(auth, user, ct) };
            }));
            group.MapMethods("/users/update-password", ["PATCH"], (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.UpdatePasswordAsync(Required(p, "username"), Required(p, "password"), ct);
                return [];
            }, clearsCredentials: true));
            group.MapMethods("/users/update-admin", ["PATCH"], (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.UpdateAdminAsync(Required(p, "username"), ParseBool(Required(p, "is_admin")), ct);
                return [];
            }, clearsCredentials: true));
            group.MapDelete("/users/delete", (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.DeleteUserAsync(Required(p, "username"), ct);
                return [];
            }, clearsCredentials: true));

            group.MapPost("/experiments/permissions/create", (HttpContext c) => Handle(c, async (p, auth, ct) =>
                new JsonObject { ["experiment_permission"] = Json(await auth.CreateExperimentPermissionAsync(Required(p, "experiment_id"), Required(p, "username"), AccessLevel.Parse(Required(p, "permission")), ct)) }));
            group.MapGet("/experiments/permissions/get", (HttpContext c) => Handle(c, async (p, auth, ct) =>
                new JsonObject
                {
                    ["experiment_permission"] = Json(await auth.GetExperimentPermissionAsync(Required(p, "experiment_id"), Required(p, "username"), ct)
                        ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Experiment permission with experiment_id={Required(p, "experiment_id")} and username={Required(p, "username")} not found")),
                }));
            group.MapMethods("/experiments/permissions/update", ["PATCH"], (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.UpdateExperimentPermissionAsync(Required(p, "experiment_id"), Required(p, "username"), AccessLevel.Parse(Required(p, "permission")), ct);
                return [];
            }));
            group.MapDelete("/experiments/permissions/delete", (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.DeleteExperimentPermissionAsync(Required(p, "experiment_id"), Required(p, "username"), ct);
                return [];
            }));

            group.MapPost("/registered-models/permissions/create", (HttpContext c) => Handle(c, async (p, auth, ct) =>
                new JsonObject { ["registered_model_permission"] = Json(await auth.CreateRegisteredModelPermissionAsync(Required(p, "name"), Required(p, "username"), AccessLevel.Parse(Required(p, "permission")), ct)) }));
            group.MapGet("/registered-models/permissions/get", (HttpContext c) => Handle(c, async (p, auth, ct) =>
                new JsonObject
                {
                    ["registered_model_permission"] = Json(await auth.GetRegisteredModelPermissionAsync(Required(p, "name"), Required(p, "username"), ct)
                        ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Registered model permission with name={Required(p, "name")} and username={Required(p, "username")} not found")),
                }));
            group.MapMethods("/registered-models/permissions/update", ["PATCH"], (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.UpdateRegisteredModelPermissionAsync(Required(p, "name"), Required(p, "username"), AccessLevel.Parse(Required(p, "permission")), ct);
                return [];
            }));
            group.MapDelete("/registered-models/permissions/delete", (HttpContext c) => Handle(c, async (p, auth, ct) =>
            {
                await auth.DeleteRegisteredModelPermissionAsync(Required(p, "name"), Required(p, "username"), ct);
                return [];
            }));
        }

        return app;
    }

    private static async Task Handle(HttpContext context, Func<JsonObject, IAuthStore, CancellationToken, Task<JsonObject>> action, bool clearsCredentials = false)
    {
        var auth = context.RequestServices.GetRequiredService<IAuthStore>();
        try
        {
            var parameters = await RequestParameters.ReadAsync(context, context.Request.Path.Value ?? "/", context.RequestAborted);
            var result = await action(parameters, auth, context.RequestAborted);
            if (clearsCredentials)
            {
                context.RequestServices.GetRequiredService<CredentialCache>().Clear();
            }

            await Results.Content(result.ToJsonString(), "application/json").ExecuteAsync(context);
        }
        catch (TrackingException e)
        {
            var status = e.Code switch
            {
                ErrorCode.ResourceDoesNotExist => StatusCodes.Status404NotFound,
                ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
                ErrorCode.InvalidParameterValue or ErrorCode.ResourceAlreadyExists => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            };
            await Results.Content(new JsonObject { ["error_code"] = e.WireCode, ["message"] = e.Message }.ToJsonString(), "application/json", statusCode: status).ExecuteAsync(context);
        }
    }

    private static async Task<JsonObject> UserJsonAsync(IAuthStore auth, AuthUser user, CancellationToken ct) => new()
    {
        ["id"] = user.Id,
        ["username"] = user.Username,
        ["is_admin"] = user.IsAdmin,
        ["experiment_permissions"] = new JsonArray((await auth.ListExperimentPermissionsAsync(user.Id, ct)).Select(g => (JsonNode)Json(g)).ToArray()),
        ["registered_model_permissions"] = new JsonArray((await auth.ListRegisteredModelPermissionsAsync(user.Id, ct)).Select(g => (JsonNode)Json(g)).ToArray()),
    };

    private static JsonObject Json(ExperimentGrant grant) =>
        new() { ["experiment_id"] = grant.ExperimentId, ["user_id"] = grant.UserId, ["permission"] = grant.Permission.Name };

    private static JsonObject Json(RegisteredModelGrant grant) =>
        new() { ["name"] = grant.Name, ["user_id"] = grant.UserId, ["permission"] = grant.Permission.Name };

    private static string Required(JsonObject parameters, string name) =>
        RequestParameters.String(parameters, name) is { Length: > 0 } value
            ? value
            : throw new TrackingException(ErrorCode.InvalidParameterValue, $"Missing value for required parameter '{name}'. See the API docs for more information about request parameters.");

    private static bool ParseBool(string value) => value.ToUpperInvariant() switch
    {
        "TRUE" => true,
        "FALSE" => false,
        _ => throw new TrackingException(ErrorCode.InvalidParameterValue, $"Invalid boolean value: {value}, must be 'true' or 'false'."),
    };

    private static TrackingException UserNotFound(string username) =>
        new(ErrorCode.ResourceDoesNotExist, $"User with username={username} not found");
}
