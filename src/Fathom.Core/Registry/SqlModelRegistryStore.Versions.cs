using System.Data.Common;
using System.Globalization;
using Fathom.Search;
using Fathom.Tracking;

namespace Fathom.Registry;

internal abstract partial class SqlModelRegistryStore
{
    // MLflow's SearchModelVersions accepts pages of up to 200,000 versions.
    private const int MaxVersionResults = 200_000;

    public async Task<ModelVersion> CreateModelVersionAsync(CreateModelVersionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryValidation.ValidateModelName(request.Name);
        RegistryValidation.ValidateSource(request.Source);
        var tags = request.Tags ?? [];
        foreach (var tag in tags)
        {
            RegistryValidation.ValidateTag(tag);
        }

        return await WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, request.Name, cancellationToken);
            var storage = await ResolveStorageLocationAsync(connection, transaction, request.Source, cancellationToken);
            // Deleted versions keep their rows, so MAX over every row never hands out a number twice.
            var last = await ScalarAsync(connection, transaction, "SELECT MAX(version) FROM model_versions WHERE name = @name;", cancellationToken, ("@name", request.Name));
            var version = (last is null ? 0 : Convert.ToInt64(last, CultureInfo.InvariantCulture)) + 1;
            var now = NowMs();
            await ExecuteAsync(connection, transaction, """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, storage_location, run_id, run_link, status, status_message)
                VALUES (@name, @version, @now, @now, @description, @user, @stage, @source, @storage, @run, @link, 'READY', NULL);
                """, cancellationToken, ("@name", request.Name), ("@version", version), ("@now", now), ("@description", request.Description), ("@user", request.UserId),
                ("@stage", ModelStages.None), ("@source", request.Source), ("@storage", storage), ("@run", EmptyAsNull(request.RunId)), ("@link", EmptyAsNull(request.RunLink)));
            foreach (var tag in tags)
            {
                await UpsertVersionTagAsync(connection, transaction, request.Name, version, tag, cancellationToken);
            }

