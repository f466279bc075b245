namespace Fathom.Cli.Tests;

/// <summary>
/// Tests that set the process's environment variables or working folder (the SDK reads them): their collection runs
/// alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentGroup
{
    public const string Name = "process environment";
}
