using Fathom.Diagnostics;

namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc status</c> for <c>.dvc</c> files: each output whose workspace content differs from what is recorded, or
    /// whose cache objects are missing; the <c>.dvc</c> file and the output named from <paramref name="baseDirectory"/>
    /// (the current folder), as DVC names them (<c>Stage.addressing</c>, <c>Output.__str__</c>).
    /// </summary>
    public IReadOnlyList<OutputStatus> Status(IReadOnlyList<string> targets, string baseDirectory, CancellationToken cancellationToken)
    {
        var here = Path.GetFullPath(baseDirectory);
        string Shown(string fullPath) => Path.GetRelativePath(here, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        var changes = new List<OutputStatus>();
        using var stat = Repository.OpenStatCache();
        StartupTrace.Mark("stat cache read");
        var hasher = Hasher(stat);
        var outputs = Outputs(targets, baseDirectory);
        StartupTrace.Mark(".dvc files found and read");
        foreach (var output in outputs)
        {
            var state = StateOf(output, hasher, cancellationToken);
            StartupTrace.Mark("status of one output");
            if (state is not null)
            {
                changes.Add(new OutputStatus(Shown(output.DvcFilePath), Shown(output.FullPath), state));
            }
        }

        return changes;
    }

    private string? StateOf(TrackedOutput output, WorkspaceHasher hasher, CancellationToken cancellationToken)
    {
        var exists = File.Exists(output.FullPath) || Directory.Exists(output.FullPath);
        if (output.Output.Md5 is not { } recorded)
        {
            return exists ? "new" : "deleted";
        }

        if (!exists)
        {
            return "deleted";
        }

        // A folder listed exactly as when it was last hashed needs no per-file work at all.
        // A legacy (2.x) entry is checked with 2.x's hash, as DVC 3 does, so unchanged data stays unchanged.
        var legacy = output.Output.IsLegacy;
        var cache = Repository.CacheFor(output.Output);
        if (output.Output.IsDirectory && hasher.RememberedFolderHash(output.FullPath, legacy) is { } remembered)
        {
            return remembered != recorded ? "modified" : output.Output.Cache && !cache.Contains(recorded) ? "not in cache" : null;
        }

        var current = hasher.Hash(output.FullPath, null, null, legacy, cancellationToken);
        if (current.Hash.Md5 != recorded)
        {
            return "modified";
        }

        if (!output.Output.Cache)
        {
            return null;
        }

        // Files the stat cache vouches for were cached when last seen; probing 20,000 objects would cost more than the
        // whole no-change status may take, so only the .dir object and freshly hashed files are checked (push and
        // checkout still report any object missing from the cache).
        return !cache.Contains(recorded) || current.Files.Any(f => current.Manifest is not null && !f.Remembered && !cache.Contains(f.Md5)) ? "not in cache" : null;
    }
}
