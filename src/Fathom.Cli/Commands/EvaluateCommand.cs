using System.CommandLine;
using Fathom.Reviews;
using Fathom.Workflows;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom evaluate --model M --data D --metrics FILE</c>: a model's accuracy, F1 and log-loss on labelled reviews, as a metrics JSON.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder, a run id, runs:/<run id>/model, or a registered version: models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage>.", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "Labelled reviews: a folder with pos/ and neg/ (its test/ split if it has one) or a *.jsonl.gz file.", Required = true };
        var metrics = new Option<string>("--metrics", "-o") { Description = "The metrics JSON file to write.", Required = true };
        var command = new Command("evaluate", "Score labelled reviews with a model and write accuracy, precision, recall, F1 and log-loss to a metrics JSON file.")
        {
            model, data, metrics,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var loaded = await ModelLocator.LoadAsync(parse.GetValue(model)!, cli.OpenTracking, ct);
            using var sentiment = loaded.Model;
            var path = parse.GetValue(data)!;
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new FileNotFoundException($"Evaluation data '{path}' does not exist.", path);
            }

            var split = Directory.Exists(Path.Combine(path, "test")) ? "test" : null;
            var errors = new List<ReviewReadError>();
            var reviews = ReviewSources.ReadAll(path, split, errors);
            var values = EvaluationWorkflow.Evaluate(sentiment, reviews);
            EvaluationWorkflow.WriteJson(values, parse.GetValue(metrics)!);
            PrepCommand.Skipped(cli, errors);
            if (cli.Json)
            {
                cli.WriteJson(values);
            }
            else
            {
                var table = new Table().AddColumns("Metric", "Value");
                foreach (var (key, value) in values)
                {
                    table.AddRow(key, TrainingWorkflow.FormatMetric(value));
                }

                cli.Out.Write(table);
            }

            return ExitCodes.Success;
        });
    }
}
