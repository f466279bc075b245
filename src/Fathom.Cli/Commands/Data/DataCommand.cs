using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Data;
using Spectre.Console;

namespace Fathom.Cli.Commands.Data;

/// <summary><c>fathom data …</c>: DVC-compatible data versioning (reads and writes DVC 3.x files, cache and remotes).</summary>
internal static partial class DataCommand
{
    /// <summary>Every subcommand by name, made only when asked for (see <see cref="Create"/>).</summary>
    private static readonly (string Name, Func<Command> Create)[] Subcommands =
    [
        ("init", Init), ("add", Add), ("status", Status), ("checkout", Checkout), ("commit", Commit), ("push", Push),
        ("fetch", Fetch), ("pull", Pull), ("gc", Gc), ("ls", List), ("diff", Diff), ("remote", DataRemoteCommand.Create),
        ("sync", DataSyncCommand.Create),
    ];

    /// <summary>
    /// The <c>data</c> command; given the name of the subcommand being invoked, only that one is built, since building
    /// all of them costs start-up time a no-change <c>data status</c> cannot spare (an unknown name builds them all, so
    /// help and errors list every subcommand).
    /// </summary>
    public static Command Create(string? invoked = null)
    {
        var command = new Command("data", "Version data the way DVC 3.x does: .dvc files, a content-addressed cache and remotes.");
        var known = false;
        foreach (var (name, create) in Subcommands)
        {
            if (name == invoked)
            {
                command.Subcommands.Add(create());
                known = true;
            }
        }

        if (!known)
        {
            foreach (var (_, create) in Subcommands)
            {
                command.Subcommands.Add(create());
            }
        }

        return command;
    }

    private static Command Init()
    {
        var force = new Option<bool>("--force", "-f") { Description = "Initialise again even if .dvc/ exists (keeps the cache)." };
        var command = new Command("init", "Create .dvc/ (config, cache) and .dvcignore in the current folder, as 'dvc init' does.") { force };
        return command.WithAction((parse, cli, ct) =>
        {
            var repository = DvcRepository.Init(Directory.GetCurrentDirectory(), parse.GetValue(force));
            cli.Human.WriteLine($"Initialized DVC repository in {repository.Root}.");
            cli.Human.WriteLine("You can now commit the changes to git: git add .dvc .dvcignore");
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Add()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or folders to track.", Arity = ArgumentArity.OneOrMore };
        var jobs = DataOptions.Jobs();
        var command = new Command("add", "Track files or folders: hash them, store them in the cache, write <path>.dvc and add them to .gitignore.") { paths, jobs };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var workspace = DataWorkspace.Open(Directory.GetCurrentDirectory(), DataOptions.ValidJobs(parse.GetValue(jobs)));
            var result = await ProgressReporter.RunAsync(cli, "Hashing", null, progress =>
                Task.Run(() => workspace.Add(parse.GetValue(paths)!, Directory.GetCurrentDirectory(), progress, ct), ct));
            if (cli.Json)
            {
                cli.WriteJson(new { outputs = result.Outputs.Select(Saved), gitignores = result.Gitignores });
                return ExitCodes.Success;
            }

            foreach (var output in result.Outputs)
            {
                cli.Out.WriteLine($"Added {output.Path} ({Describe(output.Hash)}) -> {output.DvcFile}");
            }

            var toStage = result.Outputs.Select(o => o.DvcFile).Concat(result.Gitignores);
            cli.Out.WriteLine();
            cli.Out.WriteLine($"To track the changes with git, run:\n\n\tgit add {string.Join(' ', toStage)}");
            return ExitCodes.Success;
        });
    }

