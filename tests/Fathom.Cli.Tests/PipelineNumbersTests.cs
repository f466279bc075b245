using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// Numbers in <c>metrics show|diff</c> and <c>params diff</c> as DVC prints them: JSON integers stay integers (text and
/// <c>--json</c>), floats print as Python does (1.0, 1e-05) after <c>round(x, 5)</c> for metrics only, booleans as
/// True/False, lists as Python lists; metric columns sorted by name; "diff" for numbers only, an int for ints.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineNumbersTests
{
    [Fact]
    public async Task MetricsAndParams_KeepIntsAndPrintPythonValues()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("dvc.yaml"), "stages:\n  eval:\n    cmd: cat m.json\n    params:\n    - train.json:\nmetrics:\n- m.json\n");
        File.WriteAllText(dir.Combine("train.json"), "{\"epochs\": 10, \"lr\": 0.001, \"decay\": 1e-05, \"model\": {\"depth\": 3, \"name\": \"cnn\"}, \"layers\": [64, 32], \"shuffle\": true}");
        File.WriteAllText(dir.Combine("m.json"), "{\"zeta\": 1, \"acc\": 1.0, \"loss\": 0.123456789, \"name\": \"cnn\", \"ok\": true, \"hist\": [1, 2.5]}");
        CommitAll(dir.Path, "first", init: true);
        File.WriteAllText(dir.Combine("train.json"), "{\"epochs\": 12, \"lr\": 0.001, \"decay\": 2e-05, \"model\": {\"depth\": 4, \"name\": \"cnn\"}, \"layers\": [64, 16], \"shuffle\": false}");
        File.WriteAllText(dir.Combine("m.json"), "{\"zeta\": 3, \"acc\": 0.5, \"loss\": 0.123456789, \"name\": \"rnn\", \"ok\": true, \"hist\": [1, 2.5]}");

        var show = await Ok(dir.Path, "metrics", "show");
        var metricsDiff = await Ok(dir.Path, "metrics", "diff");
        var metricsJson = await Ok(dir.Path, "metrics", "diff", "--json");
        var paramsDiff = await Ok(dir.Path, "params", "diff");
        var paramsJson = await Ok(dir.Path, "params", "diff", "--json");

        Assert.Equal("Path    acc    hist      loss     name    ok    zeta\nm.json  0.5    [1, 2.5]  0.12346  rnn     True  3\n", show.Stdout);
        Assert.Equal("Path    Metric    HEAD    workspace    Change\nm.json  acc       1.0     0.5          -0.5\nm.json  name      cnn     rnn          -\nm.json  zeta      1       3            2\n", metricsDiff.Stdout);
        Assert.Equal("""{"m.json":{"acc":{"old":1.0,"new":0.5,"diff":-0.5},"name":{"old":"cnn","new":"rnn"},"zeta":{"old":1,"new":3,"diff":2}}}""", Compact(metricsJson.Stdout));
        Assert.Equal("Path        Param        HEAD      workspace\ntrain.json  decay        1e-05     2e-05\ntrain.json  epochs       10        12\ntrain.json  layers       [64, 32]  [64, 16]\ntrain.json  model.depth  3         4\ntrain.json  shuffle      True      False\n", paramsDiff.Stdout);
        Assert.Equal("""{"train.json":{"decay":{"old":1e-05,"new":2e-05,"diff":1e-05},"epochs":{"old":10,"new":12,"diff":2},"layers":{"old":"[64, 32]","new":"[64, 16]"},"model.depth":{"old":3,"new":4,"diff":1},"shuffle":{"old":true,"new":false,"diff":-1}}}""", Compact(paramsJson.Stdout));
    }

    // Whitespace out, numbers exactly as written (a JsonElement keeps their text).
    private static string Compact(string json) => System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement);
}
