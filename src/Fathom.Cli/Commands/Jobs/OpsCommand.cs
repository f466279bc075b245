using System.CommandLine;
using System.Text.Json;
using Fathom.Cli.Rendering;
using Fathom.Jobs;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// <c>fathom ops ls|get|logs|stop|restart|delete|service</c>: runs of jobs (Polyaxon's <c>polyaxon ops</c>), in the local store,
/// or on the server when one is configured (<c>--tracking-uri</c>, <c>FATHOM_TRACKING_URI</c>).
/// </summary>
internal static class OpsCommand
{
    public static Command Create()
    {
        var command = new Command("ops", "List and inspect runs of jobs (fathom run).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Logs());
        command.Subcommands.Add(Stop());
        command.Subcommands.Add(Restart());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Service());
        return command;
    }

    /// <summary><c>ops service UUID</c>: where a service run is reached, the server's proxy (Polyaxon's <c>polyaxon ops service</c>).</summary>
    private static Command Service()
    {
        var uuid = Uuid();
        var command = new Command("service", "The URL of a service run, through the server's proxy (/services/<uuid>/).") { uuid };
        return command.WithAction(async (parse, cli, ct) =>
        {
            if (!cli.Location.IsRemote)
            {
                throw new CliInputException("a service is reached through the server that runs it: set --tracking-uri or FATHOM_TRACKING_URI to that server.");
            }

            var (run, _) = await GetAsync(cli, parse.GetValue(uuid)!, ct);
            if (run.Kind != "service")
            {
                throw new CliInputException($"run {run.Uuid} is a {run.Kind}, not a service: only runs with run.kind: service have a URL.");
            }

            var url = new Uri(new Uri(cli.Location.Uri.TrimEnd('/') + "/"), $"{JobRunner.ServiceBasePath.TrimStart('/')}{run.Uuid}/").ToString();
            if (cli.Json)
            {
                cli.WriteJson(new { uuid = run.Uuid, url, status = run.Status.Name() });
            }
            else
            {
                Console.Out.WriteLine(url);
            }

            if (run.Status != JobStatus.Running)
            {
                cli.Error.MarkupLine($"[yellow]note: the service is {run.Status.Name()}; the URL answers while it is running.[/]");
            }

            return ExitCodes.Success;
        });
    }

    private static Argument<string> Uuid() => new("uuid") { Description = "The run's uuid, or its first characters (at least 4)." };

