using System.CommandLine;
using Fathom.Sentiment;
using Fathom.Workflows;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom train</c>: a tracked training run of the sentiment model; the run id is the last line of stdout.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data", "-d") { Description = "Training data: a review folder (its train/ split if it has one) or a *.jsonl.gz file (default: train.data_path of the config)." };
        var test = new Option<string?>("--test", "-t") { Description = "Test data (default: the data folder's test/ split when it has one)." };
        var experiment = new Option<string>("--experiment", "-e") { Description = "Experiment name.", DefaultValueFactory = _ => "sentiment" };
        var runName = new Option<string?>("--run-name") { Description = "The run's name (default: generated)." };
        var set = new Option<string[]>("--set", "-s")
        {
            Description = $"Hyperparameter key=value (repeatable). Keys: {string.Join(", ", SentimentTrainingOptions.Keys)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var modelOut = new Option<string?>("--model-out") { Description = "Also write the model folder here (e.g. a pipeline stage's output)." };
        var command = new Command("train", "Train the sentiment model in a tracked run: params, metrics, lineage and the model folder.")
        {
            data, test, experiment, runName, set, modelOut,
        };
        var config = new ConfigCommand.ConfigOptions();
        config.AddTo(command, multirun: true);
        return command.WithAction(async (parse, cli, ct) =>
        {
            var settings = parse.GetValue(set) ?? [];
            ParseOptions(settings);
            var jobs = config.Jobs(parse, cli);
            await using var tracking = cli.OpenTracking();
            var outcomes = new List<TrainingOutcome>();
            foreach (var (composed, number, sweepDirectory) in jobs)
            {
                var request = Request(composed, number, sweepDirectory, cli, parse.GetValue(data), parse.GetValue(test), settings) with
                {
                    Experiment = parse.GetValue(experiment)!,
                    RunName = parse.GetValue(runName),
                    ModelOutput = parse.GetValue(modelOut),
                };
                outcomes.Add(await RunAsync(cli, tracking, request, ct));
            }

            if (cli.Json)
            {
                var runs = outcomes.Select(o => new { run_id = o.RunId, model_uri = o.ModelUri, metrics = o.Metrics }).ToList();
                if (parse.GetValue(config.Multirun))
                {
                    cli.WriteJson(runs);
                }
                else
                {
                    cli.WriteJson(runs[0]);
                }

                return ExitCodes.Success;
            }

            foreach (var outcome in outcomes)
            {
                cli.Out.WriteLine(outcome.RunId);
            }

            return ExitCodes.Success;
        });
    }

    /// <summary>
    /// What one run trains with: the config's <c>train</c> section (when there is a config) under the explicit flags —
    /// <c>--data</c>/<c>--test</c> over <c>train.data_path</c>/<c>train.test_data_path</c>, <c>--set</c> over the section's keys.
    /// </summary>
    private static TrainingRequest Request(Config.ComposedConfig? composed, int? number, string? sweepDirectory, CliContext cli, string? data, string? test, IReadOnlyList<string> settings)
    {
        var options = new SentimentTrainingOptions();
        Config.HydraRun? run = null;
        if (composed is not null)
        {
            var resolved = composed.ResolveJob(time: cli.Time);
            options = TrainingConfig.Apply(options, resolved);
            var (configData, configTest) = TrainingConfig.Paths(resolved);
            data ??= configData;
            test ??= configTest;
            run = Config.HydraRun.Write(composed, Directory.GetCurrentDirectory(), "train", number, sweepDirectory, cli.Time);
        }

        options = options.Apply(settings);
        return data is null
            ? throw new CliInputException("no training data: give --data, or set train.data_path in the config.")
            : new TrainingRequest(data, test, "sentiment", options, Config: run);
    }

    public static SentimentTrainingOptions ParseOptions(IEnumerable<string> settings)
    {
        foreach (var setting in settings.Where(s => !s.Contains('=', StringComparison.Ordinal)))
        {
            throw new CliInputException($"--set '{setting}': write key=value. Keys: {string.Join(", ", SentimentTrainingOptions.Keys)}.");
        }

        return new SentimentTrainingOptions().Apply(settings);
    }

    public static async Task<TrainingOutcome> RunAsync(CliContext cli, Tracking.TrackingClient tracking, TrainingRequest request, CancellationToken cancellationToken)
    {
        var outcome = await TrainingWorkflow.RunAsync(tracking, request, new Progress<string>(message => cli.Error.MarkupLine($"[grey]{Markup.Escape(message)}[/]")), cancellationToken);
        var table = new Table { Title = new TableTitle($"Run {outcome.RunId}") }.AddColumns("Metric", "Validation", "Test");
        foreach (var name in new[] { "accuracy", "f1", "roc_auc", "log_loss" })
        {
            table.AddRow(name, Value(outcome.Metrics, "val_" + name), Value(outcome.Metrics, "test_" + name));
        }

        cli.Human.Write(table);
        cli.Human.MarkupLine(
            $"Trained on {outcome.TrainCount:N0} reviews (validation {outcome.ValidationCount:N0}, test {outcome.TestCount:N0}) in {outcome.Duration.TotalSeconds:0.0}s. Model: [blue]{Markup.Escape(outcome.ModelUri)}[/]");
        return outcome;
    }

    private static string Value(IReadOnlyDictionary<string, double> metrics, string key) =>
        metrics.TryGetValue(key, out var value) ? TrainingWorkflow.FormatMetric(value) : "-";
}
