using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Fathom.Serving;
using Fathom.Workflows;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary>
/// <c>fathom quickstart</c>: the whole reference workflow on the bundled sample: prep → tracked training and
/// evaluation → batch inference → serve, one request, stop.
/// </summary>
internal static class QuickstartCommand
{
    private const string Experiment = "quickstart";

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Raw sample in the IMDB layout (default: samples/imdb of the repository, else the copy shipped with fathom)." };
        var output = new Option<string>("--output", "-o") { Description = "Where outputs go.", DefaultValueFactory = _ => Path.Combine("out", "quickstart") };
        var command = new Command("quickstart", "Run the reference workflow end to end on the sample data, with no infrastructure.") { data, output };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var stopwatch = Stopwatch.StartNew();
            var raw = parse.GetValue(data) ?? FindSample();
            var outputFolder = Path.GetFullPath(parse.GetValue(output)!);
            var processed = Path.Combine(outputFolder, "processed");
            var predictions = Path.Combine(outputFolder, "predictions.jsonl");
            if (Directory.Exists(processed))
            {
                Directory.Delete(processed, recursive: true); // a rerun starts from a clean slate
            }

            var console = cli.Human;
            console.MarkupLine($"Sample: [blue]{Markup.Escape(Path.GetFullPath(raw))}[/]");
            await using var tracking = cli.OpenTracking();
            console.MarkupLine($"Tracking store: [blue]{Markup.Escape(tracking.Location)}[/]");

            Step(console, 1, "prep: clean the raw reviews");
            var (prepRun, _) = await PrepCommand.RunAsync(cli, tracking, [raw], processed, Experiment, ct);

            Step(console, 2, "train and evaluate (tracked)");
            var options = TrainCommand.ParseOptions(["text_is_clean=true"]);
            var outcome = await TrainCommand.RunAsync(cli, tracking, new TrainingRequest(processed, null, Experiment, options, "quickstart-train"), ct);

            Step(console, 3, "batch inference on the raw test reviews");
            await PredictCommand.RunAsync(cli, outcome.RunId, Path.Combine(raw, "test"), predictions, recursive: true, ct);

            Step(console, 4, "serve, send one request, stop");
            await ServeOnceAsync(cli, outcome.RunId, ct);

            console.Write(new Rule("[green]done[/]").LeftJustified());
            console.MarkupLine($"Finished in {stopwatch.Elapsed.TotalSeconds:0.0}s.");
            console.MarkupLine($"  prep run:      {prepRun}");
            console.MarkupLine($"  training run:  [bold]{outcome.RunId}[/] (test accuracy {TrainingWorkflow.FormatMetric(outcome.Metrics.GetValueOrDefault("test_accuracy"))})");
            console.MarkupLine($"  processed:     [blue]{Markup.Escape(processed)}[/]");
            console.MarkupLine($"  predictions:   [blue]{Markup.Escape(predictions)}[/]");
            console.MarkupLine($"  model:         {Markup.Escape(outcome.ModelUri)}");
            console.MarkupLine("Next: [grey]fathom runs list[/], [grey]fathom runs show " + outcome.RunId + "[/], [grey]fathom serve --model " + outcome.RunId + "[/]");
            if (!cli.Json)
            {
                cli.Out.WriteLine(outcome.RunId);
            }
            else
            {
                cli.WriteJson(new { run_id = outcome.RunId, prep_run_id = prepRun, processed, predictions, metrics = outcome.Metrics });
            }

            return ExitCodes.Success;
        });
    }

    private static async Task ServeOnceAsync(CliContext cli, string runId, CancellationToken cancellationToken)
    {
        var served = await ServeCommand.LoadAsync(cli, runId, cancellationToken);
        await using var app = ServingHost.Build(served, new ServingOptions { Port = 0 });
        await app.StartAsync(cancellationToken);
        try
        {
            var url = app.Urls.First();
            cli.Human.MarkupLine($"Serving on [blue]{url}[/] (docs: {url}/docs)");
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var request = new { reviews = new object[] { new { id = 9176, text = "This movie is quite boring." }, new { id = 42, text = "A wonderful film, I loved every minute of it!" } } };
            cli.Human.MarkupLine($"POST /api/v1/model/predict {Markup.Escape(JsonSerializer.Serialize(request))}");
            using var response = await http.PostAsJsonAsync("/api/v1/model/predict", request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            cli.Human.MarkupLine($"→ {(int)response.StatusCode} {Markup.Escape(body)}");
            response.EnsureSuccessStatusCode();
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            served.Model.Dispose();
        }
    }

    private static void Step(IAnsiConsole console, int number, string title) =>
        console.Write(new Rule($"[bold]{number}/4[/] {Markup.Escape(title)}").LeftJustified());

    // The repository's sample when run from a checkout (searched upwards), else the copy shipped with the tool.
    private static string FindSample()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "imdb");
            if (Directory.Exists(Path.Combine(candidate, "train")))
            {
                return candidate;
            }
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "samples", "imdb");
        return Directory.Exists(shipped)
            ? shipped
            : throw new DirectoryNotFoundException("No sample data found: pass --data <folder in the IMDB layout>.");
    }
}
