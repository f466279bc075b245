using System.Diagnostics;
using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom tune</c> and <c>fathom tune show</c> as real processes, as a user runs them.</summary>
public sealed class TuneCommandTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    // The template's file exactly, defaults lines included; its objectives come from the trial's return value.
    private const string TemplateFile = """
        defaults:
          - override hydra/sweeper: "optuna"
          - override hydra/sweeper/sampler: "tpe"
        hydra:
          sweeper:
            sampler:
              seed: 123
            direction: ["minimize", "maximize"]
            study_name: "sentiment-classification"
            storage: null
            n_trials: 3
            n_jobs: 1
            search_space:
              train.val_split: {type: "float", low: 0.2, high: 0.35, step: 0.025}
              train.optimiser: {type: "categorical", choices: ["adam", "rmsprop"]}
        train:
          val_split: 0.2
          optimiser: "adam"
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement;

    private async Task<JsonElement> ShowAsync(string study, params string[] extra) =>
        Json(await CliSteps.Ok(_dir.Path, ["tune", "show", study, "--json", .. extra]));

    private static string[] States(JsonElement shown) => [.. shown.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("state").GetString()!)];

    [Fact]
    public async Task Tune_ReferenceCase_TrainsEachTrialAndTheRunsAreFoundByTheLaunchTag()
    {
        var conf = Path.Combine(RepositorySamples.Imdb, "conf", "base");
        foreach (var file in Directory.EnumerateFiles(conf))
        {
            _dir.WriteFile("conf/base/" + Path.GetFileName(file), File.ReadAllText(file));
        }

        // Raw reviews instead of the prepared folder the sample's config names (fathom prep would write it).
        var tune = await CliSteps.Ok(_dir.Path, "tune", "-cn", "train-model-hptuning.yml", $"train.data_path={RepositorySamples.Imdb}", "train.text_is_clean=false", "--json");

        var launch = Json(tune);
        var tag = launch.GetProperty("hptuning_tag").GetString()!;
        Assert.Equal(3, launch.GetProperty("trials").GetProperty("complete").GetInt32());
        Assert.Equal(["val_log_loss", "val_accuracy"], launch.GetProperty("objectives").EnumerateArray().Select(o => o.GetString()));
        var runs = Json(await CliSteps.Ok(_dir.Path, "runs", "search", $"tags.hptuning_tag = '{tag}'", "--json")).GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(3, runs.Count);
        var shown = await ShowAsync("sentiment-classification", "--plots", "plots");
        foreach (var run in runs)
        {
            var data = run.GetProperty("data");
            string Tag(string key) => data.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("key").GetString() == key).GetProperty("value").GetString()!;
            string Param(string key) => data.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("key").GetString() == key).GetProperty("value").GetString()!;
            double Metric(string key) => data.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == key).GetProperty("value").GetDouble();
            Assert.Equal("FINISHED", run.GetProperty("info").GetProperty("status").GetString());
            // fathom train logged into the trial's run (its metrics, its params), and the study took its values from there.
            var trial = shown.GetProperty("trials").EnumerateArray().Single(t => t.GetProperty("number").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) == Tag("fathom.trial"));
            Assert.Equal(run.GetProperty("info").GetProperty("run_id").GetString(), trial.GetProperty("run_id").GetString());
            Assert.Equal(Metric("val_log_loss"), trial.GetProperty("values").GetProperty("val_log_loss").GetDouble());
            Assert.Equal(Metric("val_accuracy"), trial.GetProperty("values").GetProperty("val_accuracy").GetDouble());
            Assert.Equal(trial.GetProperty("params").GetProperty("train.optimiser").GetString(), Param("train.optimiser"));
            Assert.Equal(Param("train.val_split"), Param("validation_fraction"));
            Assert.Matches("^(lbfgs|sdca)$", Param("train.optimiser"));
            Assert.Equal("sentiment-classification", Tag("fathom.study"));
        }

        Assert.Equal(3, shown.GetProperty("trials").GetArrayLength());
        Assert.NotEqual(0, shown.GetProperty("best_trials").GetArrayLength());
        Assert.Equal(["history.svg", "parallel-coordinates.svg", "slice.svg", "pareto-front.svg", "importance.svg"],
            shown.GetProperty("plots").EnumerateArray().Select(p => Path.GetFileName(p.GetString()!)));
        Assert.StartsWith("<svg", File.ReadAllText(_dir.Combine("plots", "pareto-front.svg")), StringComparison.Ordinal);
        // Each trial ran fathom train in its own folder of the sweep, with the sampled overrides after the launch's.
        var overrides = Directory.EnumerateFiles(_dir.Combine("multirun"), "overrides.yaml", SearchOption.AllDirectories).ToList();
        Assert.Equal(3, overrides.Count);
        Assert.All(overrides, o => Assert.Matches(@"^- train\.data_path=.*\n- train\.text_is_clean=false\n- train\.val_split=0\.\d+\n- train\.optimiser=(lbfgs|sdca)\n$", File.ReadAllText(o)));
    }

    [Fact]
    public async Task Tune_TemplateFileUnchanged_TakesTheTrialsReturnValueAndWritesHydrasResults()
    {
        _dir.WriteFile("conf/base/tune.yaml", TemplateFile);
        _dir.WriteFile("trial.sh", "echo \"got $*\"\necho \"[0.25, 0.75]\"\n");

        var tune = await CliSteps.Ok(_dir.Path, "tune", "-cn", "tune.yaml", "--", "sh", "trial.sh");

        Assert.Contains("3 complete, 0 pruned, 0 failed in study 'sentiment-classification'", tune.Stdout, StringComparison.Ordinal);
        var shown = await ShowAsync("sentiment-classification");
        Assert.Equal(["COMPLETE", "COMPLETE", "COMPLETE"], States(shown));
        var logs = Directory.EnumerateFiles(_dir.Combine("multirun"), "stdout.log", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.All(logs, l => Assert.Matches(@"^got train\.val_split=0\.\d+ train\.optimiser=(adam|rmsprop)\n", l));
        var results = File.ReadAllText(Directory.EnumerateFiles(_dir.Combine("multirun"), "optimization_results.yaml", SearchOption.AllDirectories).Single());
        Assert.StartsWith("name: optuna\nsolutions:\n- params:\n", results, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tune_ObjectivesFromFileAndStdout_FailedTrialRecordedAndPrunedTrialStopped()
    {
        _dir.WriteFile("conf/base/tune.yaml", """
            defaults:
              - override hydra/sweeper: optuna
              - override hydra/sweeper/sampler: random
            hydra:
              sweeper:
                sampler: {seed: 1}
                direction: minimize
                objectives: [loss]
                study_name: ways
                n_trials: 5
                n_jobs: 1
                pruner: {type: median, n_startup_trials: 1}
                params:
                  x: interval(0, 1)
            x: 0.5
            """);
        // Trial 0 prints its loss, 1 writes a metrics file, 2 fails, 3 reports steps, 4 trails trial 3 at step 0 and is stopped.
        _dir.WriteFile("trial.sh", """
            case "$FATHOM_TRIAL_NUMBER" in
              0) echo "loss=0.5" ;;
              1) printf '{"loss": 0.4}' > "$FATHOM_METRICS_FILE" ;;
              2) echo "boom: bad x" >&2; exit 3 ;;
              3) echo "step=0 loss=0.1"; echo "step=1"; echo "loss=0.05" ;;
              4) echo "step=0 loss=9"; sleep 60; echo "loss=0.01" ;;
            esac
            """);
        var clock = Stopwatch.StartNew();

        var tune = await FathomProcess.RunAsync(_dir.Path, "tune", "-cn", "tune.yaml", "--", "sh", "trial.sh");

        Assert.True(tune.ExitCode == 0, tune.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"the pruned trial was not stopped: {clock.Elapsed}");
        var trials = (await ShowAsync("ways")).GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["COMPLETE", "COMPLETE", "FAIL", "COMPLETE", "PRUNED"], trials.Select(t => t.GetProperty("state").GetString()));
        Assert.Equal(0.5, trials[0].GetProperty("values").GetProperty("loss").GetDouble());
        Assert.Equal(0.4, trials[1].GetProperty("values").GetProperty("loss").GetDouble());
        Assert.StartsWith("exit code 3: boom: bad x", trials[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.05, trials[3].GetProperty("values").GetProperty("loss").GetDouble());
        Assert.Equal(9, trials[4].GetProperty("values").GetProperty("loss").GetDouble());
        Assert.Contains("trial 2 FAIL", tune.Stderr, StringComparison.Ordinal);
        // The failed trial's run says why; the pruned one was KILLED.
        var runs = Json(await CliSteps.Ok(_dir.Path, "runs", "search", "tags.`fathom.study` = 'ways'", "--json")).GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["FAILED", "FINISHED", "FINISHED", "FINISHED", "KILLED"], runs.Select(r => r.GetProperty("info").GetProperty("status").GetString()).Order());
    }

    [Fact]
    public async Task Tune_KilledMidStudy_ResumesAndRunsTheDeadTrialAgainWithItsParams()
    {
        _dir.WriteFile("conf/base/tune.yaml", """
            defaults:
              - override hydra/sweeper: optuna
              - override hydra/sweeper/sampler: random
            hydra:
              sweeper:
                study_name: resumable
                n_trials: 4
                n_jobs: 1
                params:
                  x: range(1, 1000)
            x: 1
            """);
        // Trial 1 hangs the first time (until the launch is killed); its queued copy runs quickly.
        _dir.WriteFile("trial.sh", """
            if [ "$FATHOM_TRIAL_NUMBER" = 1 ] && [ ! -e hung ]; then echo "$*" > hung; sleep 120; fi
            echo "$*" >> ran
            echo 1
            """);
        using (var first = FathomProcess.Start(_dir.Path, new Dictionary<string, string>(), "tune", "-cn", "tune.yaml", "--", "sh", "trial.sh"))
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(_dir.Combine("hung")) && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(100);
            }

            Assert.True(File.Exists(_dir.Combine("hung")), "trial 1 never started");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        var resumed = await CliSteps.Ok(_dir.Path, "tune", "-cn", "tune.yaml", "--", "sh", "trial.sh");

        Assert.Contains("trial 1 FAIL", resumed.Stderr, StringComparison.Ordinal);
        var trials = (await ShowAsync("resumable")).GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["COMPLETE", "FAIL", "COMPLETE", "COMPLETE", "COMPLETE"], trials.Select(t => t.GetProperty("state").GetString()));
        Assert.Equal(trials[1].GetProperty("params").GetProperty("x").GetInt64(), trials[2].GetProperty("params").GetProperty("x").GetInt64());
        Assert.Contains("the worker running it stopped", trials[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(_dir.Combine("hung")), File.ReadAllLines(_dir.Combine("ran"))[1] + "\n");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tune_ThreeWorkerProcesses_ShareOneStudyWithEveryTrialOnce(bool onPostgres)
    {
        string[] storage = [];
        if (onPostgres)
        {
            Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
            storage = [$"hydra.sweeper.storage='{await postgres.CreateDatabaseAsync()}'"];
        }

        _dir.WriteFile("conf/base/tune.yaml", """
            defaults:
              - override hydra/sweeper: optuna
            hydra:
              sweeper:
                study_name: shared
                n_trials: 12
                n_jobs: 2
                objectives: [loss]
                params:
                  x: interval(-1, 1)
            x: 0
            """);
        _dir.WriteFile("trial.sh", "echo \"loss=$FATHOM_TRIAL_NUMBER\"\n");

        var tune = await CliSteps.Ok(_dir.Path, ["tune", "-cn", "tune.yaml", "--workers", "3", .. storage, "--", "sh", "trial.sh"]);

        var shown = await ShowAsync("shared", onPostgres ? ["--storage", storage[0][(storage[0].IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\'')] : []);
        var trials = shown.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 12), trials.Select(t => t.GetProperty("number").GetInt32()));
        Assert.All(trials, t => Assert.Equal("COMPLETE", t.GetProperty("state").GetString()));
        Assert.All(trials, t => Assert.Equal(t.GetProperty("number").GetInt32(), t.GetProperty("values").GetProperty("loss").GetDouble()));
        Assert.Equal(3, Directory.EnumerateFiles(_dir.Combine("multirun"), "worker-*.log", SearchOption.AllDirectories).Count());
        Assert.Contains("12 complete, 0 pruned, 0 failed", tune.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tune_FathomTrainWithoutObjectives_SaysWhatToSet()
    {
        _dir.WriteFile("conf/base/tune.yaml", TemplateFile);

        var tune = await FathomProcess.RunAsync(_dir.Path, "tune", "-cn", "tune.yaml");

        Assert.Equal(2, tune.ExitCode);
        Assert.Contains("set hydra.sweeper.objectives to the metric per direction", tune.Stderr, StringComparison.Ordinal);
    }
}
