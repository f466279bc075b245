namespace Fathom.Auth;

/// <summary>What a request's permission is checked against.</summary>
internal enum AuthResource
{
    /// <summary>Nothing: any authenticated user may call it.</summary>
    None,

    /// <summary>The experiment named by <c>experiment_id</c> (or <c>experiment_name</c>).</summary>
    Experiment,

    /// <summary>The experiment of the run named by <c>run_id</c> / <c>run_uuid</c>.</summary>
    Run,

    /// <summary>Every run of <c>run_ids</c>.</summary>
    Runs,

    /// <summary>The registered model named by <c>name</c>.</summary>
    RegisteredModel,

    /// <summary>The experiment whose id leads the artifact-proxy path.</summary>
    ArtifactPath,

    /// <summary>Only administrators (user management).</summary>
    AdminOnly,

    /// <summary>Administrators, or the user the request names (<c>username</c>).</summary>
    AdminOrSelf,
}
