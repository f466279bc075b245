using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Data;
using Spectre.Console;

namespace Fathom.Cli.Commands.Data;

internal static partial class DataCommand
{
    private static Command Push() => TransferCommand(
        "push",
        "Upload tracked data (.dvc outputs and the cached outs in dvc.lock) from the cache to a remote, skipping what it has.",
        (w, t, r, p, ct) => w.PushAsync(t, Directory.GetCurrentDirectory(), r, p, ct),
        "pushed");

    private static Command Fetch() => TransferCommand(
        "fetch",
        "Download tracked data (.dvc outputs and the cached outs in dvc.lock) from a remote into the cache, verifying each object's md5.",
        (w, t, r, p, ct) => w.FetchAsync(t, Directory.GetCurrentDirectory(), r, p, ct),
        "fetched");

    private static Command TransferCommand(string name, string description, Func<DataWorkspace, string[], string?, IProgress<long>, CancellationToken, Task<TransferResult>> transfer, string verb)
    {
        var targets = DataOptions.PipelineTargets();
        var remote = DataOptions.Remote();
        var jobs = DataOptions.Jobs();
        var command = new Command(name, description) { targets, remote, jobs };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var workspace = DataOptions.OpenWorkspace(DataOptions.ValidJobs(parse.GetValue(jobs)));
            var result = await ProgressReporter.RunAsync(cli.Error, char.ToUpperInvariant(verb[0]) + verb[1..^2] + "ing", null, progress =>
                Task.Run(() => transfer(workspace, parse.GetValue(targets)!, parse.GetValue(remote), progress, ct), ct));
            return RenderTransfer(cli, result, verb, name);
        });
    }

    private static Command Pull()
    {
        var targets = DataOptions.PipelineTargets();
        var remote = DataOptions.Remote();
        var jobs = DataOptions.Jobs();
        var force = new Option<bool>("--force", "-f") { Description = "Discard workspace changes that are not in the cache." };
        var command = new Command("pull", "Fetch tracked data (.dvc outputs and the cached outs in dvc.lock) from a remote, then check it out into the workspace.") { targets, remote, jobs, force };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var workspace = DataOptions.OpenWorkspace(DataOptions.ValidJobs(parse.GetValue(jobs)));
            var (fetched, checkout) = await ProgressReporter.RunAsync(cli.Error, "Pulling", null, progress =>
                Task.Run(() => workspace.PullAsync(parse.GetValue(targets)!, Directory.GetCurrentDirectory(), parse.GetValue(remote), parse.GetValue(force), progress, ct), ct));
            var code = RenderTransfer(cli, fetched, "fetched", "pull");
            var checkoutCode = RenderCheckout(cli, workspace.Repository.Root, checkout, "failed to pull data from the cloud - ");
            return code != ExitCodes.Success ? code : checkoutCode;
        });
    }

    private static async Task<int> CloudStatusAsync(CliContext cli, DataWorkspace workspace, string[] targets, string? remote, CancellationToken cancellationToken)
    {
        var objects = await workspace.CloudStatusAsync(targets, Directory.GetCurrentDirectory(), remote, cancellationToken);
        if (cli.Json)
        {
            cli.WriteJson(objects.ToDictionary(o => o.Path, o => o.State));
        }
        else if (objects.Count == 0)
        {
            cli.Out.WriteLine($"Cache and remote '{remote ?? workspace.Repository.Config.Get("core", "remote")}' are in sync.");
        }
        else
        {
            foreach (var o in objects)
            {
                cli.Out.WriteLine($"\t{o.State + ":",-20}{o.Path}");
            }
        }

        return ExitCodes.Success;
    }

    private static int RenderTransfer(CliContext cli, TransferResult result, string verb, string command)
    {
        if (cli.Json)
        {
            cli.WriteJson(new
            {
                transferred = result.Transferred,
                bytes = result.Bytes,
                skipped = result.Skipped,
                missing = result.Missing,
                failed = result.Failed.Select(f => new { path = f.Path, md5 = f.Md5, reason = f.Reason }),
            });
        }
        else
        {
            cli.Human.WriteLine(result.Transferred == 0 && result.Failed.Count == 0
                ? $"Everything is up to date ({result.Skipped:N0} objects already there)."
                : $"{result.Transferred:N0} objects {verb} ({Format.Bytes(result.Bytes)}); {result.Skipped:N0} already there.");
        }

        if (result.Failed.Count > 0)
        {
            // DVC's wording, so scripts and habits that read its output keep working: each object, then the count.
            // Plain lines, not the Spectre console, which would wrap a long path.
            var missing = result.Failed.Where(f => result.Missing.Contains(f.Md5)).ToList();
            if (missing.Count > 0)
            {
                Console.Error.WriteLine("Some of the cache files do not exist neither locally nor on remote. Missing cache files:");
                foreach (var f in missing)
                {
                    Console.Error.WriteLine(f.Path is null ? $"md5: {f.Md5}" : $"name: {f.Path}, md5: {f.Md5}");
                }
            }

            foreach (var f in result.Failed.Except(missing))
            {
                Console.Error.WriteLine($"{(f.Path is null ? "" : $"name: {f.Path}, ")}md5: {f.Md5}: {f.Reason}");
            }

            cli.Fail($"failed to {command} data from the cloud - {result.Failed.Count:N0} files failed to download; once the remote is repaired, 'fathom data {command}' again carries on from there.");
            return ExitCodes.Failure;
        }

        if (result.Missing.Count > 0)
        {
            cli.Fail($"{result.Missing.Count:N0} objects are missing at the source and were not {verb}, e.g. {string.Join(", ", result.Missing.Take(3))}.");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static Command Gc()
    {
        var workspace = new Option<bool>("--workspace", "-w") { Description = "Keep what the workspace references: its .dvc outputs and the cached outs of its dvc.lock files." };
        var rev = new Option<string?>("--rev") { Description = "Also keep what this git commit references.", HelpName = "commit" };
        var num = new Option<int?>("--num", "-n") { Description = "With --rev: keep what the last N commits from it (along first parents) reference; default 1.", HelpName = "N" };
        var allBranches = new Option<bool>("--all-branches", "-a") { Description = "Also keep what the .dvc files and dvc.lock of every git branch head reference." };
        var allTags = new Option<bool>("--all-tags", "-T") { Description = "Also keep what every tagged git commit references." };
        var allCommits = new Option<bool>("--all-commits", "-A") { Description = "Also keep what every git commit references." };
        var allExperiments = new Option<bool>("--all-experiments") { Description = "Also keep what every DVC experiment (git refs under refs/exps/) references." };
        var projects = new Option<string[]>("--projects", "-p")
        {
            Description = "Other repositories that share this cache: keep what they reference too (their workspaces, and the revisions the other flags select).",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "paths",
        };
        var jobs = DataOptions.Jobs();
        var date = new Option<string?>("--date") { Description = "Also keep what every git commit made on or after this day references.", HelpName = "YYYY-MM-DD" };
        var notInRemote = new Option<bool>("--not-in-remote") { Description = "Keep in the cache only what the remote does not hold yet (fetch brings the rest back)." };
        var cloud = new Option<bool>("--cloud", "-c") { Description = "Also delete unreferenced objects from the remote (its 3.x and 2.x layouts)." };
        var remote = new Option<string?>("--remote", "-r") { Description = "Remote for --cloud or --not-in-remote (default: core.remote in .dvc/config)." };
        var force = new Option<bool>("--force", "-f") { Description = "Accepted for DVC's scripts: fathom does not ask before collecting." };
        var dry = new Option<bool>("--dry") { Description = "Only list what would be deleted." };
        var command = new Command("gc", "Delete cache (and with --cloud remote) objects that nothing kept references.")
        {
            workspace, rev, num, allBranches, allTags, allCommits, allExperiments, date, notInRemote, cloud, remote, force, dry, projects, jobs,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var options = new GcOptions
            {
                Workspace = parse.GetValue(workspace),
                Rev = parse.GetValue(rev),
                Num = parse.GetValue(num),
                AllBranches = parse.GetValue(allBranches),
                AllTags = parse.GetValue(allTags),
                AllCommits = parse.GetValue(allCommits),
                AllExperiments = parse.GetValue(allExperiments),
                Projects = [.. (parse.GetValue(projects) ?? []).Select(p => Path.GetFullPath(p))],
                Date = parse.GetValue(date) is { } day
                    ? DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
                        ? parsed
                        : throw new CliInputException($"--date must be a day as YYYY-MM-DD (got '{day}').")
                    : null,
                NotInRemote = parse.GetValue(notInRemote),
                Cloud = parse.GetValue(cloud),
                Remote = parse.GetValue(remote),
                Dry = parse.GetValue(dry),
            };
            if (options.Validate() is { } invalid)
            {
                throw new CliInputException(invalid);
            }

            var result = await DataOptions.OpenWorkspace(DataOptions.ValidJobs(parse.GetValue(jobs))).GcAsync(options, ct);
            if (cli.Json)
            {
                cli.WriteJson(new
                {
                    cache_removed = result.CacheRemoved,
                    cache_bytes = result.CacheBytes,
                    remote_removed = result.RemoteRemoved,
                    remote_bytes = result.RemoteBytes,
                    kept = result.Kept,
                    dry = result.Dry,
                    objects = result.Objects.Select(o => new { where = o.Remote ? "remote" : "cache", oid = o.Md5, type = o.IsDirectory ? "dir" : "file", size = o.Size, path = o.Location }),
                });
                return ExitCodes.Success;
            }

            if (result.Dry)
            {
                RenderGcReport(cli, result.Objects);
                return ExitCodes.Success;
            }

            cli.Out.WriteLine(result.CacheRemoved == 0
                ? $"No unused cache to remove; {result.Kept:N0} referenced objects kept."
                : $"Removed {result.CacheRemoved:N0} objects ({Format.Bytes(result.CacheBytes)}) from the cache; {result.Kept:N0} referenced objects kept.");
            if (options.Cloud)
            {
                cli.Out.WriteLine(result.RemoteRemoved == 0
                    ? "No unused cache to remove from remote."
                    : $"Removed {result.RemoteRemoved:N0} objects ({Format.Bytes(result.RemoteBytes)}) from the remote.");
            }

            return ExitCodes.Success;
        });
    }

    /// <summary>DVC's <c>gc --dry</c> report: a total, then one row per object (type, short id, size, local time, path).</summary>
    private static void RenderGcReport(CliContext cli, IReadOnlyList<GcObject> objects)
    {
        var output = cli.HumanText;
        output.WriteLine($"total {objects.Count:N0} objects, {Format.Bytes(objects.Sum(o => o.Size))} reclaimed");
        if (objects.Count == 0)
        {
            return;
        }

        const string Row = "{0,-4}  {1,-8}  {2,10}  {3,-19}  {4}";
        output.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, Row, "Type", "OID", "Size", "Modified", "Path"));
        output.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, Row, "----", "--------", "----------", "-------------------", "----"));
        foreach (var o in objects)
        {
            var modified = o.Modified is { } m ? TimeZoneInfo.ConvertTime(m, cli.Time.LocalTimeZone).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "-";
            output.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, Row, o.IsDirectory ? "dir" : "file", o.Md5[..8], Format.Bytes(o.Size), modified, o.Location));
        }
    }
}
