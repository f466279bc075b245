using System.CommandLine;
using Fathom.Models;
using Fathom.Monitoring;
using Fathom.Serving;
using Fathom.Workflows;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom serve</c>: the model's REST API (predict, version, health) with OpenAPI docs at /docs.</summary>
internal static class ServeCommand
{
    /// <summary>The model folder to serve when --model is not given (the reference template's setting).</summary>
    public const string ModelPathVariable = "PRED_MODEL_PATH";

    /// <summary>The run id of the model to serve, also reported by /api/v1/model/version.</summary>
    public const string ModelUuidVariable = "PRED_MODEL_UUID";

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = $"A model folder, a run id, runs:/<run id>/model or models:/<name>@<alias> (or /<version>, /<stage>) (default: ${ModelPathVariable}, else ${ModelUuidVariable})." };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to bind (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var maxLength = new Option<int>("--max-review-length") { Description = "Longest review text accepted, in characters.", DefaultValueFactory = _ => 100_000 };
        var noMetrics = new Option<bool>("--no-metrics") { Description = "Neither measure requests nor serve GET /metrics." };
        var microBatch = new Option<bool>("--micro-batch") { Description = "Score concurrent small requests together (see the README: measured, off by default)." };
        var microBatchWait = new Option<int>("--micro-batch-wait-us") { Description = "How long a micro-batch waits for more requests, in microseconds (0: only what is queued).", DefaultValueFactory = _ => 0 };
        var microBatchMax = new Option<int>("--micro-batch-max") { Description = "Most reviews in one micro-batch; larger requests are scored alone.", DefaultValueFactory = _ => 64 };
        var predictionLog = new Option<string?>("--prediction-log") { Description = "Log sampled predictions (score and summary features, never the text) as JSON lines in this folder, for `fathom monitor report`." };
        var predictionSample = new Option<double>("--prediction-sample") { Description = "The share of requests the prediction log keeps, 0 to 1 (a tenth by default: measuring a review costs about what scoring it does).", DefaultValueFactory = _ => 0.1 };
        var predictionLogMax = new Option<int>("--prediction-log-max-mb") { Description = "Size of one prediction log file before the next is started; 8 files are kept, the oldest removed.", DefaultValueFactory = _ => 16 };
        var command = new Command("serve", "Serve a model over REST: POST /api/v1/model/predict, MLflow's POST /invocations, GET /ping, GET /health, GET /metrics, docs at /docs.")
        {
            model, host, port, maxLength, noMetrics, microBatch, microBatchWait, microBatchMax, predictionLog, predictionSample, predictionLogMax,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var options = new ServingOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                MaxReviewLength = parse.GetValue(maxLength),
                Metrics = !parse.GetValue(noMetrics),
                MicroBatch = parse.GetValue(microBatch),
                MicroBatchWait = TimeSpan.FromMicroseconds(parse.GetValue(microBatchWait)),
                MicroBatchMaxReviews = parse.GetValue(microBatchMax),
                PredictionLog = parse.GetValue(predictionLog) is { Length: > 0 } logFolder
                    ? new PredictionLogOptions(Path.GetFullPath(logFolder))
                    {
                        SampleRate = parse.GetValue(predictionSample),
                        MaxFileBytes = (long)parse.GetValue(predictionLogMax) << 20,
                    }
                    : null,
            };
            options.Validate();
            var served = await LoadAsync(cli, parse.GetValue(model), ct);
            await using var app = ServingHost.Build(served, options);
            await HostStart.StartAsync(app, options.Host, options.Port, ct);
            cli.Human.MarkupLine($"Serving model [bold]{Markup.Escape(served.ModelUuid)}[/] on [blue]{string.Join(", ", app.Urls)}[/] (docs: /docs). Ctrl+C stops.");
            // The host's own SIGTERM/Ctrl+C handling stops it; so does cancellation of the command.
            try
            {
                await app.WaitForShutdownAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // stopping gracefully below
            }

            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        });
    }

    public static async Task<ServedModel> LoadAsync(CliContext cli, string? reference, CancellationToken cancellationToken)
    {
        var uuid = Environment.GetEnvironmentVariable(ModelUuidVariable);
        reference ??= Environment.GetEnvironmentVariable(ModelPathVariable) is { Length: > 0 } path ? path : uuid;
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new CliInputException($"No model to serve: pass --model <folder|run id|models:/name@alias>, or set {ModelPathVariable} or {ModelUuidVariable}.");
        }

        var folder = await ModelLocator.LocateAsync(reference, cli.OpenTracking, cancellationToken);
        LoadedModel loaded = await ModelFolder.LoadAsync(folder, cancellationToken);
        if (loaded.Model.FallbackReason is { } reason)
        {
            cli.Human.MarkupLine($"[yellow]Scoring with ML.NET's engine (slower): {Markup.Escape(reason)}[/]");
        }

        // Before the port opens: the first requests then find the scoring path compiled.
        loaded.Model.WarmUp();
        // The folder's input example feeds the OpenAPI document of /invocations; a model saved without one still serves.
        var example = Path.Combine(folder, ModelFolder.InputExampleFileName);
        var exampleJson = File.Exists(example) ? await File.ReadAllTextAsync(example, cancellationToken) : null;
        return new ServedModel(loaded.Model, string.IsNullOrWhiteSpace(uuid) ? loaded.Manifest.RunId ?? loaded.Manifest.ModelUuid : uuid, exampleJson, folder);
    }
}
