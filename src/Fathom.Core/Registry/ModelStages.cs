using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// MLflow's model version stages. Input is case-insensitive and canonicalised; a deleted version is kept in the
/// internal stage <see cref="DeletedInternal"/> so its number stays taken and every API ignores it.
/// </summary>
internal static class ModelStages
{
    public const string None = "None";
    public const string Staging = "Staging";
    public const string Production = "Production";
    public const string Archived = "Archived";
    public const string DeletedInternal = "Deleted_Internal";

    public static readonly IReadOnlyList<string> All = [None, Staging, Production, Archived];

    /// <summary>The canonical spelling of a stage; anything else is INVALID_PARAMETER_VALUE.</summary>
    public static string Canonical(string? stage) =>
        All.FirstOrDefault(s => string.Equals(s, stage?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw TrackingException.Invalid($"Invalid Model Version stage: {stage}. Value must be one of {string.Join(", ", All)}.");

    /// <summary>The stages whose other versions can be archived by a transition.</summary>
    public static bool IsActive(string stage) => stage is Staging or Production;
}
