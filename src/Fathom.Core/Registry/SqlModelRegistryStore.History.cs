using System.Data.Common;
using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// The alias history: every pointer move is written by the same transaction that makes it, so the history can never
/// miss a move that happened nor show one that was rolled back by a failed write.
/// </summary>
internal abstract partial class SqlModelRegistryStore
{
    private const string HistoryColumns = "id, name, kind, target, action, from_version, to_version, user_id, timestamp";

    public Task<AliasHistoryEntry> RollbackRegisteredModelAliasAsync(string name, string alias, string? actor, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        RegistryValidation.ValidateAlias(alias);
        return WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            var recent = await ReadHistoryAsync(connection, transaction, name, alias, 1, cancellationToken);
            var last = recent.Count > 0 ? recent[0] : null;
            if (last?.FromVersion is not { } previous)
            {
                throw TrackingException.Invalid(last is null
                    ? $"Alias '{alias}' of model '{name}' has no recorded moves; there is nothing to roll back to."
                    : $"Alias '{alias}' of model '{name}' pointed at no version before its last move; there is nothing to roll back to.");
            }

            var live = await ScalarAsync(connection, transaction, "SELECT version FROM model_versions WHERE name = @name AND version = @version AND current_stage <> @deleted;",
                cancellationToken, ("@name", name), ("@version", previous), ("@deleted", ModelStages.DeletedInternal));
            if (live is null)
            {
                throw TrackingException.Invalid($"Alias '{alias}' of model '{name}' pointed at version {previous.ToString(CultureInfo.InvariantCulture)} before, which was deleted; set it with `fathom models alias`.");
            }

            var before = await CurrentAliasVersionAsync(connection, transaction, name, alias, cancellationToken);
            await ExecuteAsync(connection, transaction, """
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (@name, @alias, @version)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version;
                """, cancellationToken, ("@name", name), ("@alias", alias), ("@version", previous));
            await RecordAsync(connection, transaction, name, AliasHistoryEntry.AliasKind, alias, AliasHistoryEntry.RollbackAction, before, previous, actor, cancellationToken);
            return (await ReadHistoryAsync(connection, transaction, name, alias, 1, cancellationToken))[0];
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AliasHistoryEntry>> GetAliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken)
    {
        RegistryValidation.ValidateModelName(name);
        return ReadAsync(async connection =>
        {
            await RequireModelAsync(connection, null, name, cancellationToken);
            return await ReadHistoryAsync(connection, null, name, alias, null, cancellationToken);
        }, cancellationToken);
    }

    private async Task RecordAsync(
        DbConnection connection, DbTransaction transaction, string name, string kind, string target, string action, long? from, long? to, string? actor, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, """
            INSERT INTO registered_model_alias_history (name, kind, target, action, from_version, to_version, user_id, timestamp)
            VALUES (@name, @kind, @target, @action, @from, @to, @user, @now);
            """, cancellationToken, ("@name", name), ("@kind", kind), ("@target", target), ("@action", action), ("@from", from), ("@to", to),
            ("@user", string.IsNullOrEmpty(actor) ? null : actor), ("@now", NowMs()));

    // The alias rows' kind is recorded so that a stage and an alias of the same name (an alias 'Production') stay apart.
    private static async Task<IReadOnlyList<AliasHistoryEntry>> ReadHistoryAsync(
        DbConnection connection, DbTransaction? transaction, string name, string? alias, int? limit, CancellationToken cancellationToken)
    {
        var sql = $"SELECT {HistoryColumns} FROM registered_model_alias_history WHERE name = @name"
            + (alias is null ? string.Empty : " AND kind = @kind AND target = @alias")
            + " ORDER BY id DESC"
            + (limit is { } n ? $" LIMIT {n.ToString(CultureInfo.InvariantCulture)}" : string.Empty) + ";";
        await using var command = alias is null
            ? Command(connection, transaction, sql, ("@name", name))
            : Command(connection, transaction, sql, ("@name", name), ("@kind", AliasHistoryEntry.AliasKind), ("@alias", alias));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AliasHistoryEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AliasHistoryEntry(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                NullableLong(reader, 5), NullableLong(reader, 6), NullableString(reader, 7), reader.GetInt64(8)));
        }

        return entries;
    }

    private static async Task<long?> CurrentAliasVersionAsync(DbConnection connection, DbTransaction transaction, string name, string alias, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias;",
            cancellationToken, ("@name", name), ("@alias", alias)) is { } version ? Convert.ToInt64(version, CultureInfo.InvariantCulture) : null;

    // A stage holds any number of versions; the one that "was there" is the newest, as models:/name/Production resolves it.
    private static async Task<long?> NewestInStageAsync(DbConnection connection, DbTransaction transaction, string name, string stage, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT MAX(version) FROM model_versions WHERE name = @name AND current_stage = @stage;",
            cancellationToken, ("@name", name), ("@stage", stage)) is { } version ? Convert.ToInt64(version, CultureInfo.InvariantCulture) : null;

    private static async Task<IReadOnlyList<string>> AliasesOfVersionAsync(DbConnection connection, DbTransaction transaction, string name, long version, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT alias FROM registered_model_aliases WHERE name = @name AND version = @version ORDER BY alias;",
            ("@name", name), ("@version", version));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var aliases = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            aliases.Add(reader.GetString(0));
        }

        return aliases;
    }

    private static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
