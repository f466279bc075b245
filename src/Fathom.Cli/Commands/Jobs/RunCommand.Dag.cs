using Fathom.Jobs;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// A file whose run is a DAG: run in the foreground, each operation a run of its own under the DAG's run, its lines
/// shown with the operation's name; the exit code is the DAG's status (0 succeeded, 1 failed, 130 stopped).
/// </summary>
internal static partial class RunCommand
{
    private static async Task<int> RunDagAsync(CliContext cli, JobRequest request, IJobExecutor executor, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = DagRunner.Plan(request);
        if (dryRun)
        {
            cli.Out.WriteLine($"dag {plan.Name}: {plan.Order.Count} operations, {plan.Dag.Concurrency ?? 1} at once, in this order:");
            foreach (var op in plan.Order)
            {
                var upstream = DagPlan.Upstream(op);
                cli.Out.WriteLine($"  {op.Name}{(upstream.Count == 0 ? "" : " after " + string.Join(", ", upstream))}");
            }

            return ExitCodes.Success;
        }

        await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
        var uuid = JobRunner.NewUuid();
        cli.Error.MarkupLine($"Run [bold]{uuid}[/] (dag {Markup.Escape(plan.Name)}, {plan.Order.Count} operations) in project [bold]{Markup.Escape(request.Project)}[/], {executor.Name} executor");
        var output = cli.Json ? Console.Error : Console.Out;
        var outcome = await new DagRunner(store, executor, cli.Time).RunAsync(request, plan, uuid, output.WriteLine,
            (name, status, message) => cli.Error.MarkupLine($"[grey]{Markup.Escape(name ?? "dag")}: {status.Name()}{(message is null ? "" : " — " + Markup.Escape(message))}[/]"),
            cancellationToken);
        if (cli.Json)
        {
            cli.WriteJson(new
            {
                uuid,
                status = outcome.Status.Name(),
                message = outcome.Message,
                log = outcome.LogFile,
                operations = outcome.Operations.Select(o => new { name = o.Name, uuid = o.Uuid, status = o.Status.Name(), message = o.Message }),
            });
        }

        foreach (var op in outcome.Operations)
        {
            cli.Error.MarkupLine($"  {Markup.Escape(op.Name)} {op.Uuid[..8]}: {op.Status.Name()}{(op.Message is null ? "" : " — " + Markup.Escape(op.Message))}");
        }

        return Finish(cli, uuid, outcome.Status, outcome.Message);
    }

    /// <summary>A foreground run's last line, and the exit code its status gives.</summary>
    private static int Finish(CliContext cli, string uuid, JobStatus status, string? message)
    {
        var color = status == JobStatus.Succeeded ? "green" : "red";
        cli.Error.MarkupLine($"Run {uuid}: [{color}]{status.Name()}[/]{(message is null ? "" : " — " + Markup.Escape(message))}");
        return status switch
        {
            JobStatus.Succeeded => ExitCodes.Success,
            JobStatus.Stopped => ExitCodes.Cancelled,
            _ => ExitCodes.Failure,
        };
    }
}
