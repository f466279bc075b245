using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// A run ready for an executor: the component with every param resolved and typed, its run section rendered and read
/// again, and what the executor must add to the job's environment (inputs with <c>toEnv</c>).
/// </summary>
internal sealed record CompiledJob(
    string Name,
    string? Description,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyDictionary<string, object?> Outputs,
    RunSpec Run,
    ConfigMap RenderedRun,
    TerminationSpec? Termination,
    IReadOnlyDictionary<string, string> InputEnvironment,
    JobGlobals Globals,
    string File)
{
    /// <summary>The main container of a job or service (a DAG has none of its own).</summary>
    public ContainerSpec? Container => Run switch
    {
        JobRunSpec job => job.Container,
        ServiceRunSpec service => service.Container,
        _ => null,
    };
}
