using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Fathom.Data;

/// <summary>
/// The tracked outputs recorded in other git revisions, read with the git CLI (<c>git ls-tree</c>, <c>git show</c>)
/// as DVC's brancher does: every <c>.dvc</c> file and <c>dvc.lock</c> under the repository folder at that revision.
/// </summary>
internal sealed class GitHistory(string repositoryRoot)
{
    /// <summary>
    /// Commits selected by DVC's scopes: branch heads (<c>-a</c>), tagged commits (<c>-T</c>), every commit (<c>-A</c>),
    /// <c>--rev</c> and its first-parent ancestors up to <c>--num</c> in all (DVC follows <c>rev~1</c>, <c>rev~2</c>, …),
    /// and every commit whose committer time is at or after local midnight of <c>--date</c>.
    /// </summary>
    public IReadOnlyList<string> Revisions(GcOptions scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var revisions = new SortedSet<string>(StringComparer.Ordinal);
        void Add(params string[] arguments)
        {
            foreach (var line in Git(arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                revisions.Add(line);
            }
        }

        if (scopes.AllCommits)
        {
            Add("rev-list", "--all");
        }

        if (scopes.AllBranches)
        {
            Add("rev-list", "--no-walk", "--branches");
        }

        if (scopes.AllTags)
        {
            Add("rev-list", "--no-walk", "--tags");
        }

        if (scopes.AllExperiments)
        {
            // DVC keeps each experiment's commit: the refs under refs/exps/ (<baseline[:2]>/<baseline[2:]>/<name>).
            Add("for-each-ref", "--format=%(objectname)", "refs/exps/");
        }

        if (scopes.Rev is { } rev)
        {
            string commit;
            try
            {
                commit = Resolve(rev);
            }
            catch (DataException e) when (e.Kind == DataErrorKind.InvalidInput)
            {
                throw new DataException(DataErrorKind.NotFound, $"--rev '{rev}' is not a git revision here (a commit, branch or tag).");
            }

            var num = scopes.Num ?? 1;
            if (num != 0)
            {
                Add(num > 0 ? ["rev-list", "--first-parent", $"--max-count={num}", commit] : ["rev-list", "--first-parent", commit]);
            }
        }

        if (scopes.Date is { } date)
        {
            // DVC compares each commit's committer time with midnight of the day in the local time zone.
            var midnight = date.ToDateTime(TimeOnly.MinValue);
            var since = new DateTimeOffset(midnight, TimeZoneInfo.Local.GetUtcOffset(midnight)).ToUnixTimeSeconds();
            foreach (var line in Git("log", "--all", "--format=%H %ct").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var time) && time >= since)
                {
                    revisions.Add(parts[0]);
                }
            }
        }

        return revisions.ToList();
    }

    /// <summary>Resolves a revision name (<c>HEAD</c>, a branch, a tag, a sha) to its commit.</summary>
    public string Resolve(string revision) => Git("rev-parse", "--verify", "--quiet", revision + "^{commit}").Trim();

    /// <summary>The outputs of every <c>.dvc</c> file (with where their data lives, repository-relative) and <c>dvc.lock</c> at a commit.</summary>
    public IReadOnlyList<(string Path, DvcOutput Output)> OutputsAt(string commit)
    {
        var outputs = new List<(string, DvcOutput)>();
        foreach (var path in Git("ls-tree", "-r", "-z", "--name-only", commit).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (path.StartsWith(".dvc/", StringComparison.Ordinal) || !(name == "dvc.lock" || (name.EndsWith(".dvc", StringComparison.Ordinal) && name.Length > 4)))
            {
                continue;
            }

            var folder = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : "";
            var text = Git("show", $"{commit}:./{path}");
            if (name == "dvc.lock")
            {
                outputs.AddRange(LockOutputs(text, path).Select(o => (Join(folder, o.Path), o)));
                continue;
            }

            var file = DvcFileFormat.Parse(text, $"{path} at {commit[..Math.Min(8, commit.Length)]}");
            var wdir = file.WorkingDirectory is { Length: > 0 } w && w != "." ? Join(folder, w) : folder;
            outputs.AddRange(file.Outs.Select(o => (Join(wdir, o.Path), o)));
        }

        return outputs;
    }

    /// <summary>The outs of each stage in a <c>dvc.lock</c> (schema 2.0: <c>stages: {name: {outs: [{path, md5, …}]}}</c>).</summary>
    private static IEnumerable<DvcOutput> LockOutputs(string text, string fileName)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text, fileName);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new DvcFormatException(fileName, (int)e.Start.Line, "", $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue("stages", out var stagesNode) || stagesNode is not YamlMappingNode stages)
        {
            yield break;
        }

        foreach (var (_, stage) in stages.Children)
        {
            if (stage is not YamlMappingNode entry || !entry.Children.TryGetValue("outs", out var outsNode) || outsNode is not YamlSequenceNode outs)
            {
                continue;
            }

            foreach (var item in outs.Children.OfType<YamlMappingNode>())
            {
                string? Field(string key) => item.Children.TryGetValue(key, out var v) && v is YamlScalarNode { Value: { } s } ? s : null;
                if (Field("path") is { } path && Field("md5") is { Length: > 0 } md5)
                {
                    yield return new DvcOutput(path, md5.ToLowerInvariant(), null, null, false, Field("hash"), Field("cache") is not "false");
                }
            }
        }
    }

    private static string Join(string folder, string path)
    {
        var joined = folder.Length == 0 ? path : folder + "/" + path;
        // Normalise "a/../b" and "./b" the way the workspace paths are written.
        var parts = new List<string>();
        foreach (var part in joined.Split('/'))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part is not ("" or "."))
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    private string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new DataException(DataErrorKind.Failure, "Could not start git.");
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? output
                : throw new DataException(DataErrorKind.InvalidInput, $"git {string.Join(' ', arguments)} failed in '{repositoryRoot}': {error.Result.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new DataException(DataErrorKind.NotFound, "git is not installed; the --all-branches, --all-tags, --all-commits scopes and diff need it.");
        }
    }
}
