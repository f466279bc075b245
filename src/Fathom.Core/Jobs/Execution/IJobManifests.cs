namespace Fathom.Jobs;

/// <summary>An executor that creates objects (Kubernetes) rather than running a command: <c>--dry-run</c> prints them.</summary>
internal interface IJobManifests
{
    /// <summary>The objects it would create for <paramref name="launch"/>, as YAML documents.</summary>
    string Manifests(JobLaunch launch);
}
