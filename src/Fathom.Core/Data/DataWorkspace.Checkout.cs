namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc checkout</c>: makes each output (of <c>.dvc</c> files and, as DVC does, the cached outs recorded in
    /// <c>dvc.lock</c>; see <see cref="DataAndPipelineOutputs"/>) match its recorded hash from the cache. Files in a tracked folder that the
    /// manifest does not list are removed. Workspace content that is not in the cache would be lost, so without
    /// <paramref name="force"/> nothing is changed when any exists. An output that needs an object the cache lacks is
    /// not created at all, and one in the workspace is removed, as DVC 3 does ("delete output if we can't create it
    /// fully", dvc#9642): it is listed in <see cref="CheckoutResult.Failed"/>, the other outputs are checked out.
    /// An output the workspace already holds unchanged needs nothing from the cache, so it never fails.
    /// </summary>
    public CheckoutResult Checkout(IReadOnlyList<string> targets, string baseDirectory, bool force, bool relink, IProgress<long>? progress, CancellationToken cancellationToken) =>
        Checkout(DataAndPipelineOutputs(targets, baseDirectory), force, relink, progress, cancellationToken);

    private CheckoutResult Checkout(IReadOnlyList<TrackedOutput> selected, bool force, bool relink, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var added = new List<string>();
        var modified = new List<string>();
        var failed = new List<string>();
        using var stat = Repository.OpenStatCache();
        var hasher = Hasher(stat);
        var linker = Repository.Linker();
        var plans = new List<(TrackedOutput Output, List<(string Source, string Destination, string Md5)> Place, List<string> Remove, bool Existed, bool Failed)>();
        var wouldLose = new List<string>();
        foreach (var output in selected)
        {
            if (output.Output.Md5 is not { } recorded || !output.Output.Cache)
            {
                continue;
            }

            var path = Repository.Relative(output.FullPath);
            var cache = Repository.CacheFor(output.Output);
            var existed = File.Exists(output.FullPath) || Directory.Exists(output.FullPath);
            var current = existed ? hasher.Hash(output.FullPath, null, null, output.Output.IsLegacy, cancellationToken) : null;
            if (current?.Hash.Md5 == recorded && !relink)
            {
                continue;
            }

            var place = new List<(string, string, string)>();
            var remove = new List<string>();
            var complete = cache.Contains(recorded);
            if (!output.Output.IsDirectory)
            {
                if (current is { Manifest: not null })
                {
                    remove.Add(output.FullPath);
                    wouldLose.AddRange(current.Files.Where(f => !cache.Contains(f.Md5)).Select(f => Repository.Relative(f.FullPath)));
                }
                else if (current is not null && !cache.Contains(current.Hash.Md5))
                {
                    wouldLose.Add(path);
                }

                place.Add((cache.PathOf(recorded), output.FullPath, recorded));
            }
            else if (complete)
            {
                var entries = cache.ReadManifest(recorded);
                var have = current is { Manifest: not null } ? current.Files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal) : [];
                if (current is { Manifest: null })
                {
                    remove.Add(output.FullPath);
                    if (!cache.Contains(current.Hash.Md5))
                    {
                        wouldLose.Add(path);
                    }
                }

                var wanted = new HashSet<string>(StringComparer.Ordinal);
                // One listing of the cache instead of a stat per object when the folder holds many files (as fetch does).
                var listed = entries.Count > ProbeLimit ? cache.EnumerateObjects().ToHashSet(StringComparer.Ordinal) : null;
                foreach (var entry in entries)
                {
                    wanted.Add(entry.RelativePath);
                    var destination = Path.Combine(output.FullPath, entry.RelativePath.Replace('/', Path.DirectorySeparatorChar));
                    if (have.TryGetValue(entry.RelativePath, out var file))
                    {
                        if (file.Md5 == entry.Md5 && !relink)
                        {
                            continue;
                        }

                        if (file.Md5 != entry.Md5 && !cache.Contains(file.Md5))
                        {
                            wouldLose.Add(Repository.Relative(file.FullPath));
                        }
                    }

                    // Only what must be written needs to be in the cache: a file the workspace already has is kept.
                    complete &= listed?.Contains(entry.Md5) ?? cache.Contains(entry.Md5);
                    place.Add((cache.PathOf(entry.Md5), destination, entry.Md5));
                }

                foreach (var extra in have.Values.Where(f => !wanted.Contains(f.RelativePath)))
                {
                    remove.Add(extra.FullPath);
                    if (!cache.Contains(extra.Md5))
                    {
                        wouldLose.Add(Repository.Relative(extra.FullPath));
                    }
                }
            }

            if (!complete)
            {
                // DVC removes what it could not create fully; what the cache lacks of the workspace's copy would be lost.
                failed.Add(path);
                place.Clear();
                remove.Clear();
                if (current is not null)
                {
                    remove.Add(output.FullPath);
                    wouldLose.AddRange(current.Manifest is null
                        ? cache.Contains(current.Hash.Md5) ? [] : [path]
                        : current.Files.Where(f => !cache.Contains(f.Md5)).Select(f => Repository.Relative(f.FullPath)));
                }
            }

            plans.Add((output, place, remove, existed, !complete));
            RefuseLinksOut(output, place.Select(p => p.Item2).Concat(remove));
        }

        if (wouldLose.Count > 0 && !force)
        {
            throw new DataException(DataErrorKind.InvalidInput,
                $"Checkout would discard changes that are not in the cache: {string.Join(", ", wouldLose.Take(5))}{(wouldLose.Count > 5 ? $" and {wouldLose.Count - 5} more" : "")}. Commit them first ('fathom data commit') or use --force.");
        }

        long done = 0;
        foreach (var (output, place, remove, existed, failedOutput) in plans)
        {
            foreach (var path in remove)
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }

            // A tracked folder is made even when its manifest lists nothing: an empty folder is data too (d751713….dir).
            if (output.Output.IsDirectory && !failedOutput)
            {
                Directory.CreateDirectory(output.FullPath);
            }

            ParallelRanges.ForEach(place, Jobs, item =>
            {
                var placed = linker.Place(item.Source, item.Destination, output.Output.IsExecutable);
                // The stat cache holds 3.x md5s; a 2.x entry's dos2unix md5 must not be remembered as one.
                if (!output.Output.IsLegacy)
                {
                    if (placed is { } file)
                    {
                        stat.Set(Repository.Relative(item.Destination), file.Length, file.ModifiedTicks, item.Md5);
                    }
                    else
                    {
                        Remember(stat, item.Destination, item.Md5);
                    }
                }

                var n = Interlocked.Increment(ref done);
                if ((n & 255) == 0)
                {
                    progress?.Report(n);
                }
            }, cancellationToken);

            if (!failedOutput)
            {
                (existed ? modified : added).Add(Repository.Relative(output.FullPath));
            }
        }

        progress?.Report(done);
        failed.Sort(StringComparer.Ordinal);
        return new CheckoutResult(added, modified, failed);
    }

    /// <summary>
    /// Refuses the checkout, before anything is changed, when a file it would write or delete lies behind a link leading
    /// out of the repository (a folder of the workspace replaced by a link, e.g. one cloned from git): writing or
    /// deleting through it would reach another place. The output's own path was checked when its file was read.
    /// </summary>
    private void RefuseLinksOut(TrackedOutput output, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Repository.Paths.LinkRefusal(path, includeFinal: false) is { } refusal)
            {
                throw new DataException(DataErrorKind.InvalidInput,
                    $"{Repository.Relative(output.DvcFilePath)}: cannot check out '{Repository.Relative(path)}': it {refusal}. Nothing was changed; replace the link with a folder.");
            }
        }
    }
}
