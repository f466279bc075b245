using System.Data.Common;
using Fathom.Search;
using Fathom.Tracking;

namespace Fathom.Registry;

internal abstract partial class SqlModelRegistryStore
{
    // MLflow's SearchRegisteredModels: at most 1,000 per page.
    private const int MaxModelResults = 1000;

    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            RegistryValidation.ValidateTag(tag);
        }

        try
        {
            return await WriteAsync(async (connection, transaction) =>
            {
                if (await ScalarAsync(connection, transaction, "SELECT name FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)) is not null)
                {
                    throw RegistryErrors.ModelExists(name);
                }

                var now = NowMs();
                await ExecuteAsync(connection, transaction, """
                    INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (@name, @now, @now, @description);
                    """, cancellationToken, ("@name", name), ("@now", now), ("@description", description));
                foreach (var tag in tags)
                {
                    await UpsertModelTagAsync(connection, transaction, name, tag, cancellationToken);
                }

                return await ReadModelAsync(connection, transaction, name, cancellationToken);
            }, cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            // Another writer created it between the check and the insert (PostgreSQL only; SQLite writers queue).
            throw RegistryErrors.ModelExists(name);
        }
    }

    public Task<RegisteredModel?> GetRegisteredModelAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(async connection => (await ReadModelsAsync(connection, null, ModelByName(name), cancellationToken)).SingleOrDefault(), cancellationToken);

    public Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET description = @description, last_updated_time = @now WHERE name = @name;",
                cancellationToken, ("@description", description), ("@now", NowMs()), ("@name", name));
            return await ReadModelAsync(connection, transaction, name, cancellationToken);
        }, cancellationToken);
    }

    public Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateModelName(newName);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            if (await ScalarAsync(connection, transaction, "SELECT name FROM registered_models WHERE name = @name;", cancellationToken, ("@name", newName)) is not null)
            {
                throw RegistryErrors.ModelExists(newName);
            }

            // The foreign keys cascade the new name to versions, tags and aliases (ON UPDATE CASCADE).
            var now = NowMs();
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET name = @new, last_updated_time = @now WHERE name = @old;",
                cancellationToken, ("@new", newName), ("@now", now), ("@old", name));
            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET last_updated_time = @now WHERE name = @name;", cancellationToken, ("@now", now), ("@name", newName));
            return await ReadModelAsync(connection, transaction, newName, cancellationToken);
        }, cancellationToken);
    }

    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return WriteAsync(async (connection, transaction) =>
        {
            // Versions, tags and aliases go with it (ON DELETE CASCADE), so the name can be registered afresh from version 1.
            if (await ExecuteAsync(connection, transaction, "DELETE FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)) == 0)
            {
                throw RegistryErrors.ModelNotFound(name);
            }
        }, cancellationToken);
    }

    public async Task<RegisteredModelsPage> SearchRegisteredModelsAsync(RegistrySearch search, CancellationToken cancellationToken)
    {
        var (models, token) = await SearchAsync(search, SearchTarget.RegisteredModels, MaxModelResults, RegistrySearchSql.RegisteredModels, ReadModelsAsync, cancellationToken);
        return new RegisteredModelsPage(models, token);
    }

    public async Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string> stages, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        var wanted = (stages is { Count: > 0 } ? stages : ModelStages.All).Select(ModelStages.Canonical).Distinct().ToList();
        return await ReadAsync<IReadOnlyList<ModelVersion>>(async connection =>
        {
            await RequireModelAsync(connection, null, name, cancellationToken);
            var parameters = new List<KeyValuePair<string, object>> { new("@m0", name) };
            parameters.AddRange(wanted.Select((stage, i) => new KeyValuePair<string, object>($"@st{i}", stage)));
            var tail = new SqlQuery(
                $"FROM model_versions mv WHERE mv.name = @m0 AND mv.current_stage IN ({string.Join(", ", wanted.Select((_, i) => $"@st{i}"))}) AND {LatestPerStage} ORDER BY mv.version",
                parameters);
            return await ReadVersionsAsync(connection, null, tail, cancellationToken);
        }, cancellationToken);
    }

    public Task SetRegisteredModelTagAsync(string name, Tag tag, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateTag(tag);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            await UpsertModelTagAsync(connection, transaction, name, tag, cancellationToken);
        }, cancellationToken);
    }

    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        TrackingValidation.ValidateKey(key, "tag");
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_tags WHERE name = @name AND key = @key;", cancellationToken, ("@name", name), ("@key", key));
        }, cancellationToken);
    }

    public Task SetRegisteredModelAliasAsync(string name, string alias, long version, string? actor, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateAlias(alias);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            var before = await CurrentAliasVersionAsync(connection, transaction, name, alias, cancellationToken);
            await ExecuteAsync(connection, transaction, """
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (@name, @alias, @version)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version;
                """, cancellationToken, ("@name", name), ("@alias", alias), ("@version", version));
            if (before != version)
            {
                await RecordAsync(connection, transaction, name, AliasHistoryEntry.AliasKind, alias, AliasHistoryEntry.SetAction, before, version, actor, cancellationToken);
            }
        }, cancellationToken);
    }

    public Task DeleteRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateAlias(alias);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            var before = await CurrentAliasVersionAsync(connection, transaction, name, alias, cancellationToken);
            await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_aliases WHERE name = @name AND alias = @alias;", cancellationToken, ("@name", name), ("@alias", alias));
            if (before is not null)
            {
                await RecordAsync(connection, transaction, name, AliasHistoryEntry.AliasKind, alias, AliasHistoryEntry.DeleteAction, before, null, actor, cancellationToken);
            }
        }, cancellationToken);
    }

    public Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return ReadAsync(async connection =>
            await ReadVersionAsync(connection, null, name, await AliasedVersionAsync(connection, null, name, alias, cancellationToken), cancellationToken), cancellationToken);
    }

    /// <summary>The version an alias points at; the reserved alias 'latest' always means the highest live version.</summary>
    private async Task<long> AliasedVersionAsync(DbConnection connection, DbTransaction? transaction, string name, string alias, CancellationToken cancellationToken)
    {
        object? version;
        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase))
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            version = await ScalarAsync(connection, transaction, "SELECT MAX(version) FROM model_versions WHERE name = @name AND current_stage <> @deleted;",
                cancellationToken, ("@name", name), ("@deleted", ModelStages.DeletedInternal));
        }
        else
        {
            version = await ScalarAsync(connection, transaction, "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias;",
                cancellationToken, ("@name", name), ("@alias", alias));
        }

        return version is null ? throw RegistryErrors.AliasNotFound(alias) : Convert.ToInt64(version, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task UpsertModelTagAsync(DbConnection connection, DbTransaction transaction, string name, Tag tag, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, """
            INSERT INTO registered_model_tags (name, key, value) VALUES (@name, @key, @value)
            ON CONFLICT (name, key) DO UPDATE SET value = excluded.value;
            """, cancellationToken, ("@name", name), ("@key", tag.Key), ("@value", tag.Value ?? string.Empty));
}
