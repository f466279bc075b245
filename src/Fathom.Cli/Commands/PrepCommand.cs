using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Reviews;
using Fathom.Workflows;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom prep --input RAW… --output PROCESSED</c>: the data-prep step.</summary>
internal static class PrepCommand
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input", "-i") { Description = "Raw review folder(s): <dir>/{train,test}/{pos,neg}/<id>_<rating>.txt (default: data_prep.raw_dirs_paths of the config).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "The processed folder to write, same layout (default: data_prep.processed_data_path of the config)." };
        var experiment = new Option<string>("--experiment", "-e") { Description = "Experiment for the tracked prep run.", DefaultValueFactory = _ => "data-prep" };
        var command = new Command("prep", "Clean raw reviews (lowercase; HTML tags, punctuation, isolated letters and extra spaces removed) into one processed folder.")
        {
            input, output, experiment,
        };
        var config = new ConfigCommand.ConfigOptions();
        config.AddTo(command, multirun: false);
        return command.WithAction(async (parse, cli, ct) =>
        {
            var (composed, _, _) = config.Jobs(parse, cli)[0];
            var inputs = parse.GetValue(input) is { Length: > 0 } given ? given : null;
            var outputPath = parse.GetValue(output);
            Config.HydraRun? run = null;
            if (composed is not null)
            {
                // Explicit flags win over the config's data_prep section.
                var section = PreparationConfig.From(composed.ResolveJob(time: cli.Time));
                inputs ??= section.RawDirsPaths?.ToArray();
                outputPath ??= section.ProcessedDataPath;
                run = Config.HydraRun.Write(composed, Directory.GetCurrentDirectory(), "prep", null, null, cli.Time);
            }

            if (inputs is null || outputPath is null)
            {
                throw new CliInputException("give --input and --output, or set data_prep.raw_dirs_paths and data_prep.processed_data_path in the config.");
            }

            await using var tracking = cli.OpenTracking();
            var (runId, result) = await RunAsync(cli, tracking, inputs, outputPath, parse.GetValue(experiment)!, ct, run);
            if (cli.Json)
            {
                cli.WriteJson(new { run_id = runId, read = result.Read, written = result.Written, skipped = result.Skipped.Select(s => new { path = s.Path, reason = s.Reason }) });
            }
            else
            {
                cli.Out.WriteLine(runId);
            }

            return ExitCodes.Success;
        });
    }

    public static async Task<(string RunId, ReviewPreparationResult Result)> RunAsync(
        CliContext cli, Tracking.TrackingClient tracking, IReadOnlyList<string> inputs, string output, string experiment, CancellationToken cancellationToken, Config.HydraRun? config = null)
    {
        var outcome = await ProgressReporter.RunAsync(cli.Error, "Cleaning reviews", null, progress =>
            PreparationWorkflow.RunAsync(tracking, inputs, output, experiment, new Progress<ReviewPreparationProgress>(p => progress.Report(p.Done)), cancellationToken, config));
        var (runId, result) = outcome;
        cli.Human.MarkupLine($"Cleaned [bold]{result.Written:N0}[/] of {result.Read:N0} reviews into [blue]{Markup.Escape(Path.GetFullPath(output))}[/] (run {runId}).");
        Skipped(cli, result.Skipped);
        return outcome;
    }

    public static void Skipped(CliContext cli, IReadOnlyList<ReviewReadError> skipped)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        cli.Error.MarkupLine($"[yellow]{skipped.Count} file(s) skipped:[/]");
        foreach (var error in skipped.Take(50))
        {
            cli.Error.WriteLine($"  {error.Path}: {error.Reason}");
        }

        if (skipped.Count > 50)
        {
            cli.Error.WriteLine($"  … and {skipped.Count - 50} more");
        }
    }
}
