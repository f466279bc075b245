using System.Text.Json;

namespace Fathom.Cli.Tests;

/// <summary><c>fathom run -f</c> on a file whose run is a DAG, in the foreground, as a user runs the reference workflow.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobDagTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _imdb;
    private readonly Dictionary<string, string> _environment;

    public JobDagTests()
    {
        _imdb = _dir.Combine("imdb");
        CliSteps.CopyFolder(RepositorySamples.Imdb, _imdb);
        _environment = CliSteps.ShimEnvironment(_dir);
    }

    public void Dispose() => _dir.Dispose();

    private Task<CliResult> Fathom(params string[] args) => FathomProcess.RunAsync(_imdb, _environment, TimeSpan.FromMinutes(8), args);

    private async Task<Dictionary<string, JsonElement>> RunsByName(string dagUuid)
    {
        var runs = JsonDocument.Parse((await CliSteps.Ok(_imdb, "ops", "ls", "--json")).Stdout).RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Contains(runs, r => r.GetProperty("uuid").GetString() == dagUuid && r.GetProperty("kind").GetString() == "dag");
        return runs.Where(r => r.TryGetProperty("parent_uuid", out var parent) && parent.GetString() == dagUuid).ToDictionary(r => r.GetProperty("name").GetString()!);
    }

    [Fact]
    public async Task RunDag_ReferenceWorkflow_PrepThenTrainThenReportEachARunUnderTheDag()
    {
        var run = await Fathom("run", "-f", "polyaxon/workflow-dag.yml", "-P", "RAW_DATA_DIRS=[\".\"]", "-P", $"WORKING_DIR={_imdb}", "-p", "imdb", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var outcome = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("succeeded", outcome.GetProperty("status").GetString());
        Assert.Equal(["prep:succeeded", "train:succeeded", "report:succeeded"],
            outcome.GetProperty("operations").EnumerateArray().Select(o => $"{o.GetProperty("name").GetString()}:{o.GetProperty("status").GetString()}"));
        Assert.Equal(1400, Directory.EnumerateFiles(Path.Combine(_imdb, "data", "processed"), "*.txt", SearchOption.AllDirectories).Count());

        var dag = outcome.GetProperty("uuid").GetString()!;
        var children = await RunsByName(dag);
        Assert.Equal(["prep", "report", "train"], children.Keys.Order());
        Assert.Equal(".", children["prep"].GetProperty("inputs").GetProperty("RAW_DATA_DIRS")[0].GetString());
        Assert.Equal("data/processed", children["train"].GetProperty("inputs").GetProperty("INPUT_DATA_DIR").GetString());
        var train = children["train"].GetProperty("uuid").GetString()!;
        Assert.Equal(train, children["report"].GetProperty("inputs").GetProperty("TRAIN_JOB").GetString());
        Assert.Contains($"[report] trained by job {train}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("[prep] Cleaned 1,400 of 1,400 reviews", run.Stderr, StringComparison.Ordinal);
        Assert.True(children["prep"].GetProperty("finished_at").GetInt64() <= children["train"].GetProperty("started_at").GetInt64(), "train started before prep ended");

        var table = await CliSteps.Ok(_imdb, "ops", "ls");
        Assert.Equal(3, table.StdoutLines.Count(l => l.Contains(dag[..8], StringComparison.Ordinal) && !l.Contains(dag, StringComparison.Ordinal)));
        var get = JsonDocument.Parse((await CliSteps.Ok(_imdb, "ops", "get", dag[..8], "--json")).Stdout).RootElement;
        Assert.Equal(["created", "queued", "scheduled", "starting", "running", "succeeded"], get.GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        Assert.Equal(["prep", "train", "report"], get.GetProperty("resolved_spec").GetProperty("run").GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task RunDag_FailedOperation_DownstreamUpstreamFailedTriggersDecideTheRestAndTheDagFails()
    {
        File.WriteAllText(Path.Combine(_imdb, "flow.yml"), """
            version: 1.1
            kind: component
            name: flow
            run:
              kind: dag
              operations:
                - name: a
                  dagRef: answer
                - name: b
                  dagRef: fail
                - {name: c, dagRef: echo, dependencies: [b], params: {TEXT: c}}
                - {name: d, dagRef: echo, dependencies: [c], params: {TEXT: d}}
                - name: e
                  dagRef: echo
                  dependencies: [b]
                  trigger: all_done
                  params:
                    TEXT: {ref: ops.a, value: outputs.answer}
                - {name: f, dagRef: echo, dependencies: [a], trigger: all_failed, params: {TEXT: f}}
                - {name: g, dagRef: echo, dependencies: [f], params: {TEXT: g}}
                - {name: h, dagRef: echo, dependencies: [b], trigger: one_failed, params: {TEXT: h}}
              components:
                - name: answer
                  outputs:
                    - {name: answer, type: int}
                  run:
                    kind: job
                    container:
                      command: [sh, -c, 'echo "{\"answer\": 42}" > "$POLYAXON_RUN_OUTPUTS_PATH/outputs.json"']
                - name: fail
                  run:
                    kind: job
                    container:
                      command: [sh, -c, 'echo boom; exit 3']
                - name: echo
                  inputs:
                    - {name: TEXT, type: str}
                  run:
                    kind: job
                    container:
                      command: [sh, -c, 'echo "got {{ TEXT }}"']
            """);

        var run = await Fathom("run", "-f", "flow.yml", "--json");

        Assert.Equal(1, run.ExitCode);
        var outcome = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Equal("operations b (failed), c (upstream_failed), d (upstream_failed)", outcome.GetProperty("message").GetString());
        Assert.Equal(["a:succeeded", "b:failed", "c:upstream_failed", "d:upstream_failed", "e:succeeded", "f:skipped", "g:skipped", "h:succeeded"],
            outcome.GetProperty("operations").EnumerateArray().Select(o => $"{o.GetProperty("name").GetString()}:{o.GetProperty("status").GetString()}"));
        Assert.Contains("[e] got 42", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("[h] got h", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("got c", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("c: upstream_failed — trigger all_succeeded not met: b failed", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("f: skipped — trigger all_failed not met: a succeeded", run.Stderr, StringComparison.Ordinal);

        var children = await RunsByName(outcome.GetProperty("uuid").GetString()!);
        Assert.Equal(8, children.Count);
        Assert.Equal(42, children["a"].GetProperty("outputs").GetProperty("answer").GetInt32());
        Assert.Equal(3, children["b"].GetProperty("exit_code").GetInt32());
        Assert.Equal("42", children["e"].GetProperty("inputs").GetProperty("TEXT").GetString());
        Assert.False(children["c"].TryGetProperty("started_at", out _), "c never started");
    }

    [Fact]
    public async Task RunDag_Concurrency2_IndependentOperationsRunAtOnce()
    {
        // Each waits until the other has started, so the DAG ends only when both run at the same time.
        var ops = _dir.Combine("rendezvous");
        Directory.CreateDirectory(ops);
        File.WriteAllText(Path.Combine(_imdb, "pair.yml"), $$$"""
            version: 1.1
            kind: component
            run:
              kind: dag
              concurrency: 2
              operations:
                - {name: left, dagRef: meet, params: {ME: left, OTHER: right}}
                - {name: right, dagRef: meet, params: {ME: right, OTHER: left}}
              components:
                - name: meet
                  inputs: [{name: ME, type: str}, {name: OTHER, type: str}]
                  termination: {timeout: 30}
                  run:
                    kind: job
                    container:
                      command: [sh, -c, 'touch {{{ops}}}/{{ ME }}; while [ ! -e {{{ops}}}/{{ OTHER }} ]; do sleep 0.1; done; echo met']
            """);

        var run = await Fathom("run", "-f", "pair.yml");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("[left] met", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[right] met", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cycle", "    - {name: a, dagRef: echo, dependencies: [b]}\n    - {name: b, dagRef: echo, dependencies: [a]}\n",
        "cycle.yml:6: run.operations: the dependencies form a cycle: 'a' -> 'b' -> 'a'.")]
    [InlineData("unknown", "    - {name: a, dagRef: echo}\n    - {name: b, dagRef: echo, dependencies: [prep]}\n",
        "unknown.yml:7: run.operations.b: depends on 'prep', which is not an operation of this DAG")]
    [InlineData("badref", "    - {name: a, dagRef: echo}\n    - name: b\n      dagRef: echo\n      params: {X: {ref: ops.a, value: output.x}}\n",
        "badref.yml:9: operations.b.params.X: value 'output.x' is not what a ref reads; with ref: ops.a use outputs.NAME, inputs.NAME, globals.NAME.")]
    public async Task RunDag_BadDag_OneClearErrorWithFileAndLineExit2AndNothingRuns(string name, string operations, string expected)
    {
        File.WriteAllText(Path.Combine(_imdb, name + ".yml"),
            "version: 1.1\nkind: component\nrun:\n  kind: dag\n  operations:\n" + operations +
            "  components:\n    - name: echo\n      inputs: [{name: X, type: str, isOptional: true}]\n      run: {kind: job, container: {command: [sh, -c, 'echo ran']}}\n");

        var result = await Fathom("run", "-f", name + ".yml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ran", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_imdb, ".fathom", "jobs")), "a refused DAG records nothing");
    }
}
