namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// <c>dvc status --cloud</c>: compares the objects the outputs (<c>.dvc</c> outputs and <c>dvc.lock</c> outs, see
    /// <see cref="DataAndPipelineOutputs"/>) need between the cache and a remote, each layout (3.x, 2.x) in its own place.
    /// As DVC's <c>_cloud_status</c> (dvc/repo/status.py), outputs marked <c>push: false</c> are left out and the rest are
    /// compared with the one remote named (or the default), whatever their own <c>remote:</c> says.
    /// </summary>
    public async Task<IReadOnlyList<CloudObjectStatus>> CloudStatusAsync(IReadOnlyList<string> targets, string baseDirectory, string? remoteName, CancellationToken cancellationToken)
    {
        var remote = Remote(remoteName);
        var result = new List<CloudObjectStatus>();
        foreach (var (legacy, outputs) in ByLayout([.. DataAndPipelineOutputs(targets, baseDirectory).Where(o => o.Output.Push)]))
        {
            var manifests = new Dictionary<string, IReadOnlyList<ManifestEntry>?>(StringComparer.Ordinal);
            foreach (var md5 in outputs.Where(o => o.Output.IsDirectory && o.Output.Cache && o.Output.Md5 is not null).Select(o => o.Output.Md5!).Distinct(StringComparer.Ordinal))
            {
                manifests[md5] = await ManifestAsync(remote, md5, legacy, cancellationToken);
            }

            var needed = outputs.SelectMany(o => ObjectsOf(o, m => manifests.GetValueOrDefault(m))).DistinctBy(o => o.Md5, StringComparer.Ordinal).ToList();
            var inRemote = await PresentAsync(remote, needed.Select(o => o.Md5).ToList(), legacy, cancellationToken);
            var cached = (legacy ? Repository.LegacyCache : Repository.Cache).EnumerateObjects().ToHashSet(StringComparer.Ordinal);
            foreach (var (path, md5) in needed)
            {
                var state = (cached.Contains(md5), inRemote.Contains(md5)) switch
                {
                    (true, false) => "new",
                    (false, true) => "deleted",
                    (false, false) => "missing",
                    _ => null,
                };
                if (state is not null)
                {
                    result.Add(new CloudObjectStatus(path, md5, state));
                }
            }
        }

        return result;
    }
}
