using System.Data.Common;
using Fathom.Tracking;

namespace Fathom.Registry;

internal abstract partial class SqlModelRegistryStore
{
    private static SqlQuery ModelByName(string name) =>
        new("FROM registered_models rm WHERE rm.name = @m0", [new("@m0", name)]);

    private static SqlQuery VersionByNumber(string name, long version) =>
        new("FROM model_versions mv WHERE mv.name = @m0 AND mv.version = @m1 AND mv.current_stage <> 'Deleted_Internal'", [new("@m0", name), new("@m1", version)]);

    /// <summary>
    /// The models a FROM…tail selects (alias <c>rm</c>), in its order, each with tags, aliases and latest versions.
    /// The search runs once; tags, aliases and latest versions are then looked up by the page's names.
    /// </summary>
    private async Task<List<RegisteredModel>> ReadModelsAsync(DbConnection connection, DbTransaction? transaction, SqlQuery tail, CancellationToken cancellationToken)
    {
        var rows = new List<(string Name, long Created, long Updated, string? Description)>();
        await using (var command = Command(connection, transaction, $"SELECT {RegistrySearchSql.ModelColumns} {tail.Sql};", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        // The page's names (at most 1,000) as parameters, so the search itself runs once, not once per part.
        var names = rows.Select((r, i) => new KeyValuePair<string, object>($"@n{i}", r.Name)).ToList();
        tail = new SqlQuery($"FROM registered_models rm WHERE rm.name IN ({string.Join(", ", names.Select(n => n.Key))})", names);
        var tags = new Dictionary<string, List<Tag>>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction,
            $"SELECT t.name, t.key, t.value FROM registered_model_tags t WHERE t.name IN (SELECT rm.name {tail.Sql}) ORDER BY t.name, t.key;", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Add(tags, reader.GetString(0), new Tag(reader.GetString(1), reader.GetString(2)));
            }
        }

        var aliases = new Dictionary<string, List<RegisteredModelAlias>>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction,
            $"SELECT a.name, a.alias, a.version FROM registered_model_aliases a WHERE a.name IN (SELECT rm.name {tail.Sql}) ORDER BY a.name, a.alias;", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Add(aliases, reader.GetString(0), new RegisteredModelAlias(reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var latest = new Dictionary<string, List<ModelVersion>>(StringComparer.Ordinal);
        var latestTail = new SqlQuery(
            $"FROM model_versions mv WHERE mv.name IN (SELECT rm.name {tail.Sql}) AND {LatestPerStage} ORDER BY mv.name, mv.version", tail.Parameters);
        foreach (var version in await ReadVersionsAsync(connection, transaction, latestTail, cancellationToken))
        {
            Add(latest, version.Name, version);
        }

        return rows.Select(r => new RegisteredModel(r.Name, r.Created, r.Updated, r.Description,
            tags.GetValueOrDefault(r.Name) ?? [], latest.GetValueOrDefault(r.Name) ?? [], aliases.GetValueOrDefault(r.Name) ?? [])).ToList();
    }

    // The highest live version of its stage: MLflow's latest_versions.
    private const string LatestPerStage =
        "mv.current_stage <> 'Deleted_Internal' AND mv.version = (SELECT MAX(v2.version) FROM model_versions v2 WHERE v2.name = mv.name AND v2.current_stage = mv.current_stage)";

    /// <summary>The versions a FROM…tail selects (alias <c>mv</c>), in its order, each with its tags and aliases.</summary>
    private async Task<List<ModelVersion>> ReadVersionsAsync(DbConnection connection, DbTransaction? transaction, SqlQuery tail, CancellationToken cancellationToken)
    {
        var rows = new List<ModelVersion>();
        await using (var command = Command(connection, transaction, $"SELECT {RegistrySearchSql.VersionColumns} {tail.Sql};", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new ModelVersion(
                    reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), NullableString(reader, 4), reader.GetString(5),
                    NullableString(reader, 6), reader.GetString(7), NullableString(reader, 8), reader.GetString(9), NullableString(reader, 10), [],
                    NullableString(reader, 11), []));
            }
        }

        if (rows.Count == 0)
        {
            return rows;
        }

        // A page of up to 1,000 versions is named by its keys, so the search runs once; bigger pages re-select through it.
        var keys = rows.Count <= 1000 ? VersionKeys(rows) : null;
        var selected = keys?.Sql ?? $"SELECT mv.name, mv.version {tail.Sql}";
        tail = keys ?? tail;
        var tags = new Dictionary<(string, long), List<Tag>>();
        await using (var command = Command(connection, transaction,
            $"SELECT t.name, t.version, t.key, t.value FROM model_version_tags t WHERE (t.name, t.version) IN ({selected}) ORDER BY t.name, t.version, t.key;", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Add(tags, (reader.GetString(0), reader.GetInt64(1)), new Tag(reader.GetString(2), reader.GetString(3)));
            }
        }

        var aliases = new Dictionary<(string, long), List<string>>();
        await using (var command = Command(connection, transaction,
            $"SELECT a.name, a.version, a.alias FROM registered_model_aliases a WHERE (a.name, a.version) IN ({selected}) ORDER BY a.name, a.version, a.alias;", tail))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Add(aliases, (reader.GetString(0), reader.GetInt64(1)), reader.GetString(2));
            }
        }

        return rows.Select(v => v with
        {
            Tags = tags.GetValueOrDefault((v.Name, v.Version)) ?? [],
            Aliases = aliases.GetValueOrDefault((v.Name, v.Version)) ?? [],
        }).ToList();
    }

    // (name, version) pairs as a VALUES list: both SQLite and PostgreSQL compare row values against it.
    private static SqlQuery VersionKeys(List<ModelVersion> rows)
    {
        var parameters = new List<KeyValuePair<string, object>>(rows.Count * 2);
        var values = new List<string>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            parameters.Add(new($"@kn{i}", rows[i].Name));
            parameters.Add(new($"@kv{i}", rows[i].Version));
            values.Add($"(@kn{i}, @kv{i})");
        }

        return new SqlQuery("VALUES " + string.Join(", ", values), parameters);
    }

    private async Task<RegisteredModel> ReadModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken) =>
        (await ReadModelsAsync(connection, transaction, ModelByName(name), cancellationToken)).SingleOrDefault() ?? throw RegistryErrors.ModelNotFound(name);

    private async Task<ModelVersion> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, string name, long version, CancellationToken cancellationToken) =>
        (await ReadVersionsAsync(connection, transaction, VersionByNumber(name, version), cancellationToken)).SingleOrDefault() ?? throw RegistryErrors.VersionNotFound(name, version);

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
