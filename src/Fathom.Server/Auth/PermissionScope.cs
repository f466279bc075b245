namespace Fathom.Auth;

/// <summary>What kind of resource a <see cref="RoutePermission"/> is checked on.</summary>
internal enum PermissionScope
{
    Public,
    SignedIn,
    AdminOnly,
    Self,
    Experiment,
    ExperimentNamed,
    Run,
    Runs,
    Model,
    ArtifactPath,
    SignedUrl,
    Experiments,
    Trace,
    LoggedModel,
    JobProject,
    JobRun,
}
