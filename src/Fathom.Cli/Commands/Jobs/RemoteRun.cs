using Fathom.Jobs;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// <c>fathom run</c> with a server configured: the file and its params go to the server's queue (Polyaxon's
/// <c>polyaxon run</c> against a deployment); <c>--watch</c> follows the run's log and status until it ends.
/// </summary>
internal static class RemoteRun
{
    public static async Task<int> SubmitAsync(CliContext cli, string path, IReadOnlyDictionary<string, string> parameters, string project, string executor, bool watch, CancellationToken ct)
    {
        using var client = new JobServerClient(new Uri(cli.Location.Uri));
        var content = await File.ReadAllTextAsync(path, ct);
        var run = await client.SubmitAsync(content, JobServerClient.PlainName(path), parameters, project, executor, cli.Host.WorkingDirectory(), ct);
        cli.Error.MarkupLine($"Run [bold]{run.Uuid}[/] ({Markup.Escape(run.Name)}) queued in project [bold]{Markup.Escape(project)}[/] on {Markup.Escape(cli.Location.ToString())}.");
        if (!watch)
        {
            if (cli.Json)
            {
                cli.WriteJson(new { uuid = run.Uuid, status = run.Status.Name(), project = run.Project, name = run.Name });
            }
            else
            {
                Console.Out.WriteLine(run.Uuid);
            }

            return ExitCodes.Success;
        }

        return await WatchAsync(cli, client, run.Uuid, ct);
    }

    /// <summary>Follows a run's log (to stdout; stderr with --json) and its statuses (stderr) until it ends.</summary>
    public static async Task<int> WatchAsync(CliContext cli, JobServerClient client, string uuid, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var statuses = Task.Run(async () =>
        {
            var seen = 0;
            while (!stop.IsCancellationRequested)
            {
                var (_, history) = await client.GetAsync(uuid, stop.Token);
                foreach (var change in history.Skip(seen))
                {
                    cli.Error.MarkupLine($"[grey]{change.Status.Name()}{(change.Message is null ? "" : " — " + Markup.Escape(change.Message))}[/]");
                }

                seen = history.Count;
                await Task.Delay(500, stop.Token);
            }
        }, CancellationToken.None);
        try
        {
            await using var output = cli.Json ? Console.OpenStandardError() : Console.OpenStandardOutput();
            await client.LogsAsync(uuid, 0, follow: true, output, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C stops watching, not the run: it goes on on the server.
            cli.Error.MarkupLine($"Stopped watching; run {uuid} goes on (fathom ops stop {uuid} stops it).");
            return ExitCodes.Cancelled;
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await statuses;
            }
            catch (OperationCanceledException)
            {
            }
        }

        var (run, _) = await client.GetAsync(uuid, ct);
        if (cli.Json)
        {
            cli.WriteJson(new { uuid = run.Uuid, status = run.Status.Name(), exit_code = run.ExitCode, attempts = run.Attempt, message = run.Message });
        }

        var color = run.Status == JobStatus.Succeeded ? "green" : "red";
        cli.Error.MarkupLine($"Run {uuid}: [{color}]{run.Status.Name()}[/]{(run.Message is null ? "" : " — " + Markup.Escape(run.Message))}");
        return run.Status switch
        {
            JobStatus.Succeeded => ExitCodes.Success,
            JobStatus.Stopped => ExitCodes.Cancelled,
            _ => ExitCodes.Failure,
        };
    }
}