            await TouchModelAsync(connection, transaction, request.Name, now, cancellationToken);
            return await ReadVersionAsync(connection, transaction, request.Name, version, cancellationToken);
        }, cancellationToken);
    }

    public Task<ModelVersion?> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken) =>
        ReadAsync(async connection => (await ReadVersionsAsync(connection, null, VersionByNumber(name, version), cancellationToken)).SingleOrDefault(), cancellationToken);

    public Task<ModelVersion> UpdateModelVersionAsync(string name, long version, string? description, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET description = @description, last_updated_time = @now WHERE name = @name AND version = @version;",
                cancellationToken, ("@description", description), ("@now", NowMs()), ("@name", name), ("@version", version));
            return await ReadVersionAsync(connection, transaction, name, version, cancellationToken);
        }, cancellationToken);
    }

    public Task DeleteModelVersionAsync(string name, long version, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            var now = NowMs();
            // MLflow keeps the row (so the number stays taken) but redacts where the files were and who made them.
            await ExecuteAsync(connection, transaction, """
                UPDATE model_versions SET current_stage = @deleted, last_updated_time = @now, description = NULL, user_id = NULL,
                    source = 'REDACTED-SOURCE-PATH', storage_location = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL
                WHERE name = @name AND version = @version;
                """, cancellationToken, ("@deleted", ModelStages.DeletedInternal), ("@now", now), ("@name", name), ("@version", version));
            // The aliases that pointed at it go too; each such removal is a move the history keeps (by nobody known).
            foreach (var alias in await AliasesOfVersionAsync(connection, transaction, name, version, cancellationToken))
            {
                await RecordAsync(connection, transaction, name, AliasHistoryEntry.AliasKind, alias, AliasHistoryEntry.DeleteAction, version, null, null, cancellationToken);
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_aliases WHERE name = @name AND version = @version;", cancellationToken, ("@name", name), ("@version", version));
            await TouchModelAsync(connection, transaction, name, now, cancellationToken);
        }, cancellationToken);
    }

    public Task<ModelVersion> TransitionModelVersionStageAsync(string name, long version, string stage, bool archiveExistingVersions, string? actor, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        var target = ModelStages.Canonical(stage);
        if (archiveExistingVersions && !ModelStages.IsActive(target))
        {
            // MLflow answers this with its generic error code (HTTP 500), not INVALID_PARAMETER_VALUE.
            throw new TrackingException(ErrorCode.InternalError,
                $"Model version transition cannot archive existing model versions because '{target}' is not an Active stage. Valid stages are ['{ModelStages.Staging}', '{ModelStages.Production}']");
        }

        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            var previous = await NewestInStageAsync(connection, transaction, name, target, cancellationToken);
            var now = NowMs();
            if (archiveExistingVersions)
            {
                await ExecuteAsync(connection, transaction, "UPDATE model_versions SET current_stage = @archived, last_updated_time = @now WHERE name = @name AND version <> @version AND current_stage = @stage;",
                    cancellationToken, ("@archived", ModelStages.Archived), ("@now", now), ("@name", name), ("@version", version), ("@stage", target));
            }

            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET current_stage = @stage, last_updated_time = @now WHERE name = @name AND version = @version;",
                cancellationToken, ("@stage", target), ("@now", now), ("@name", name), ("@version", version));
            await RecordAsync(connection, transaction, name, AliasHistoryEntry.StageKind, target, AliasHistoryEntry.TransitionAction, previous, version, actor, cancellationToken);
            await TouchModelAsync(connection, transaction, name, now, cancellationToken);
            return await ReadVersionAsync(connection, transaction, name, version, cancellationToken);
        }, cancellationToken);
    }

    public async Task<ModelVersionsPage> SearchModelVersionsAsync(RegistrySearch search, CancellationToken cancellationToken)
    {
        var (versions, token) = await SearchAsync(search, SearchTarget.ModelVersions, MaxVersionResults, RegistrySearchSql.ModelVersions, ReadVersionsAsync, cancellationToken);
        return new ModelVersionsPage(versions, token);
    }

    public Task SetModelVersionTagAsync(string name, long version, Tag tag, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateTag(tag);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            await UpsertVersionTagAsync(connection, transaction, name, version, tag, cancellationToken);
        }, cancellationToken);
    }

    public Task DeleteModelVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        TrackingValidation.ValidateKey(key, "tag");
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            await ExecuteAsync(connection, transaction, "DELETE FROM model_version_tags WHERE name = @name AND version = @version AND key = @key;",
                cancellationToken, ("@name", name), ("@version", version), ("@key", key));
        }, cancellationToken);
    }

    public Task<string> GetModelVersionDownloadUriAsync(string name, long version, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, "SELECT storage_location, source FROM model_versions WHERE name = @name AND version = @version AND current_stage <> @deleted;",
                ("@name", name), ("@version", version), ("@deleted", ModelStages.DeletedInternal));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw RegistryErrors.VersionNotFound(name, version);
            }

            return NullableString(reader, 0) ?? reader.GetString(1);
        }, cancellationToken);
    }

    /// <summary>
    /// Where a source's files really are: a <c>models:/name/version</c> source is that version's location (MLflow's rule),
    /// and a <c>runs:/run-id/path</c> source of a run in this store is the run's artifact folder, so download URIs are
    /// usable without a tracking client to resolve them. A <c>models:/name@alias</c> source is the location of the
    /// version the alias points at when registering (MLflow's store fails such a source): the alias may move later,
    /// the files of this version do not.
    /// </summary>
    private async Task<string> ResolveStorageLocationAsync(DbConnection connection, DbTransaction transaction, string source, CancellationToken cancellationToken)
    {
        if (ModelUris.TryParseAliasUri(source, out var aliased, out var alias))
        {
            var version = await AliasedVersionAsync(connection, transaction, aliased, alias, cancellationToken);
            return await ResolveStorageLocationAsync(connection, transaction, $"models:/{aliased}/{version.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        }

        if (ModelUris.TryParseLoggedModelUri(source, out var modelId))
        {
            // MLflow 3's register_model("models:/m-…"): the version's files are the logged model's.
            var artifacts = await ScalarAsync(connection, transaction,
                "SELECT artifact_location FROM logged_models WHERE model_id = @id AND lifecycle_stage = 'active';", cancellationToken, ("@id", modelId));
            return artifacts as string ?? throw TrackingException.NotFound($"Logged model with ID '{modelId}' not found.");
        }

        if (ModelUris.TryParseModelsUri(source, out var model, out var modelVersion))
        {
            var location = await ScalarAsync(connection, transaction,
                "SELECT COALESCE(storage_location, source) FROM model_versions WHERE name = @name AND version = @version AND current_stage <> @deleted;",
                cancellationToken, ("@name", model), ("@version", modelVersion), ("@deleted", ModelStages.DeletedInternal));
            return location as string ?? throw RegistryErrors.VersionNotFound(model, modelVersion);
        }

        if (ModelUris.TryParseRunsUri(source, out var runId, out var path))
        {
            var artifactUri = await ScalarAsync(connection, transaction, "SELECT artifact_uri FROM runs WHERE run_uuid = @run;", cancellationToken, ("@run", runId)) as string;
            return artifactUri is null ? source : path.Length == 0 ? artifactUri : ArtifactLocations.Join(artifactUri, path);
        }

        return source;
    }

    private static async Task UpsertVersionTagAsync(DbConnection connection, DbTransaction transaction, string name, long version, Tag tag, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, """
            INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value)
            ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value;
            """, cancellationToken, ("@name", name), ("@version", version), ("@key", tag.Key), ("@value", tag.Value ?? string.Empty));

    private static string? EmptyAsNull(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
