using System.Globalization;
using Fathom.Registry;

namespace Fathom.Cli.Rendering;

/// <summary>The registry's --json shapes: MLflow's registered-model and model-version shapes (versions as strings).</summary>
internal static class RegistryJson
{
    public static object Model(RegisteredModel m) => new
    {
        name = m.Name,
        creation_timestamp = m.CreationTimestamp,
        last_updated_timestamp = m.LastUpdatedTimestamp,
        description = m.Description,
        latest_versions = m.LatestVersions.Select(Version),
        tags = m.Tags.Select(t => new { key = t.Key, value = t.Value }),
        aliases = m.Aliases.Select(a => new { alias = a.Alias, version = Text(a.Version) }),
    };

    public static object Version(ModelVersion v) => new
    {
        name = v.Name,
        version = Text(v.Version),
        creation_timestamp = v.CreationTimestamp,
        last_updated_timestamp = v.LastUpdatedTimestamp,
        user_id = v.UserId,
        current_stage = v.CurrentStage,
        description = v.Description,
        source = v.Source,
        run_id = v.RunId,
        status = v.Status,
        run_link = v.RunLink,
        tags = v.Tags.Select(t => new { key = t.Key, value = t.Value }),
        aliases = v.Aliases,
    };

    /// <summary>An alias-history entry, as the server's <c>registered-models/alias/history</c> writes it.</summary>
    public static object HistoryEntry(AliasHistoryEntry e) => new
    {
        id = Text(e.Id),
        name = e.Name,
        kind = e.Kind,
        target = e.Target,
        action = e.Action,
        from_version = e.FromVersion is { } from ? Text(from) : null,
        to_version = e.ToVersion is { } to ? Text(to) : null,
        user_id = e.User,
        timestamp = e.Timestamp,
    };

    public static string Text(long version) => version.ToString(CultureInfo.InvariantCulture);
}
