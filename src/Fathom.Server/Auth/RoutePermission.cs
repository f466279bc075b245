using Fathom.Mlflow;

namespace Fathom.Auth;

/// <summary>
/// What a route asks of its caller, declared as endpoint metadata where the route is mapped (MLflow basic-auth's
/// validators, one per route). The protected resource is read from the request by a function the handler calls
/// too, over the one parsed <see cref="MlflowRequest"/>, so the check and the handler cannot look at different
/// parameters. A route may carry several: the caller must pass every one. A route that declares none is refused
/// (see <see cref="MlflowAuthMiddleware"/>), and a test fails for it.
/// </summary>
internal sealed record RoutePermission
{
    private RoutePermission(PermissionScope scope, Access access, string describes)
    {
        Scope = scope;
        Access = access;
        Describes = describes;
    }

    public PermissionScope Scope { get; }

    public Access Access { get; }

    /// <summary>What the permission is about, for tests and logs: "READ on the run".</summary>
    public string Describes { get; }

    /// <summary>The resource's id (an experiment id or name, a run id, a model name, a user name, an artifact path); null means none is named.</summary>
    public Func<MlflowRequest, string?>? Id { get; private init; }

    /// <summary>Whether the request carries a valid signature of the server's, for a <see cref="PermissionScope.SignedUrl"/> route.</summary>
    public Func<MlflowRequest, bool>? Verifies { get; private init; }

    /// <summary>The resources' ids, for a route that names several runs.</summary>
    public Func<MlflowRequest, IReadOnlyList<string>>? Ids { get; private init; }

    /// <summary>No credentials asked (MLflow leaves <c>/health</c> open).</summary>
    public static RoutePermission Public { get; } = new(PermissionScope.Public, Access.Any, "no credentials");

    /// <summary>Any signed-in user (creating an experiment, searching: the results are narrowed afterwards).</summary>
    public static RoutePermission SignedIn { get; } = new(PermissionScope.SignedIn, Access.Any, "any signed-in user");

    /// <summary>Administrators only (user management).</summary>
    public static RoutePermission AdminOnly { get; } = new(PermissionScope.AdminOnly, Access.Manage, "an administrator");

    /// <summary>Administrators, or the user the request names.</summary>
    public static RoutePermission Self(Func<MlflowRequest, string> username) =>
        new(PermissionScope.Self, Access.Update, "an administrator or the user named") { Id = username };

    /// <summary><paramref name="access"/> on the experiment with the id the request names.</summary>
    public static RoutePermission Experiment(Access access, Func<MlflowRequest, string> id) =>
        new(PermissionScope.Experiment, access, $"{access} on the experiment") { Id = id };

    /// <summary>
    /// <paramref name="access"/> on every experiment the request names, at least one (MLflow basic-auth's trace search:
    /// an empty list is refused, not widened).
    /// </summary>
    public static RoutePermission Experiments(Access access, Func<MlflowRequest, IReadOnlyList<string>> ids) =>
        new(PermissionScope.Experiments, access, $"{access} on every experiment") { Ids = ids };

    /// <summary>
    /// <paramref name="access"/> on the experiment of the trace the request names; a trace that does not exist is refused
    /// (MLflow's basic-auth gives NO_PERMISSIONS there), so trace ids are no oracle for other users' traces.
    /// </summary>
    public static RoutePermission Trace(Access access, Func<MlflowRequest, string> requestId) =>
        new(PermissionScope.Trace, access, $"{access} on the trace's experiment") { Id = requestId };

    /// <summary>
    /// <paramref name="access"/> on the experiment of the logged model the request names (MLflow basic-auth's rule: a
    /// model's permission is its experiment's); a model that does not exist (or was deleted) is refused, as a trace is, so
    /// model ids are no oracle for other users' models. A null id names no model: nothing to check.
    /// </summary>
    public static RoutePermission LoggedModel(Access access, Func<MlflowRequest, string?> modelId) =>
        new(PermissionScope.LoggedModel, access, $"{access} on the logged model's experiment") { Id = modelId };

    /// <summary><paramref name="access"/> on the experiment with the name the request gives.</summary>
    public static RoutePermission ExperimentNamed(Access access, Func<MlflowRequest, string> name) =>
        new(PermissionScope.ExperimentNamed, access, $"{access} on the named experiment") { Id = name };

    /// <summary><paramref name="access"/> on the experiment of the run the request names (null: no run named, nothing to check).</summary>
    public static RoutePermission Run(Access access, Func<MlflowRequest, string?> id) =>
        new(PermissionScope.Run, access, $"{access} on the run") { Id = id };

    /// <summary><paramref name="access"/> on the experiment of every run the request names.</summary>
    public static RoutePermission Runs(Access access, Func<MlflowRequest, IReadOnlyList<string>> ids) =>
        new(PermissionScope.Runs, access, $"{access} on every run") { Ids = ids };

    /// <summary><paramref name="access"/> on the registered model the request names.</summary>
    public static RoutePermission Model(Access access, Func<MlflowRequest, string> name) =>
        new(PermissionScope.Model, access, $"{access} on the registered model") { Id = name };

    /// <summary>
    /// <paramref name="access"/> on the experiment whose id leads an artifact path (<c>&lt;experiment&gt;/&lt;run&gt;/…</c>,
    /// as MLflow lays out proxied artifacts); the default permission for a path led by no id. The function returns
    /// the path as the handler will use it: normalised, never raw.
    /// </summary>
    public static RoutePermission ArtifactPath(Access access, Func<MlflowRequest, string?> path) =>
        new(PermissionScope.ArtifactPath, access, $"{access} on the artifact path's experiment") { Id = path };

    /// <summary>
    /// No credentials, but a URL the server signed when a caller with the right asked for it (a multipart upload's part
    /// URLs, which MLflow's clients send without credentials as they would to a presigned S3 URL). The function is the
    /// one the handler checks too.
    /// </summary>
    public static RoutePermission SignedUrl(Func<MlflowRequest, bool> verifies) =>
        new(PermissionScope.SignedUrl, Access.Update, "a URL the server signed") { Verifies = verifies };

    /// <summary>
    /// <paramref name="access"/> on the job project the request names: its owner (who created it) has MANAGE, as an
    /// experiment's creator does; others have the default permission. A project that does not exist is left to the
    /// handler (submitting a run creates it, owned by the caller; reading it answers 404).
    /// </summary>
    public static RoutePermission JobProject(Access access, Func<MlflowRequest, string> project) =>
        new(PermissionScope.JobProject, access, $"{access} on the job project") { Id = project };

    /// <summary><paramref name="access"/> on the project of the job run the request names (a uuid or its first characters).</summary>
    public static RoutePermission JobRun(Access access, Func<MlflowRequest, string> uuid) =>
        new(PermissionScope.JobRun, access, $"{access} on the job run's project") { Id = uuid };
}
