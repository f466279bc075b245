namespace Fathom.Search;

/// <summary>What is searched: each has its own identifiers and orderable keys.</summary>
internal enum SearchTarget
{
    Runs,
    Experiments,
    RegisteredModels,
    ModelVersions,
    Traces,
    LoggedModels,
}
