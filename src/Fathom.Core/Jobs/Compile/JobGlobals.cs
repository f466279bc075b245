using System.Globalization;

namespace Fathom.Jobs;

/// <summary>
/// What <c>{{ globals.* }}</c> holds for one run (Polyaxon's context §4): who and where, the run's uuid and name, and the
/// paths of its artifacts as the job sees them — host folders for the local executor, mount points in a container.
/// </summary>
internal sealed record JobGlobals(
    string Uuid,
    string Name,
    string ProjectName,
    string OwnerName,
    string Username,
    DateTimeOffset CreatedAt,
    string ContextPath,
    string ArtifactsPath,
    string Namespace = "",
    string? ProjectUuid = null,
    IReadOnlyList<int>? Ports = null,
    string? BaseUrl = null)
{
    /// <summary>The folder of this run's artifacts: <c>artifacts_path/uuid</c>.</summary>
    public string RunArtifactsPath => Join(ArtifactsPath, Uuid);

    /// <summary>Where the run writes its outputs: <c>artifacts_path/uuid/outputs</c>.</summary>
    public string RunOutputsPath => Join(RunArtifactsPath, "outputs");

    /// <summary>The context as templates read it.</summary>
    public Dictionary<string, object?> ToContext(DateTimeOffset compiledAt)
    {
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["owner_name"] = OwnerName,
            ["username"] = Username,
            ["user_email"] = null,
            ["project_name"] = ProjectName,
            ["project_unique_name"] = $"{OwnerName}.{ProjectName}",
            ["project_uuid"] = ProjectUuid ?? Uuid5(OwnerName + "." + ProjectName),
            ["run_info"] = $"{OwnerName}.{ProjectName}.runs.{Uuid}",
            ["name"] = Name,
            ["uuid"] = Uuid,
            ["namespace"] = Namespace,
            ["context_path"] = ContextPath,
            ["artifacts_path"] = ArtifactsPath,
            ["run_artifacts_path"] = RunArtifactsPath,
            ["run_outputs_path"] = RunOutputsPath,
            ["run_relative_outputs_path"] = $"{Uuid}/outputs",
            ["store_path"] = ArtifactsPath,
            ["created_at"] = CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture),
            ["compiled_at"] = compiledAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture),
            ["cloning_kind"] = null,
            ["original_uuid"] = null,
            ["is_independent"] = true,
            ["iteration"] = null,
        };
        if (Ports is not null)
        {
            globals["ports"] = Ports.Select(p => (object?)(long)p).ToList();
            globals["base_url"] = BaseUrl;
        }

        return globals;
    }

    private static string Join(string a, string b) => a.EndsWith('/') ? a + b : a + "/" + b;

    // A stable id for a project that has none stored (name-based, so templates see the same value each run).
    private static string Uuid5(string name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..32];
}
