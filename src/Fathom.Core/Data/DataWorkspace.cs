using Fathom.Diagnostics;

namespace Fathom.Data;

/// <summary>
/// The data commands over one repository (<c>fathom data …</c>, mirroring <c>dvc add|status|checkout|commit|push|
/// pull|fetch|gc|ls</c>). Each public method is what one CLI command calls.
/// </summary>
internal sealed partial class DataWorkspace
{
    public DataWorkspace(DvcRepository repository, int? jobs = null)
    {
        Repository = repository;
        Jobs = jobs is > 0 ? jobs.Value : Environment.ProcessorCount;
    }

    public DvcRepository Repository { get; }

    /// <summary>Parallel hashing and transfer workers.</summary>
    public int Jobs { get; }

    public static DataWorkspace Open(string start, int? jobs = null)
    {
        var repository = DvcRepository.Discover(start);
        StartupTrace.Mark("repository opened");
        return new(repository, jobs);
    }

    /// <summary>
    /// The tracked outputs selected by targets (data paths or <c>.dvc</c> files, relative to <paramref name="baseDirectory"/>),
    /// or every output of every <c>.dvc</c> file when there are none.
    /// </summary>
    public IReadOnlyList<TrackedOutput> Outputs(IReadOnlyList<string> targets, string baseDirectory)
    {
        var files = targets.Count == 0
            ? Repository.FindDvcFiles()
            : targets.Select(t => ResolveDvcFile(Path.GetFullPath(t, baseDirectory))).Distinct(StringComparer.Ordinal).ToList();
        StartupTrace.Mark(".dvc files found");
        var outputs = new List<TrackedOutput>();
        foreach (var path in files)
        {
            var file = Repository.ReadDvcFile(path);
            var folder = Path.GetDirectoryName(path)!;
            var wdir = file.WorkingDirectory is { Length: > 0 } w ? Path.GetFullPath(w, folder) : folder;
            for (var i = 0; i < file.Outs.Count; i++)
            {
                outputs.Add(new TrackedOutput(path, file, i, file.Outs[i], Confined(path, file, i, wdir)));
            }
        }

        return outputs;
    }

    /// <summary>
    /// Where output <paramref name="index"/> of a <c>.dvc</c> file lives, refused (with file, line and field, before
    /// anything is changed) when it would be outside the repository, in <c>.git</c> or <c>.dvc</c>, or behind a link out.
    /// </summary>
    private string Confined(string dvcPath, DvcFile file, int index, string wdir)
    {
        var path = file.Outs[index].Path;
        var confined = Repository.Paths.Confine(path, wdir);
        if (confined.Refusal is { } refusal)
        {
            var inWdir = file.WorkingDirectory is { Length: > 0 } w && w != "." ? $" (in wdir '{w}')" : "";
            throw new DvcFormatException(Repository.Relative(dvcPath), file.PathLine(index), $"outs[{index}].path", $"'{path}'{inWdir} {refusal}.");
        }

        return confined.FullPath;
    }

    private static string ResolveDvcFile(string target)
    {
        var trimmed = target.TrimEnd(Path.DirectorySeparatorChar);
        if (trimmed.EndsWith(".dvc", StringComparison.Ordinal) && File.Exists(trimmed))
        {
            return trimmed;
        }

        return File.Exists(trimmed + ".dvc")
            ? trimmed + ".dvc"
            : throw new DataException(DataErrorKind.NotFound, $"'{target}' is not tracked: neither it nor '{Path.GetFileName(trimmed)}.dvc' is a .dvc file; run 'fathom data add' first.");
    }

    private WorkspaceHasher Hasher(StatCache stat) => new(Repository.Root, Repository.Ignore, stat, Jobs);

    /// <summary>Every object an output needs: the file's, or the folder's <c>.dir</c> plus each file it lists (when the manifest is at hand).</summary>
    private IEnumerable<(string Path, string Md5)> ObjectsOf(TrackedOutput output, Func<string, IReadOnlyList<ManifestEntry>?> manifest)
    {
        if (output.Output.Md5 is not { } md5 || !output.Output.Cache)
        {
            yield break;
        }

        var path = Repository.Relative(output.FullPath);
        yield return (path, md5);
        if (output.Output.IsDirectory && manifest(md5) is { } entries)
        {
            foreach (var entry in entries)
            {
                yield return ($"{path}/{entry.RelativePath}", entry.Md5);
            }
        }
    }

    private IReadOnlyList<ManifestEntry>? CachedManifest(string md5) => Repository.Cache.Contains(md5) ? Repository.Cache.ReadManifest(md5) : null;
}