    private static Command List()
    {
        var project = new Option<string?>("--project", "-p") { Description = "Only this project's runs." };
        var max = new Option<int>("--max") { Description = "At most this many runs, newest first.", DefaultValueFactory = _ => 50 };
        var status = new Option<string[]>("--status") { Description = "Only runs in this status (queued, running, failed…); repeat for more." };
        var offset = new Option<int>("--offset") { Description = "Skip this many runs (paging).", DefaultValueFactory = _ => 0 };
        var command = new Command("ls", "List runs, newest first.") { project, max, status, offset };
        command.Aliases.Add("list");
        return command.WithAction(async (parse, cli, ct) =>
        {
            var limit = parse.GetValue(max);
            if (limit is < 1 or > 10_000)
            {
                throw new CliInputException($"--max must be between 1 and 10000 (got {limit}).");
            }

            var statuses = (parse.GetValue(status) ?? []).Select(ParseStatus).ToList();
            IReadOnlyList<JobRunRecord> runs;
            if (cli.Location.IsRemote)
            {
                using var client = Client(cli);
                runs = (await client.ListAsync(JobHosting.Project(cli, parse.GetValue(project)), [.. statuses.Select(s => s.Name())], parse.GetValue(offset), Math.Min(limit, 1000), ct)).Runs;
            }
            else
            {
                await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
                runs = await store.PageRunsAsync(parse.GetValue(project), statuses, parse.GetValue(offset), limit, ct);
            }

            if (cli.Json)
            {
                cli.WriteJson(new { runs = runs.Select(r => Json(r, null, null)) });
                return ExitCodes.Success;
            }

            // A DAG's operations name their DAG's run (its first 8 digits, as a prefix finds it), as Polyaxon lists a pipeline's runs.
            var table = new Table().AddColumns("UUID", "Name", "Parent", "Project", "Status", "Executor", "Created", "Duration", "Exit");
            foreach (var r in runs)
            {
                table.AddRow(r.Uuid, Markup.Escape(r.Name), r.ParentUuid?[..8] ?? "", Markup.Escape(r.Project), Status(r.Status), r.Executor, Format.Time(r.CreatedAt),
                    r.StartedAt is { } started ? Format.Duration(started, r.FinishedAt) : "", r.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command Get()
    {
        var uuid = Uuid();
        var command = new Command("get", "A run: its inputs, statuses, resolved specification and the tracking runs it logged.") { uuid };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var (run, statuses) = await GetAsync(cli, parse.GetValue(uuid)!, ct);
            var tracked = await TrackedRunsAsync(cli, run.Uuid, ct);
            if (cli.Json)
            {
                cli.WriteJson(Json(run, statuses, tracked));
                return ExitCodes.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string key, string? value) => grid.AddRow($"[grey]{key}[/]", Markup.Escape(value ?? ""));
            Row("uuid", run.Uuid);
            Row("name", run.Name);
            Row("project", run.Project);
            grid.AddRow("[grey]status[/]", Status(run.Status) + (run.Message is null ? "" : " — " + Markup.Escape(run.Message)));
            Row("kind", run.Kind);
            Row("parent", run.ParentUuid);
            Row("executor", run.Executor);
            Row("file", run.SpecFile);
            Row("created", Format.Time(run.CreatedAt));
            Row("started", run.StartedAt is null ? "" : Format.Time(run.StartedAt));
            Row("finished", run.FinishedAt is null ? "" : Format.Time(run.FinishedAt));
            Row("exit code", run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("attempts", run.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("log", run.LogPath);
            Row("outputs", run.OutputsPath);
            Row("inputs", run.InputsJson);
            if (run.OutputsJson is not null)
            {
                Row("outputs given", run.OutputsJson);
            }
            Row("tracking runs", tracked.Count == 0 ? "none" : string.Join(", ", tracked));
            cli.Out.Write(grid);
            cli.Out.WriteLine();
            var history = new Table().AddColumns("Status", "At", "Message");
            foreach (var s in statuses)
            {
                history.AddRow(Status(s.Status), Format.Time(s.At), Markup.Escape(s.Message ?? ""));
            }

            cli.Out.Write(history);
            return ExitCodes.Success;
        });
    }

    private static Command Logs()
    {
        var uuid = Uuid();
        var tail = new Option<int?>("--tail") { Description = "Only the last N lines." };
        var follow = new Option<bool>("--follow", "-f") { Description = "With a server: keep printing what the job writes until the run ends." };
        var command = new Command("logs", "Print a run's log (what the job printed, every attempt).") { uuid, tail, follow };
        return command.WithAction(async (parse, cli, ct) =>
        {
            if (cli.Location.IsRemote)
            {
                return await RemoteLogsAsync(cli, parse.GetValue(uuid)!, parse.GetValue(tail), parse.GetValue(follow), ct);
            }

            if (parse.GetValue(follow))
            {
                throw new CliInputException("--follow needs a server (--tracking-uri or FATHOM_TRACKING_URI): a local run prints its log where it runs.");
            }

            await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
            var run = await Find(store, parse.GetValue(uuid)!, ct);
            if (run.LogPath is null || !File.Exists(run.LogPath))
            {
                throw new FileNotFoundException($"Run {run.Uuid} has no log at {run.LogPath ?? "(none recorded)"}.");
            }

            var lines = await File.ReadAllLinesAsync(run.LogPath, ct);
            var shown = parse.GetValue(tail) is int n and >= 0 ? lines.TakeLast(n) : lines;
            if (cli.Json)
            {
                cli.WriteJson(new { uuid = run.Uuid, status = run.Status.Name(), lines = shown });
                return ExitCodes.Success;
            }

            foreach (var line in shown)
            {
                Console.Out.WriteLine(line);
            }

            return ExitCodes.Success;
        });
    }

    private static Command Delete()
    {
        var uuid = Uuid();
        var keep = new Option<bool>("--keep-artifacts") { Description = "Keep the run's folder (outputs and log) on disk." };
        var command = new Command("delete", "Delete a finished run's record and its folder of outputs and log.") { uuid, keep };
        return command.WithAction(async (parse, cli, ct) =>
        {
            if (cli.Location.IsRemote)
            {
                using var client = Client(cli);
                var (found, _) = await client.GetAsync(parse.GetValue(uuid)!, ct);
                var removed = await client.DeleteAsync(found.Uuid, ct);
                if (cli.Json)
                {
                    cli.WriteJson(new { uuid = found.Uuid, deleted = true, folder_deleted = removed });
                }
                else
                {
                    cli.Human.MarkupLine($"Run [bold]{found.Uuid}[/] deleted.");
                }

                return ExitCodes.Success;
            }

            await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
            var run = await Find(store, parse.GetValue(uuid)!, ct);
            if (!run.Status.IsDone())
            {
                throw new CliInputException($"Run {run.Uuid} is {run.Status.Name()}; stop it (Ctrl-C where it runs) before deleting it.");
            }

            await store.DeleteRunAsync(run.Uuid, ct);
            var folder = RunFolder(run);
            if (!parse.GetValue(keep) && folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }

            if (cli.Json)
            {
                cli.WriteJson(new { uuid = run.Uuid, deleted = true, folder_deleted = !parse.GetValue(keep) && folder is not null });
            }
            else
            {
                cli.Human.MarkupLine($"Run [bold]{run.Uuid}[/] deleted.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Stop()
    {
        var uuid = Uuid();
        var command = new Command("stop", "Stop a run on the server: its whole process tree is stopped, and the run recorded stopped.") { uuid };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            var run = await client.StopAsync(parse.GetValue(uuid)!, ct);
            for (var i = 0; i < 100 && !run.Status.IsDone(); i++)
            {
                await Task.Delay(100, ct);
                run = (await client.GetAsync(run.Uuid, ct)).Run;
            }

            if (cli.Json)
            {
                cli.WriteJson(Json(run, null, null));
            }
            else
            {
                cli.Human.MarkupLine($"Run [bold]{run.Uuid}[/]: {Status(run.Status)}{(run.Message is null ? "" : " — " + Markup.Escape(run.Message))}");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Restart()
    {
        var uuid = Uuid();
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the new run's status and log until it ends." };
        var command = new Command("restart", "Run a run again on the server: a new run with the same file, params and project.") { uuid, watch };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            var run = await client.RestartAsync(parse.GetValue(uuid)!, ct);
            cli.Error.MarkupLine($"Run [bold]{run.Uuid}[/] queued (a copy of {Markup.Escape(parse.GetValue(uuid)!)}).");
            if (parse.GetValue(watch))
            {
                return await RemoteRun.WatchAsync(cli, client, run.Uuid, ct);
            }

            if (cli.Json)
            {
                cli.WriteJson(Json(run, null, null));
            }
            else
            {
                Console.Out.WriteLine(run.Uuid);
            }

            return ExitCodes.Success;
        });
    }

    private static JobServerClient Client(CliContext cli) => cli.Location.IsRemote
        ? new JobServerClient(new Uri(cli.Location.Uri))
        : throw new CliInputException("stopping and restarting runs needs a server (--tracking-uri or FATHOM_TRACKING_URI); a run in the foreground stops with Ctrl-C.");

    private static async Task<(JobRunRecord Run, IReadOnlyList<JobStatusChange> Statuses)> GetAsync(CliContext cli, string uuid, CancellationToken ct)
    {
        if (cli.Location.IsRemote)
        {
            using var client = Client(cli);
            return await client.GetAsync(uuid, ct);
        }

        await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
        var run = await Find(store, uuid, ct);
        return (run, await store.StatusesAsync(run.Uuid, ct));
    }

    private static async Task<int> RemoteLogsAsync(CliContext cli, string uuid, int? tail, bool follow, CancellationToken ct)
    {
        using var client = Client(cli);
        var (run, _) = await client.GetAsync(uuid, ct);
        if (tail is null && !cli.Json)
        {
            await using var stdout = Console.OpenStandardOutput();
            await client.LogsAsync(run.Uuid, 0, follow, stdout, ct);
            return ExitCodes.Success;
        }

        using var buffer = new MemoryStream();
        await client.LogsAsync(run.Uuid, 0, follow, buffer, ct);
        var lines = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n');
        var all = lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
        var shown = tail is int n and >= 0 ? all.TakeLast(n) : all;
        if (cli.Json)
        {
            cli.WriteJson(new { uuid = run.Uuid, status = run.Status.Name(), lines = shown });
            return ExitCodes.Success;
        }

        foreach (var line in shown)
        {
            Console.Out.WriteLine(line);
        }

        return ExitCodes.Success;
    }

    private static JobStatus ParseStatus(string name)
    {
        try
        {
            return JobStatuses.Parse(name);
        }
        catch (FormatException e)
        {
            throw new CliInputException("--status: " + e.Message);
        }
    }

    // The run's own folder (artifacts/<uuid>, holding outputs/ and logs/), only when the record points at exactly that: a
    // folder named by the run's uuid, not a link, so an edited record cannot make delete remove anything else.
    private static string? RunFolder(JobRunRecord run)
    {
        if (run.OutputsPath is null || Path.GetDirectoryName(Path.GetFullPath(run.OutputsPath)) is not { } folder)
        {
            return null;
        }

        var info = new DirectoryInfo(folder);
        return info.Exists && info.Name == run.Uuid && info.LinkTarget is null && Path.GetFileName(run.OutputsPath) == "outputs" ? folder : null;
    }

    private static async Task<JobRunRecord> Find(IJobStore store, string uuid, CancellationToken ct) =>
        await store.GetRunAsync(uuid, ct) ?? throw TrackingException.NotFound($"No run of a job with uuid {uuid}; fathom ops ls lists them.");

    // The tracking runs the job logged: each carries the job's uuid as a tag (set from FATHOM_RUN_UUID).
    private static async Task<IReadOnlyList<string>> TrackedRunsAsync(CliContext cli, string uuid, CancellationToken ct)
    {
        await using var tracking = cli.OpenTracking();
        var experiments = await tracking.Store.ListExperimentsAsync(ViewType.ActiveOnly, ct);
        if (experiments.Count == 0)
        {
            return [];
        }

        var page = await tracking.Store.SearchRunsAsync(
            new RunSearch([.. experiments.Select(e => e.ExperimentId)], ViewType.ActiveOnly, 100, Filter: $"tags.`{SystemTags.JobRun}` = '{uuid}'"), ct);
        return [.. page.Runs.Select(r => r.Info.RunId)];
    }

    private static string Status(JobStatus status) => status switch
    {
        JobStatus.Succeeded => "[green]succeeded[/]",
        JobStatus.Failed or JobStatus.UpstreamFailed => $"[red]{status.Name()}[/]",
        JobStatus.Stopped or JobStatus.Skipped => $"[yellow]{status.Name()}[/]",
        _ => $"[blue]{status.Name()}[/]",
    };

    private static object Json(JobRunRecord r, IReadOnlyList<JobStatusChange>? statuses, IReadOnlyList<string>? tracked) => new
    {
        uuid = r.Uuid,
        name = r.Name,
        project = r.Project,
        kind = r.Kind,
        status = r.Status.Name(),
        executor = r.Executor,
        spec_file = r.SpecFile,
        created_at = r.CreatedAt,
        started_at = r.StartedAt,
        finished_at = r.FinishedAt,
        exit_code = r.ExitCode,
        attempt = r.Attempt,
        message = r.Message,
        submitted_by = r.SubmittedBy,
        parent_uuid = r.ParentUuid,
        log_path = r.LogPath,
        outputs_path = r.OutputsPath,
        inputs = JsonDocument.Parse(r.InputsJson).RootElement,
        outputs = r.OutputsJson is null ? (JsonElement?)null : JsonDocument.Parse(r.OutputsJson).RootElement,
        resolved_spec = statuses is null ? (JsonElement?)null : JsonDocument.Parse(r.ResolvedSpec).RootElement,
        statuses = statuses?.Select(s => new { status = s.Status.Name(), at = s.At, message = s.Message }),
        tracking_runs = tracked,
    };
}
