using System.Text.Json;

namespace Fathom.Server.Tests.Conformance;

/// <summary>
/// Conformance against a client nobody here wrote: the npm <c>mlflow</c> package drives a real tracking server on
/// loopback through <c>Conformance/mlflow-js-client.mjs</c>, and the test checks what that client read back.
/// </summary>
public sealed class MlflowJsClientTests(MlflowJsClientFixture client, TrackingServerFixture server)
    : IClassFixture<MlflowJsClientFixture>, IClassFixture<TrackingServerFixture>
{
    [SkippableFact]
    public async Task NodeMlflowClient_FullTrackingStory_ReadsBackWhatItLogged()
    {
        Skip.If(client.Unavailable is not null, client.Unavailable);
        var output = Path.Combine(server.Folder, "js-client-answers.json");
        var script = Path.Combine(AppContext.BaseDirectory, "Conformance", "mlflow-js-client.mjs");
        var endpoint = server.Http.BaseAddress!.ToString().TrimEnd('/');

        await NodeProcess.RunAsync("node", server.Folder, TimeSpan.FromMinutes(2), script, client.Modules, endpoint, output);
        var seen = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement;

        var experiment = seen.GetProperty("experiment");
        Assert.Equal("js-conformance-renamed", experiment.GetProperty("name").GetString());
        Assert.Equal($"mlflow-artifacts:/{experiment.GetProperty("experiment_id").GetString()}", experiment.GetProperty("artifact_location").GetString());
        Assert.Equal(["Default", "js-conformance-renamed"], Strings(seen.GetProperty("experimentNames")));
        AssertFailure(seen.GetProperty("duplicateExperiment"), 400, "RESOURCE_ALREADY_EXISTS");

        var updated = seen.GetProperty("updated");
        Assert.Equal("FINISHED", updated.GetProperty("status").GetString());
        Assert.Equal(1_700_000_000_100, updated.GetProperty("end_time").GetInt64());

        var alpha = seen.GetProperty("alpha");
        Assert.Equal("alpha", alpha.GetProperty("info").GetProperty("run_name").GetString());
        Assert.Equal("node", alpha.GetProperty("info").GetProperty("user_id").GetString());
        var data = alpha.GetProperty("data");
        Assert.Equal(["acc=0.91@3", "loss=0.25@2"], data.GetProperty("metrics").EnumerateArray().Select(m => $"{m.GetProperty("key").GetString()}={m.GetProperty("value").GetDouble()}@{m.GetProperty("step").GetInt64()}"));
        Assert.Equal(["epochs=3", "model=lr"], Pairs(data.GetProperty("params")));
        Assert.Equal(["mlflow.runName=alpha", "stage=final", "team=nlp"], Pairs(data.GetProperty("tags")));
        Assert.Equal([0.9, 0.5, 0.25], seen.GetProperty("lossHistory").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
        Assert.Equal([0L, 1L, 2L], seen.GetProperty("lossHistory").EnumerateArray().Select(m => m.GetProperty("step").GetInt64()));

        Assert.Equal(["alpha", "beta"], Strings(seen.GetProperty("searchLrByAcc")));
        var pages = seen.GetProperty("pages");
        Assert.Equal(["alpha", "beta"], Strings(pages[0]));
        Assert.Equal(["gamma"], Strings(pages[1]));
        Assert.Equal(JsonValueKind.Null, pages[2].ValueKind);
        Assert.Equal(["alpha"], Strings(seen.GetProperty("searchTagLike")));
        Assert.Equal(["alpha"], Strings(seen.GetProperty("searchStatus")));
        AssertFailure(seen.GetProperty("badFilter"), 400, "INVALID_PARAMETER_VALUE");

        Assert.Equal(["gamma"], Strings(seen.GetProperty("deletedRuns")));
        Assert.Equal("active", seen.GetProperty("restoredRun").GetString());
        AssertFailure(seen.GetProperty("missingRun"), 404, "RESOURCE_DOES_NOT_EXIST");

        var artifacts = seen.GetProperty("artifacts");
        Assert.Equal(alpha.GetProperty("info").GetProperty("artifact_uri").GetString(), artifacts.GetProperty("root_uri").GetString());
        Assert.Equal(["model/", "notes.txt:5"], Files(artifacts));
        Assert.Equal(["model/MLmodel:12"], Files(seen.GetProperty("modelArtifacts")));

        Assert.Equal(["js-conformance-renamed"], Strings(seen.GetProperty("deletedExperiments")));
        Assert.Equal("active", seen.GetProperty("restoredExperiment").GetString());
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static string[] Pairs(JsonElement array) =>
        array.EnumerateArray().Select(e => $"{e.GetProperty("key").GetString()}={e.GetProperty("value").GetString()}").ToArray();

    private static string[] Files(JsonElement listing) =>
        listing.GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("is_dir").GetBoolean() ? f.GetProperty("path").GetString() + "/" : $"{f.GetProperty("path").GetString()}:{f.GetProperty("file_size").GetInt64()}")
            .ToArray();

    private static void AssertFailure(JsonElement outcome, int status, string errorCode)
    {
        Assert.True(outcome.GetProperty("failed").GetBoolean(), "the client expected an error here");
        Assert.Equal(status, outcome.GetProperty("status").GetInt32());
        Assert.Equal(errorCode, outcome.GetProperty("error_code").GetString());
    }
}
