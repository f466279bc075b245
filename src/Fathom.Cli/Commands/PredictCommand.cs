using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Sentiment;
using Fathom.Workflows;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom predict</c>: batch inference over a folder of review files, one JSON line per file.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder, a run id, runs:/<run id>/model, or a registered version: models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage>.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Folder of *.txt review files.", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "The JSON Lines file to write (default: stdout)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Include sub-folders." };
        var command = new Command("predict", "Score every *.txt file of a folder; writes {time, filepath, logit_prob, sentiment} per line.")
        {
            model, input, output, recursive,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var result = await RunAsync(cli, parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(recursive), ct);
            return result.FilesScored == 0 && result.Failed.Count > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
    }

    public static async Task<BatchPredictionResult> RunAsync(CliContext cli, string modelReference, string input, string? output, bool recursive, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(input))
        {
            throw new DirectoryNotFoundException($"Input folder '{input}' does not exist.");
        }

        var loaded = await ModelLocator.LoadAsync(modelReference, cli.OpenTracking, cancellationToken);
        using var model = loaded.Model;
        if (model.FallbackReason is { } reason)
        {
            cli.Error.MarkupLine($"[yellow]Scoring with ML.NET's engine (slower): {Markup.Escape(reason)}[/]");
        }

        var total = Directory.EnumerateFiles(input, "*.txt", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).LongCount();
        var predictor = new BatchPredictor(model, cli.Time);
        var result = await ProgressReporter.RunAsync(cli.Error, "Scoring reviews", total, async progress =>
        {
            var files = new Progress<BatchPredictionProgress>(p => progress.Report(p.FilesDone + p.FilesFailed));
            if (output is not null)
            {
                return await predictor.PredictAsync(input, output, recursive, files, cancellationToken);
            }

            await using var stdout = Console.OpenStandardOutput();
            return await predictor.PredictAsync(input, stdout, recursive, files, cancellationToken);
        });

        var rate = result.Duration.TotalSeconds > 0 ? result.FilesScored / result.Duration.TotalSeconds : 0;
        cli.Error.MarkupLine($"Scored [bold]{result.FilesScored:N0}[/] files in {result.Duration.TotalSeconds:0.00}s ({rate:N0} files/s)"
            + (output is null ? "." : $" into [blue]{Markup.Escape(Path.GetFullPath(output))}[/]."));
        PrepCommand.Skipped(cli, result.Failed);
        return result;
    }
}