    private static Command Status()
    {
        var targets = DataOptions.Targets("Data paths or .dvc files (default: all).");
        var cloud = new Option<bool>("--cloud", "-c") { Description = "Compare the cache with a remote instead of the workspace with the cache." };
        var remote = DataOptions.Remote();
        var jobs = DataOptions.Jobs();
        var command = new Command("status", "Show tracked data that changed in the workspace, or (with --cloud) what differs between cache and remote.") { targets, cloud, remote, jobs };
        return command.WithAction((parse, cli, ct) =>
        {
            if (parse.GetValue(cloud) || parse.GetValue(remote) is not null)
            {
                return CloudStatusAsync(cli, DataOptions.OpenWorkspace(DataOptions.ValidJobs(parse.GetValue(jobs))), parse.GetValue(targets)!, parse.GetValue(remote), ct);
            }

            var workspace = DataWorkspace.Open(Directory.GetCurrentDirectory(), DataOptions.ValidJobs(parse.GetValue(jobs)));
            var changes = workspace.Status(parse.GetValue(targets)!, Directory.GetCurrentDirectory(), ct);
            if (cli.Json)
            {
                // DVC's JSON shape: {"data.dvc": [{"changed outs": {"data": "modified"}}]}, paths from the current folder.
                cli.WriteJson(changes.GroupBy(c => c.DvcFile).ToDictionary(g => g.Key, g => new[] { new Dictionary<string, Dictionary<string, string>> { ["changed outs"] = g.ToDictionary(c => c.Path, c => c.State) } }));
            }
            else if (changes.Count == 0)
            {
                cli.HumanText.WriteLine("Data and pipelines are up to date.");
            }
            else
            {
                foreach (var group in changes.GroupBy(c => c.DvcFile))
                {
                    cli.Out.WriteLine($"{group.Key}:");
                    cli.Out.WriteLine("\tchanged outs:");
                    foreach (var change in group)
                    {
                        cli.Out.WriteLine($"\t\t{change.State + ":",-20}{change.Path}");
                    }
                }
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Checkout()
    {
        var targets = DataOptions.PipelineTargets();
        var force = new Option<bool>("--force", "-f") { Description = "Discard workspace changes that are not in the cache." };
        var relink = new Option<bool>("--relink") { Description = "Recreate files and links even where the content already matches." };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Succeed even when some outputs cannot be checked out because the cache lacks their data." };
        var jobs = DataOptions.Jobs();
        var command = new Command("checkout", "Restore tracked data (.dvc outputs and the cached outs in dvc.lock) in the workspace from the cache (copy, reflink, hardlink or symlink per cache.type).") { targets, force, relink, allowMissing, jobs };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var workspace = DataWorkspace.Open(Directory.GetCurrentDirectory(), DataOptions.ValidJobs(parse.GetValue(jobs)));
            var result = await ProgressReporter.RunAsync(cli, "Checking out", null, progress =>
                Task.Run(() => workspace.Checkout(parse.GetValue(targets)!, Directory.GetCurrentDirectory(), parse.GetValue(force), parse.GetValue(relink), progress, ct), ct));
            return RenderCheckout(cli, workspace.Repository.Root, result, parse.GetValue(allowMissing) ? null : "");
        });
    }

    /// <summary>
    /// DVC's checkout report: <c>M</c>, then <c>A</c>, a tab and the path from the current folder (a folder with a
    /// trailing slash). Outputs that could not be created follow on stderr in DVC's words, and fail the command unless
    /// <paramref name="failurePrefix"/> is null (<c>--allow-missing</c>); pull puts its own words before them, as DVC does.
    /// </summary>
    private static int RenderCheckout(CliContext cli, string root, CheckoutResult result, string? failurePrefix)
    {
        var here = Directory.GetCurrentDirectory();
        string Shown(string relative)
        {
            var full = Path.Combine(root, relative);
            var path = Path.GetRelativePath(here, full);
            return Directory.Exists(full) ? path + "/" : path;
        }

        if (cli.Json)
        {
            cli.WriteJson(new { added = result.Added.Select(Shown), modified = result.Modified.Select(Shown), failed = result.Failed.Select(Shown) });
        }
        else
        {
            foreach (var (letter, paths) in new[] { ("M", result.Modified), ("A", result.Added) })
            {
                foreach (var path in paths)
                {
                    cli.HumanText.WriteLine($"{letter}\t{Shown(path)}");
                }
            }
        }

        if (result.Failed.Count == 0 || failurePrefix is null)
        {
            return ExitCodes.Success;
        }

        // DVC's CheckoutError, word for word (plain lines: a long path must not wrap).
        cli.HumanText.Flush();
        Console.Error.WriteLine($"ERROR: {failurePrefix}Checkout failed for following targets:");
        foreach (var path in result.Failed)
        {
            Console.Error.WriteLine(Shown(path).TrimEnd('/'));
        }

        Console.Error.WriteLine("Is your cache up to date?");
        Console.Error.WriteLine("<https://error.dvc.org/missing-files>");
        return ExitCodes.Failure;
    }

    private static Command Commit()
    {
        var targets = DataOptions.Targets("Data paths or .dvc files (default: all).");
        var jobs = DataOptions.Jobs();
        var command = new Command("commit", "Record the workspace's current data in its .dvc files and save it to the cache.") { targets, jobs };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var workspace = DataWorkspace.Open(Directory.GetCurrentDirectory(), DataOptions.ValidJobs(parse.GetValue(jobs)));
            var saved = await ProgressReporter.RunAsync(cli, "Hashing", null, progress =>
                Task.Run(() => workspace.Commit(parse.GetValue(targets)!, Directory.GetCurrentDirectory(), progress, ct), ct));
            if (cli.Json)
            {
                cli.WriteJson(new { outputs = saved.Select(Saved) });
                return ExitCodes.Success;
            }

            foreach (var output in saved.Where(s => s.Changed))
            {
                cli.Out.WriteLine($"Committed {output.Path} ({Describe(output.Hash)}) -> {output.DvcFile}");
            }

            if (!saved.Any(s => s.Changed))
            {
                cli.Out.WriteLine("Nothing to commit: the .dvc files already match the workspace.");
            }

            return ExitCodes.Success;
        });
    }

    private static string Short(string? md5) => md5 is null ? "" : md5[..Math.Min(8, md5.Length)];

    private static object Saved(SavedOutput o) => new { dvc_file = o.DvcFile, path = o.Path, md5 = o.Hash.Md5, size = o.Hash.Size, nfiles = o.Hash.IsDirectory ? o.Hash.FileCount : (int?)null, changed = o.Changed };

    private static string Describe(ContentHash hash) =>
        hash.IsDirectory ? $"{hash.FileCount:N0} files, {Format.Bytes(hash.Size)}" : Format.Bytes(hash.Size);
}
