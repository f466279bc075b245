using System.Text.Json.Nodes;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// MLflow basic-auth's user and permission endpoints, under <c>/api/2.0/mlflow/</c> and <c>/ajax-api/2.0/mlflow/</c>,
/// mapped as MLflow RPCs: the same request reader, error shape and declared permissions as every other route.
/// </summary>
internal static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.ServiceProvider.GetRequiredService<MlflowState>();
        var auth = app.ServiceProvider.GetRequiredService<IAuthStore>();
        var credentials = app.ServiceProvider.GetRequiredService<CredentialCache>();
        var self = RoutePermission.Self(MlflowResources.Username);
        var manageExperiment = RoutePermission.Experiment(Access.Manage, MlflowResources.GrantedExperimentId);
        var manageModel = RoutePermission.Model(Access.Manage, MlflowResources.ModelName);
        foreach (var prefix in MlflowTrackingApi.Prefixes)
        {
            var group = app.MapGroup(prefix + "/mlflow").WithTags("auth");
            Map(group, state, "POST", "/users/create", RoutePermission.AdminOnly, async (r, ct) =>
                new JsonObject { ["user"] = await UserJsonAsync(auth, await auth.CreateUserAsync(MlflowResources.Username(r), r.RequireString("password"), false, ct), ct) });
            Map(group, state, "GET", "/users/get", self, async (r, ct) =>
            {
                var name = MlflowResources.Username(r);
                var user = await auth.GetUserAsync(name, ct) ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"User with username={name} not found");
                return new JsonObject { ["user"] = await UserJsonAsync(auth, user, ct) };
            });
            Map(group, state, "PATCH", "/users/update-password", self, async (r, ct) =>
            {
                await auth.UpdatePasswordAsync(MlflowResources.Username(r), r.RequireString("password"), ct);
                credentials.Clear();
                return [];
            });
            Map(group, state, "PATCH", "/users/update-admin", RoutePermission.AdminOnly, async (r, ct) =>
            {
                await auth.UpdateAdminAsync(MlflowResources.Username(r), r.RequireFlag("is_admin"), ct);
                credentials.Clear();
                return [];
            });
            Map(group, state, "DELETE", "/users/delete", RoutePermission.AdminOnly, async (r, ct) =>
            {
                await auth.DeleteUserAsync(MlflowResources.Username(r), ct);
                credentials.Clear();
                return [];
            });

            Map(group, state, "POST", "/experiments/permissions/create", manageExperiment, async (r, ct) =>
                new JsonObject { ["experiment_permission"] = Json(await auth.CreateExperimentPermissionAsync(MlflowResources.GrantedExperimentId(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct)) });
            Map(group, state, "GET", "/experiments/permissions/get", manageExperiment, async (r, ct) =>
            {
                var (id, name) = (MlflowResources.GrantedExperimentId(r), MlflowResources.Username(r));
                var grant = await auth.GetExperimentPermissionAsync(id, name, ct)
                    ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Experiment permission with experiment_id={id} and username={name} not found");
                return new JsonObject { ["experiment_permission"] = Json(grant) };
            });
            Map(group, state, "PATCH", "/experiments/permissions/update", manageExperiment, async (r, ct) =>
            {
                await auth.UpdateExperimentPermissionAsync(MlflowResources.GrantedExperimentId(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct);
                return [];
            });
            Map(group, state, "DELETE", "/experiments/permissions/delete", manageExperiment, async (r, ct) =>
            {
                await auth.DeleteExperimentPermissionAsync(MlflowResources.GrantedExperimentId(r), MlflowResources.Username(r), ct);
                return [];
            });

            Map(group, state, "POST", "/registered-models/permissions/create", manageModel, async (r, ct) =>
                new JsonObject { ["registered_model_permission"] = Json(await auth.CreateRegisteredModelPermissionAsync(MlflowResources.ModelName(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct)) });
            Map(group, state, "GET", "/registered-models/permissions/get", manageModel, async (r, ct) =>
            {
                var (model, name) = (MlflowResources.ModelName(r), MlflowResources.Username(r));
                var grant = await auth.GetRegisteredModelPermissionAsync(model, name, ct)
                    ?? throw new TrackingException(ErrorCode.ResourceDoesNotExist, $"Registered model permission with name={model} and username={name} not found");
                return new JsonObject { ["registered_model_permission"] = Json(grant) };
            });
            Map(group, state, "PATCH", "/registered-models/permissions/update", manageModel, async (r, ct) =>
            {
                await auth.UpdateRegisteredModelPermissionAsync(MlflowResources.ModelName(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct);
                return [];
            });
            Map(group, state, "DELETE", "/registered-models/permissions/delete", manageModel, async (r, ct) =>
            {
                await auth.DeleteRegisteredModelPermissionAsync(MlflowResources.ModelName(r), MlflowResources.Username(r), ct);
                return [];
            });
        }

        return app;
    }

    private static void Map(RouteGroupBuilder group, MlflowState state, string method, string path, RoutePermission permission, Func<MlflowRequest, CancellationToken, Task<JsonObject>> action) =>
        MlflowRpc.Map(group, method, path, state, async (_, request, writer, ct) => (await action(request, ct)).WriteTo(writer), permission);

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
}
