using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom run --executor kubernetes</c> as a user runs it, against a FAKE Kubernetes API server the test starts (no
/// cluster runs here), found through <c>$KUBECONFIG</c> as kubectl finds it.
/// </summary>
public sealed class KubernetesJobTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _dir.WriteFile("kube/config", $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "{{{_api.Url}}}"}}]
            users: [{name: tester, user: {token: not-checked}}]
            contexts: [{name: fake, context: {cluster: fake, user: tester, namespace: mlops}}]
            current-context: fake
            """);
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunKubernetes_FakeKubernetesApi_JobCreatedInTheContextsNamespace_LogAndExitCodeRecorded()
    {
        _dir.WriteFile("train.yml", """
            version: 1.1
            kind: component
            name: train
            inputs:
              - {name: EXIT, type: int, value: 0, toEnv: FAKE_EXIT}
            run:
              kind: job
              container:
                image: registry.example.com/imdb/model-train:0.1.0
                command: [fathom, train]
                env:
                  - {name: FAKE_LOG, value: 'epoch 1|accuracy=0.87'}
            """);

        var ok = await FathomAsync("run", "-f", "train.yml", "-p", "imdb", "--executor", "kubernetes", "--json");
        var failed = await FathomAsync("run", "-f", "train.yml", "-p", "imdb", "--executor", "kubernetes", "-P", "EXIT=2", "--json");

        Assert.True(ok.ExitCode == 0, ok.ToString());
        var uuid = JsonDocument.Parse(ok.Stdout).RootElement.GetProperty("uuid").GetString()!;
        var job = _api.Jobs["fathom-" + uuid];
        Assert.Equal(("mlops", uuid), (job["metadata"]!["namespace"]!.GetValue<string>(), job["metadata"]!["labels"]!["fathom.run/uuid"]!.GetValue<string>()));
        Assert.Equal("epoch 1\naccuracy=0.87\n", (await FathomAsync("ops", "logs", uuid)).Stdout);
        var get = JsonDocument.Parse((await FathomAsync("ops", "get", uuid, "--json")).Stdout).RootElement;
        Assert.Equal(("succeeded", "kubernetes"), (get.GetProperty("status").GetString(), get.GetProperty("executor").GetString()));
        Assert.Equal(1, failed.ExitCode);
        var failure = JsonDocument.Parse(failed.Stdout).RootElement;
        Assert.Equal(("failed", 2), (failure.GetProperty("status").GetString(), failure.GetProperty("exit_code").GetInt32()));
    }

    private Task<CliResult> FathomAsync(params string[] args) =>
        FathomProcess.RunAsync(_dir.Path, new Dictionary<string, string> { ["KUBECONFIG"] = _dir.Combine("kube", "config") }, TimeSpan.FromMinutes(2), args);
}
