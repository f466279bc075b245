using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// The model registry port (MLflow's model registry store): registered models, their numbered versions, tags,
/// stages and aliases. SQLite, PostgreSQL and the MLflow REST client implement it, so the CLI and the server have
/// one code path whatever the backend. Refusals are <see cref="TrackingException"/>s carrying MLflow's error codes.
/// </summary>
internal interface IModelRegistryStore
{
    /// <summary>Creates a model; a name in use is RESOURCE_ALREADY_EXISTS.</summary>
    Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken);

    /// <summary>The model with this exact name, or null.</summary>
    Task<RegisteredModel?> GetRegisteredModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets the description (even to empty).</summary>
    Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken);

    /// <summary>Renames a model; its versions, tags and aliases follow.</summary>
    Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken);

    /// <summary>Deletes a model with its versions, tags and aliases (a hard delete, as MLflow's).</summary>
    Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Models matching a filter on <c>name</c> and <c>tags.&lt;key&gt;</c>, one page at a time.</summary>
    Task<RegisteredModelsPage> SearchRegisteredModelsAsync(RegistrySearch search, CancellationToken cancellationToken);

    /// <summary>The highest version in each of <paramref name="stages"/> (every stage when empty).</summary>
    Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string> stages, CancellationToken cancellationToken);

    /// <summary>Sets (upserts) a tag on a model.</summary>
    Task SetRegisteredModelTagAsync(string name, Tag tag, CancellationToken cancellationToken);

    /// <summary>Removes a tag from a model; an absent tag is no error.</summary>
    Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken);

    /// <summary>Points an alias at a version, creating or moving it; the move is recorded in the alias history as <paramref name="actor"/>'s.</summary>
    Task SetRegisteredModelAliasAsync(string name, string alias, long version, string? actor, CancellationToken cancellationToken);

    /// <summary>Removes an alias (recorded in the alias history); an absent alias is no error.</summary>
    Task DeleteRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken);

    /// <summary>
    /// Moves an alias back to where its last recorded move took it from (recorded as a rollback, so a second rollback
    /// undoes the first); an alias with no earlier version is INVALID_PARAMETER_VALUE.
    /// </summary>
    Task<AliasHistoryEntry> RollbackRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken);

    /// <summary>Every recorded move of the model's aliases and stages (only <paramref name="alias"/>'s when given), newest first.</summary>
    Task<IReadOnlyList<AliasHistoryEntry>> GetAliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken);

    /// <summary>The version an alias points at (<c>latest</c>: the highest version); an unknown alias is INVALID_PARAMETER_VALUE.</summary>
    Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>Registers the next version of an existing model; it starts READY in stage <c>None</c>.</summary>
    Task<ModelVersion> CreateModelVersionAsync(CreateModelVersionRequest request, CancellationToken cancellationToken);

    /// <summary>The version, or null when it does not exist or was deleted.</summary>
    Task<ModelVersion?> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken);

    /// <summary>Sets a version's description.</summary>
    Task<ModelVersion> UpdateModelVersionAsync(string name, long version, string? description, CancellationToken cancellationToken);

    /// <summary>Deletes a version (its number is never reused) and the aliases pointing at it.</summary>
    Task DeleteModelVersionAsync(string name, long version, CancellationToken cancellationToken);

    /// <summary>Moves a version to a stage (recorded in the history); optionally archives the other versions in that stage (Staging or Production only).</summary>
    Task<ModelVersion> TransitionModelVersionStageAsync(string name, long version, string stage, bool archiveExistingVersions, string? actor, CancellationToken cancellationToken);

    /// <summary>Versions matching a filter on <c>name</c>, <c>run_id</c>, <c>source_path</c>, <c>version_number</c> and tags.</summary>
    Task<ModelVersionsPage> SearchModelVersionsAsync(RegistrySearch search, CancellationToken cancellationToken);

    /// <summary>Sets (upserts) a tag on a version.</summary>
    Task SetModelVersionTagAsync(string name, long version, Tag tag, CancellationToken cancellationToken);

    /// <summary>Removes a tag from a version; an absent tag is no error.</summary>
    Task DeleteModelVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken);

    /// <summary>Where a version's files can be downloaded from: its storage location, normally its source.</summary>
    Task<string> GetModelVersionDownloadUriAsync(string name, long version, CancellationToken cancellationToken);
}
