using Fathom.Jobs;
using Fathom.Tracking;
using k8s;

namespace Fathom.Kubernetes.Tests;

/// <summary>
/// Runs through the Kubernetes executor end to end against a FAKE API server (<see cref="FakeKubernetesApi"/>, no
/// cluster runs here), with the real runner and SQLite job store: the Job is created with the inputs' env, its pod's
/// log lands in the run's log, its exit code decides the run, and a stopped run deletes its Job.
/// </summary>
public sealed class FakeKubernetesApiRunTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-k8s-tests", Guid.NewGuid().ToString("N"));
    private FakeKubernetesApi _api = null!;
    private IJobStore _store = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _api = await FakeKubernetesApi.StartAsync();
        _store = new JobStores().Open(StoreLocation.Parse(Path.Combine(_dir, ".fathom"), _dir), TimeProvider.System);
        // The cluster is found as a user's kubectl finds it: a kubeconfig file naming the server and the namespace.
        File.WriteAllText(Path.Combine(_dir, "kubeconfig"), $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"}name: fake, cluster: {"{"}server: "{_api.Url}"{"}"}{"}"}]
            users: [{"{"}name: tester, user: {"{"}token: not-checked{"}"}{"}"}]
            contexts: [{"{"}name: fake, context: {"{"}cluster: fake, user: tester, namespace: mlops{"}"}{"}"}]
            current-context: fake
            """);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _api.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task FakeKubernetesApi_JobRuns_LogCapturedAndExitCodeDecidesTheRun()
    {
        var (ok, okLines) = await RunAsync("FAKE_LOG: 'loading|trained, accuracy=0.87'\n        FAKE_EXIT: '0'");
        var (failed, _) = await RunAsync("FAKE_LOG: 'out of memory'\n        FAKE_EXIT: '137'");

        Assert.Equal((JobStatus.Succeeded, 0), (ok.Status, ok.ExitCode));
        Assert.Equal(["loading", "trained, accuracy=0.87"], okLines);
        Assert.Equal("loading\ntrained, accuracy=0.87\n", File.ReadAllText(ok.LogFile));
        var created = _api.Jobs["fathom-" + ok.Uuid];
        Assert.Equal("mlops", created["metadata"]!["namespace"]!.GetValue<string>());
        var env = created["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]?.GetValue<string>());
        Assert.Equal(("hello", ok.Uuid), (env["GREETING_ENV"], env["FATHOM_RUN_UUID"]));
        Assert.Equal((JobStatus.Failed, 137, "exited with code 137"), (failed.Status, failed.ExitCode, failed.Message));
        Assert.Equal("failed", (await _store.GetRunAsync(failed.Uuid, default))!.Status.Name());
    }

    [Fact]
    public async Task FakeKubernetesApi_StoppedRun_DeletesItsJob()
    {
        using var stop = new CancellationTokenSource();
        var lines = new List<string>();
        var run = RunAsync("FAKE_LOG: started\n        FAKE_HANG: '1'", lines, stop.Token);
        while (_api.Jobs.Count == 0 || lines.Count == 0)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        var (outcome, _) = await run;

        Assert.Equal(JobStatus.Stopped, outcome.Status);
        await _api.Deleted("fathom-" + outcome.Uuid).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<(JobOutcome Outcome, List<string> Lines)> RunAsync(string env, List<string>? lines = null, CancellationToken cancellationToken = default)
    {
        var yaml = $"""
            version: 1.1
            kind: component
            name: train
            inputs:
              - {"{"}name: GREETING, type: str, value: hello, toEnv: GREETING_ENV{"}"}
            run:
              kind: job
              container:
                image: registry.example.com/imdb/model-train:0.1.0
                command: [fathom, train]
                env:
                  - {"{"}name: FAKE_LOG, value: x{"}"}
            """;
        // The fake reads its behaviour from env values: the component's plain env entries.
        yaml = yaml.Replace("      - {name: FAKE_LOG, value: x}", string.Join("\n", env.Split('\n').Select(l => l.Trim()).Select(l => $"      - {{name: {l[..l.IndexOf(':', StringComparison.Ordinal)]}, value: {l[(l.IndexOf(':', StringComparison.Ordinal) + 2)..]}}}")), StringComparison.Ordinal);
        var document = PolyaxonReader.Read(yaml, Path.Combine(_dir, "train.yml"));
        var request = new JobRequest(document, new Dictionary<string, string>(), "imdb", AgentConfig.Default(Path.Combine(_dir, ".fathom")),
            StoreLocation.Parse("http://fathom.mlops.svc:5000", _dir), _dir, "tester");
        var executor = new KubernetesExecutor(KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(_dir, "kubeconfig")));
        var runner = new JobRunner(_store, executor, TimeProvider.System);
        var plan = runner.Plan(request, JobRunner.NewUuid());
        lines ??= [];
        var gate = new Lock();
        var outcome = await runner.RunAsync(request, plan, line => { lock (gate) { lines.Add(line); } }, null, cancellationToken);
        return (outcome, lines);
    }
}
