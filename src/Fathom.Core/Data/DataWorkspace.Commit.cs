namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary><c>dvc commit</c>: records the current workspace content of tracked outputs in their <c>.dvc</c> files and saves it to the cache.</summary>
    public IReadOnlyList<SavedOutput> Commit(IReadOnlyList<string> targets, string baseDirectory, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var saved = new List<SavedOutput>();
        using var stat = Repository.OpenStatCache();
        var hasher = Hasher(stat);
        foreach (var group in Outputs(targets, baseDirectory).GroupBy(o => o.DvcFilePath, StringComparer.Ordinal))
        {
            var file = group.First().File;
            var outs = file.Outs.ToList();
            var changed = false;
            foreach (var output in group)
            {
                if (!File.Exists(output.FullPath) && !Directory.Exists(output.FullPath))
                {
                    throw new DataException(DataErrorKind.NotFound, $"{Repository.Relative(output.DvcFilePath)}: output '{output.Output.Path}' does not exist in the workspace; nothing to commit.");
                }

                // DVC 3 keeps a 2.x entry whose data did not change; only changed data is rehashed into a 3.x entry.
                if (output.Output is { IsLegacy: true, Md5: { } legacyMd5 }
                    && hasher.Hash(output.FullPath, null, progress, legacy: true, cancellationToken) is var legacyHash && legacyHash.Hash.Md5 == legacyMd5)
                {
                    saved.Add(new SavedOutput(Repository.Relative(output.DvcFilePath), Repository.Relative(output.FullPath), legacyHash.Hash, false));
                    continue;
                }

                var hash = hasher.Hash(output.FullPath, output.Output.Cache ? Repository.Cache : null, progress, cancellationToken);
                // DVC keeps the output's flags and path; only the hash, meta and the 3.x marker are rewritten.
                var updated = output.Output with
                {
                    Md5 = hash.Hash.Md5,
                    Size = hash.Hash.Size,
                    FileCount = hash.Hash.IsDirectory ? hash.Hash.FileCount : null,
                    IsExecutable = hash.IsExecutable && !hash.Hash.IsDirectory,
                    HashName = "md5",
                };
                var outputChanged = updated != output.Output;
                changed |= outputChanged;
                outs[output.Index] = updated;
                saved.Add(new SavedOutput(Repository.Relative(output.DvcFilePath), Repository.Relative(output.FullPath), hash.Hash, outputChanged));
            }

            if (changed)
            {
                WriteDvcFile(group.Key, file with { Outs = outs });
            }
        }

        return saved;
    }
}
