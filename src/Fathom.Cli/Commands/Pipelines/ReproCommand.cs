using System.CommandLine;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary><c>fathom repro [TARGET…]</c>: runs the stages of <c>dvc.yaml</c> whose command, deps, params or outs changed.</summary>
internal static partial class ReproCommand
{
    public static Command Create()
    {
        var targets = new Argument<string[]>("targets") { Description = "Stages (name, group, name@item, path/dvc.yaml:name), dvc.yaml files or, with -R, folders to reproduce, with their upstream in any dvc.yaml of the repository (default: ./dvc.yaml).", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Run the selected stages even if nothing changed." };
        var dry = new Option<bool>("--dry") { Description = "Only print the commands that would run; change nothing." };
        var single = new Option<bool>("--single-item", "-s") { Description = "Reproduce only the targets, not the stages they depend on." };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "Independent stages to run at the same time (default 1)." };
        var noTrack = new Option<bool>("--no-track") { Description = "Do not record stage runs in the tracking store." };
        var experiment = new Option<string>("--experiment", "-e") { Description = "Experiment the stage runs are recorded in.", DefaultValueFactory = _ => "pipeline" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print the output of stages that succeed." };
        var command = new Command("repro", "Reproduce the pipeline of dvc.yaml: run changed stages in dependency order, cache their outputs and write dvc.lock.")
        {
            targets, force, dry, single, jobs, noTrack, experiment, verbose, Downstream, Recursive, AllPipelines, Pull, AllowMissing,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var jobCount = parse.GetValue(jobs) ?? 1;
            if (jobCount is < 1 or > 64)
            {
                throw new CliInputException($"--jobs must be between 1 and 64 (got {jobCount}).");
            }

            // Stage commands that track (fathom train) log where this repro logs, whatever folder they run in.
            var environment = new Dictionary<string, string> { [Tracking.StoreLocation.TrackingUriVariable] = cli.Location.Uri };

            var options = new ReproOptions
            {
                Force = parse.GetValue(force),
                Dry = parse.GetValue(dry),
                SingleItem = parse.GetValue(single),
                Jobs = jobCount,
                Environment = environment,
                ShowOutput = parse.GetValue(verbose),
                AllowMissing = parse.GetValue(AllowMissing),
                FetchObjects = parse.GetValue(Pull) ? FetchFromDefaultRemote : null,
            };
            return await ReproSetAsync(parse.GetValue(targets)!, parse, cli, options, parse.GetValue(noTrack) || options.Dry ? null : parse.GetValue(experiment)!, ct);
        });
    }

    private static int Finish(CliContext cli, ReproOptions options, IReadOnlyList<StageResult> results)
    {
        var failed = results.Count(r => r.Outcome == ReproEventKind.Failed);
        if (cli.Json)
        {
            cli.WriteJson(results.Select(r => new { stage = r.Stage, outcome = Outcome(r.Outcome), reasons = r.Reasons, error = r.Error, seconds = Math.Round(r.Duration.TotalSeconds, 3) }));
        }

        if (results.All(r => r.Outcome is ReproEventKind.UpToDate or ReproEventKind.Frozen or ReproEventKind.Pulled))
        {
            cli.HumanText.WriteLine("Data and pipelines are up to date.");
        }
        else if (failed > 0)
        {
            cli.Fail($"{failed} stage(s) failed; their previous outputs and dvc.lock entries were kept.");
        }
        else if (!options.Dry)
        {
            cli.Human.WriteLine("Use `fathom data push` to send your updates to remote storage.");
        }

        return failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static string Outcome(ReproEventKind kind) => kind switch
    {
        ReproEventKind.UpToDate => "up-to-date",
        ReproEventKind.Succeeded => "ran",
        ReproEventKind.Restored => "restored",
        ReproEventKind.Failed => "failed",
        ReproEventKind.Blocked => "blocked",
        ReproEventKind.WouldRun => "would-run",
        ReproEventKind.Frozen => "frozen",
        ReproEventKind.Pulled => "pulled",
        _ => kind.ToString().ToLowerInvariant(),
    };

    internal static void Show(CliContext cli, ReproEvent e)
    {
        var text = Markup.Escape(e.Text);
        switch (e.Kind)
        {
            case ReproEventKind.Failed:
                cli.Error.MarkupLine($"[red]ERROR:[/] {text}");
                break;
            case ReproEventKind.Blocked:
                cli.Error.MarkupLine($"[yellow]{text}[/]");
                break;
            case ReproEventKind.Output or ReproEventKind.UpToDate:
                // Plain lines skip Spectre: a no-change repro prints only these, and a Spectre console costs start-up time.
                cli.HumanText.WriteLine(e.Text);
                break;
            case ReproEventKind.Running or ReproEventKind.WouldRun:
                cli.Human.MarkupLine($"[bold]{text}[/]");
                break;
            default:
                cli.Human.MarkupLine(text);
                break;
        }
    }
}
