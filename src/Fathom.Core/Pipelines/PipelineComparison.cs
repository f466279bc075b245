using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// <c>fathom metrics show|diff</c> and <c>fathom params diff</c>: values from the workspace (revision null) or from a
/// git revision, compared key by key.
/// </summary>
internal static partial class PipelineComparison
{
    public const string Workspace = "workspace";

    /// <summary>Each metrics file's flat values (<see cref="MetricsFiles.Leaves"/>) at a revision (null = workspace); missing files are left out.</summary>
    public static async Task<SortedDictionary<string, SortedDictionary<string, object?>>> MetricsAsync(PipelineProject project, string? revision, IReadOnlyList<string>? files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        var result = new SortedDictionary<string, SortedDictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var file in files ?? project.MetricsFiles())
        {
            if (await ReadAsync(project, file, revision, cancellationToken) is { } text)
            {
                result[file] = MetricsFiles.Leaves(MetricsFiles.ParseDocument(text, revision is null ? file : $"{revision}:{file}"));
            }
        }

        return result;
    }

    public static async Task<List<ValueChange>> MetricsDiffAsync(PipelineProject project, string? a, string? b, IReadOnlyList<string>? files, CancellationToken cancellationToken)
    {
        var old = await MetricsAsync(project, a, files, cancellationToken);
        var now = await MetricsAsync(project, b, files, cancellationToken);
        var changes = new List<ValueChange>();
        foreach (var file in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            var x = old.GetValueOrDefault(file) ?? [];
            var y = now.GetValueOrDefault(file) ?? [];
            foreach (var key in x.Keys.Union(y.Keys).Order(StringComparer.Ordinal))
            {
                changes.Add(new ValueChange(file, key, x.TryGetValue(key, out var o) ? o : null, y.TryGetValue(key, out var n) ? n : null));
            }
        }

        return changes;
    }

    /// <summary>The tracked params (keys the stages name, or whole files) at two revisions; <paramref name="files"/> limits the files (one no stage tracks is compared whole).</summary>
    public static async Task<List<ValueChange>> ParamsDiffAsync(PipelineProject project, string? a, string? b, IReadOnlyList<string>? files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        var changes = new List<ValueChange>();
        var tracked = project.ParamsFiles();
        var chosen = files is null ? tracked : files.Select(f => tracked.Any(t => t.File == f) ? tracked.First(t => t.File == f) : (f, (IReadOnlyList<string>?)null)).ToList();
        foreach (var (file, keys) in chosen)
        {
            var old = Tracked(await ParamsAsync(project, file, a, cancellationToken), keys);
            var now = Tracked(await ParamsAsync(project, file, b, cancellationToken), keys);
            foreach (var key in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
            {
                changes.Add(new ValueChange(file, key, old.GetValueOrDefault(key), now.GetValueOrDefault(key)));
            }
        }

        return changes;
    }

    // DVC flattens the params it shows: a tracked key holding a mapping lists each nested value as its own row.
    private static SortedDictionary<string, object?> Tracked(Dictionary<string, object?>? values, IReadOnlyList<string>? keys)
    {
        if (keys is null)
        {
            return MetricsFiles.Leaves(values);
        }

        var leaves = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (values is not null && PipelineValues.TryGetPath(values, key, out var value))
            {
                MetricsFiles.AddLeaves(key, value, leaves);
            }
        }

        return leaves;
    }

    private static async Task<Dictionary<string, object?>?> ParamsAsync(PipelineProject project, string file, string? revision, CancellationToken cancellationToken) =>
        await ReadAsync(project, file, revision, cancellationToken) is { } text
            ? ParamsFiles.Parse(text, revision is null ? file : $"{revision}:{file}", Path.GetExtension(file).ToLowerInvariant())
            : null;

    private static async Task<string?> ReadAsync(PipelineProject project, string file, string? revision, CancellationToken cancellationToken)
    {
        if (revision is null)
        {
            var full = Path.GetFullPath(file, project.Pipeline.Folder);
            return File.Exists(full) ? await File.ReadAllTextAsync(full, cancellationToken) : null;
        }

        return await GitRevision.ReadAsync(project.Pipeline.Folder, revision, file, cancellationToken);
    }

    /// <summary>Checks the repository is a git work tree before comparing with revisions.</summary>
    public static void RequireGit(PipelineProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        RequireGit(project.Repository);
    }

    /// <summary>Checks the repository is a git work tree before comparing with revisions.</summary>
    public static void RequireGit(DvcRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.NoScm)
        {
            throw new DataException(DataErrorKind.InvalidInput, "This DVC repository has core.no_scm = true: there are no git revisions to compare with.");
        }
    }
}
