using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Auth;

/// <summary>
/// Decides whether a signed-in user passes a route's <see cref="RoutePermission"/>, reading the resource from the one
/// parsed request; grants come from the auth store, the default permission fills in where there is none (MLflow's
/// basic-auth). Administrators pass everything.
/// </summary>
internal sealed class Authorizer(IAuthStore auth, AuthOptions options, ITrackingStore store, Jobs.IJobStore? jobs = null)
{
    public async Task<bool> AllowsAsync(AuthUser user, RoutePermission permission, MlflowRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(permission);
        ArgumentNullException.ThrowIfNull(request);
        if (user.IsAdmin)
        {
            return true;
        }

        switch (permission.Scope)
        {
            case PermissionScope.Public or PermissionScope.SignedIn:
                return true;
            case PermissionScope.AdminOnly:
                return false;
            case PermissionScope.Self:
                return string.Equals(Id(permission, request), user.Username, StringComparison.Ordinal);
            case PermissionScope.Experiment:
                return await ExperimentAllowsAsync(user, Id(permission, request) ?? throw Unnamed(permission), permission.Access, cancellationToken);
            case PermissionScope.ExperimentNamed:
                var named = await store.GetExperimentByNameAsync(Id(permission, request) ?? throw Unnamed(permission), cancellationToken);
                // An unknown name is left to the handler, which answers 404 as MLflow's validator does.
                return named is null || await ExperimentAllowsAsync(user, named.ExperimentId, permission.Access, cancellationToken);
            case PermissionScope.Run:
                return Id(permission, request) is not { } runId || await RunAllowsAsync(user, runId, permission.Access, cancellationToken);
            case PermissionScope.Runs:
                foreach (var each in permission.Ids!(request))
                {
                    if (!await RunAllowsAsync(user, each, permission.Access, cancellationToken))
                    {
                        return false;
                    }
                }

                return true;
            case PermissionScope.Experiments:
                var experiments = permission.Ids!(request);
                foreach (var each in experiments)
                {
                    if (!await ExperimentAllowsAsync(user, each, permission.Access, cancellationToken))
                    {
                        return false;
                    }
                }

                return experiments.Count > 0;
            case PermissionScope.Trace:
                var trace = store is ITraceStore traces ? await traces.GetTraceInfoAsync(Id(permission, request) ?? throw Unnamed(permission), cancellationToken) : null;
                return trace is not null && await ExperimentAllowsAsync(user, trace.ExperimentId, permission.Access, cancellationToken);
            case PermissionScope.LoggedModel:
                if (Id(permission, request) is not { } modelId)
                {
                    return true;
                }

                var model = store is ILoggedModelStore models ? await models.GetLoggedModelAsync(modelId, cancellationToken) : null;
                return model is not null && await ExperimentAllowsAsync(user, model.ExperimentId, permission.Access, cancellationToken);
            case PermissionScope.Model:
                var grant = await auth.GetRegisteredModelPermissionAsync(Id(permission, request) ?? throw Unnamed(permission), user.Username, cancellationToken);
                return (grant?.Permission ?? options.DefaultPermission).Allows(permission.Access);
            case PermissionScope.ArtifactPath:
                if (Id(permission, request) is not { } path)
                {
                    return true;
                }

                return ExperimentOfArtifactPath(path) is { } experiment
                    ? await ExperimentAllowsAsync(user, experiment, permission.Access, cancellationToken)
                    : options.DefaultPermission.Allows(permission.Access);
            case PermissionScope.JobProject:
                return await ProjectAllowsAsync(user, Id(permission, request) ?? throw Unnamed(permission), permission.Access, cancellationToken);
            case PermissionScope.JobRun:
                var jobRun = jobs is null ? null : await jobs.GetRunAsync(Id(permission, request) ?? throw Unnamed(permission), cancellationToken);
                // An unknown run is left to the handler, which answers 404.
                return jobRun is null || await ProjectAllowsAsync(user, jobRun.Project, permission.Access, cancellationToken);
            default:
                return false;
        }
    }

    /// <summary>Whether the user may read a job project: for narrowing a list of projects to what the caller may see.</summary>
    public Task<bool> CanReadProjectAsync(AuthUser user, string project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsAdmin ? Task.FromResult(true) : ProjectAllowsAsync(user, project, Access.Read, cancellationToken);
    }

    // As for experiments: a user's grant on the project, else the default permission; the owner (who created it) has
    // MANAGE, as MLflow grants an experiment's creator. A project that does not exist is left to the handler.
    private async Task<bool> ProjectAllowsAsync(AuthUser user, string project, Access access, CancellationToken cancellationToken)
    {
        var found = jobs is null ? null : await jobs.GetProjectAsync(project, cancellationToken);
        if (found is null || string.Equals(found.Owner, user.Username, StringComparison.Ordinal))
        {
            return true;
        }

        var grant = await auth.GetProjectPermissionAsync(found.Name, user.Username, cancellationToken);
        return (grant ?? options.DefaultPermission).Allows(access);
    }

    /// <summary>Whether the user may read a registered model: for narrowing a list of endpoints to what the caller may see.</summary>
    public async Task<bool> CanReadModelAsync(AuthUser user, string model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsAdmin)
        {
            return true;
        }

        var grant = await auth.GetRegisteredModelPermissionAsync(model, user.Username, cancellationToken);
        return (grant?.Permission ?? options.DefaultPermission).Allows(Access.Read);
    }

    /// <summary>Whether the user may read an experiment: for narrowing searches to what the caller may see.</summary>
    public Task<bool> CanReadExperimentAsync(AuthUser user, string experimentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsAdmin ? Task.FromResult(true) : ExperimentAllowsAsync(user, experimentId, Access.Read, cancellationToken);
    }

    /// <summary>
    /// The experiment id that leads a normalised artifact path (<c>^(\d+)(/|$)</c>), in its canonical form, or null.
    /// </summary>
    public static string? ExperimentOfArtifactPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var digits = 0;
        while (digits < path.Length && char.IsAsciiDigit(path[digits]))
        {
            digits++;
        }

        return digits > 0 && (digits == path.Length || path[digits] == '/') ? MlflowResources.CanonicalExperimentId(path[..digits]) : null;
    }

    private static string? Id(RoutePermission permission, MlflowRequest request) => permission.Id!(request);

    private static InvalidOperationException Unnamed(RoutePermission permission) =>
        new($"The route's permission ({permission.Describes}) named no resource; its accessor must return one or throw.");

    private async Task<bool> RunAllowsAsync(AuthUser user, string runId, Access access, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        // An unknown run is left to the handler, which answers 404 as MLflow does.
        return run is null || await ExperimentAllowsAsync(user, run.Info.ExperimentId, access, cancellationToken);
    }

    private async Task<bool> ExperimentAllowsAsync(AuthUser user, string experimentId, Access access, CancellationToken cancellationToken)
    {
        var grant = await auth.GetExperimentPermissionAsync(MlflowResources.CanonicalExperimentId(experimentId), user.Username, cancellationToken);
        return (grant?.Permission ?? options.DefaultPermission).Allows(access);
    }
}
