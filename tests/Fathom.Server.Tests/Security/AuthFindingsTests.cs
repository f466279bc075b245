using System.Text;
using System.Text.Json;
using Fathom.Auth;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// Each way around <c>fathom server --auth</c> that an outside probe found at f296962, as the probe sent it (a raw
/// socket, so nothing tidies the request): every one now fails, and the victim's data stays as it was.
/// </summary>
public sealed class AuthFindingsTests : IAsyncLifetime
{
    private AuthServer _server = null!;
    private Victim _victim = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync(AccessLevel.Read);
        _victim = await Victim.CreateAsync(_server);
        (await _server.UserAsync("bob")).Dispose();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<RawResponse> AsBobAsync(string method, string target, string? json = null, bool chunked = false, byte[]? raw = null)
    {
        await using var http = new RawHttp(_server.EndPoint);
        return await http.SendAsync(method, target,
            [("Authorization", Victim.Credentials("bob").ToString()), .. json is null && raw is null ? Array.Empty<(string, string)>() : [("Content-Type", "application/json")]],
            raw ?? (json is null ? null : Encoding.UTF8.GetBytes(json)), chunked, CancellationToken.None);
    }

    private static void AssertRefused(int status, RawResponse answer)
    {
        Assert.True(answer.Status == status, $"expected {status}, got {answer.Status} {answer.Text}");
        using var body = JsonDocument.Parse(answer.Body);
        Assert.True(body.RootElement.TryGetProperty("error_code", out _), answer.Text);
    }

    [Theory]
    [InlineData("PATCH", "/api/2.0/mlflow/USERS/update-admin")]
    [InlineData("PATCH", "/api/2.0/mlflow/users/update-admin/")]
    [InlineData("PATCH", "/API/2.0/mlflow/users/update-admin")]
    [InlineData("PATCH", "/AJAX-API/2.0/mlflow/users/update-admin")]
    [InlineData("PATCH", "/api/2.0/mlflow/users//update-admin")]
    [InlineData("patch", "/api/2.0/mlflow/users/update-admin")]
    public async Task UpdateAdmin_SpelledOtherwise_IsRefused_AndBobStaysAUser(string method, string path)
    {
        var answer = await AsBobAsync(method, path, """{"username": "bob", "is_admin": true}""");
        var straight = await AsBobAsync("PATCH", "/api/2.0/mlflow/users/update-admin", """{"username": "bob", "is_admin": true}""");

        Assert.InRange(answer.Status, 400, 499);
        Assert.Equal(403, straight.Status);
        using var admin = _server.Admin();
        var bob = await AuthServer.OkAsync(admin, HttpMethod.Get, "/api/2.0/mlflow/users/get?username=bob");
        Assert.False(bob.GetProperty("user").GetProperty("is_admin").GetBoolean());
    }

    [Theory]
    [InlineData("POST", "/API/2.0/mlflow/users/create", """{"username": "eve", "password": "eve-password-1234"}""")]
    [InlineData("PATCH", "/AJAX-API/2.0/mlflow/users/update-password", """{"username": "alice", "password": "stolen-password-1"}""")]
    [InlineData("POST", "/api/2.0/mlflow/Runs/Set-Tag", """{"run_id": "RUN", "key": "victim-tag", "value": "stolen"}""")]
    [InlineData("POST", "/ajax-api/2.0/mlflow/runs/set-tag/", """{"run_id": "RUN", "key": "victim-tag", "value": "stolen"}""")]
    [InlineData("DELETE", "/API/2.0/mlflow/registered-models/delete", """{"name": "victim-model"}""")]
    public async Task Writes_SpelledOtherwise_AreNotFound(string method, string path, string json)
    {
        var before = await _victim.SnapshotAsync(_server);

        var answer = await AsBobAsync(method, path, json.Replace("RUN", _victim.RunId, StringComparison.Ordinal));

        AssertRefused(404, answer);
        Assert.Equal(before, await _victim.SnapshotAsync(_server));
    }

    [Fact]
    public async Task ArtifactUpload_SpelledOtherwise_IsNotFound()
    {
        var answer = await AsBobAsync("PUT", $"/API/2.0/mlflow-artifacts/artifacts/{_victim.ExperimentId}/{_victim.RunId}/artifacts/secret.txt", raw: "stolen"u8.ToArray());

        AssertRefused(404, answer);
        Assert.Equal(Victim.SecretFile, File.ReadAllText(Path.Combine(_server.ArtifactsFolder, _victim.ExperimentId, _victim.RunId, "artifacts", "secret.txt")));
    }

    [Theory]
    [InlineData("""{"run_id": "", "run_uuid": "RUN", "key": "victim-tag", "value": "stolen"}""")]
    [InlineData("""{"run_id": null, "run_uuid": "RUN", "key": "victim-tag", "value": "stolen"}""")]
    [InlineData("\"{\\\"run_id\\\": \\\"RUN\\\", \\\"key\\\": \\\"victim-tag\\\", \\\"value\\\": \\\"stolen\\\"}\"")]
    [InlineData("\uFEFF{\"run_id\": \"RUN\", \"key\": \"victim-tag\", \"value\": \"stolen\"}")]
    [InlineData("""{"run_id": "\u0052UN", "key": "victim-tag", "value": "stolen"}""")]
    public async Task SetTag_OnTheirRun_HoweverTheBodyNamesIt_IsDenied(string json)
    {
        var answer = await AsBobAsync("POST", "/api/2.0/mlflow/runs/set-tag", json.Replace("RUN", _victim.RunId, StringComparison.Ordinal).Replace("\\u0052UN", Escaped(_victim.RunId), StringComparison.Ordinal));

        AssertRefused(403, answer);
    }

    private static string Escaped(string text) => string.Concat(text.Select(c => $"\\u{(int)c:x4}"));

    [Fact]
    public async Task QueryNamingOneRun_BodyNamingAnother_IsRefusedAsAmbiguous()
    {
        var bobsRun = await BobsRunAsync();

        var answer = await AsBobAsync("POST", $"/api/2.0/mlflow/runs/set-tag?run_id={bobsRun}", $$"""{"run_uuid": "{{_victim.RunId}}", "key": "victim-tag", "value": "stolen"}""");

        AssertRefused(400, answer);
        Assert.Contains("either in the query string or in the JSON body", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedDelete_QueryNamingTheirModel_BodyNamingAnother_IsRefused()
    {
        var answer = await AsBobAsync("DELETE", $"/api/2.0/mlflow/registered-models/delete?name={_victim.Model}", """{"name": "bobs-model"}""", chunked: true);

        AssertRefused(400, answer);
    }

    [Fact]
    public async Task GetWithJsonBody_IsCheckedOnTheParametersTheHandlerReads()
    {
        var bobsRun = await BobsRunAsync();
        using var admin = _server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = _victim.ExperimentId, username = "bob", permission = "NO_PERMISSIONS" });

        // The query string names their run, the body Bob's: a GET is read from its query string, and checked on it.
        var theirsInQuery = await AsBobAsync("GET", $"/api/2.0/mlflow/runs/get?run_id={_victim.RunId}", $$"""{"run_id": "{{bobsRun}}"}""");
        var theirsInBody = await AsBobAsync("GET", "/api/2.0/mlflow/runs/get", $$"""{"run_id": "{{_victim.RunId}}"}""");

        AssertRefused(403, theirsInQuery);
        AssertRefused(403, theirsInBody);
        Assert.DoesNotContain(Victim.SecretRunName, theirsInQuery.Text + theirsInBody.Text, StringComparison.Ordinal);
        await AuthServer.OkAsync(admin, HttpMethod.Delete, "/api/2.0/mlflow/experiments/permissions/delete", new { experiment_id = _victim.ExperimentId, username = "bob" });
    }

    [Fact]
    public async Task GetArtifact_EmptyRunIdBesideTheirRunUuid_IsCheckedOnTheirRun()
    {
        using var admin = _server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = _victim.ExperimentId, username = "bob", permission = "NO_PERMISSIONS" });

        var answer = await AsBobAsync("GET", $"/get-artifact?run_id=&run_uuid={_victim.RunId}&path=secret.txt");

        AssertRefused(403, answer);
        Assert.DoesNotContain(Victim.SecretFile, answer.Text, StringComparison.Ordinal);
        await AuthServer.OkAsync(admin, HttpMethod.Delete, "/api/2.0/mlflow/experiments/permissions/delete", new { experiment_id = _victim.ExperimentId, username = "bob" });
    }

    [Fact]
    public async Task DuplicateKeys_AreRefusedWith400_NotA500()
    {
        var answer = await AsBobAsync("POST", "/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "x", "run_id": "{{_victim.RunId}}", "key": "k", "value": "v"}""");

        AssertRefused(400, answer);
        Assert.Contains("Duplicate property 'run_id'", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogInputs_ToTheirRun_IsDenied()
    {
        var answer = await AsBobAsync("POST", "/api/2.0/mlflow/runs/log-inputs",
            $$$"""{"run_id": "{{{_victim.RunId}}}", "datasets": [{"dataset": {"name": "d", "digest": "x", "source_type": "local", "source": "s"}}]}""");

        AssertRefused(403, answer);
    }

    [Fact]
    public async Task ModelVersionOfTheirRun_RegisteredUnderBobsOwnModel_IsDenied()
    {
        using var admin = _server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = _victim.ExperimentId, username = "bob", permission = "NO_PERMISSIONS" });
        await AsBobAsync("POST", "/api/2.0/mlflow/registered-models/create", """{"name": "bobs-model"}""");

        var bySource = await AsBobAsync("POST", "/api/2.0/mlflow/model-versions/create", $$"""{"name": "bobs-model", "source": "mlflow-artifacts:/{{_victim.ExperimentId}}/{{_victim.RunId}}/artifacts/model"}""");
        var byRunsUri = await AsBobAsync("POST", "/api/2.0/mlflow/model-versions/create", $$"""{"name": "bobs-model", "source": "runs:/{{_victim.RunId}}/model"}""");
        var byRunId = await AsBobAsync("POST", "/api/2.0/mlflow/model-versions/create", $$"""{"name": "bobs-model", "source": "s3://bucket/x", "run_id": "{{_victim.RunId}}"}""");

        AssertRefused(403, bySource);
        AssertRefused(403, byRunsUri);
        AssertRefused(403, byRunId);
        await AuthServer.OkAsync(admin, HttpMethod.Delete, "/api/2.0/mlflow/experiments/permissions/delete", new { experiment_id = _victim.ExperimentId, username = "bob" });
    }

    [Fact]
    public async Task ExperimentsList_HidesWhatTheCallerMayNotRead()
    {
        using var admin = _server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = _victim.ExperimentId, username = "bob", permission = "NO_PERMISSIONS" });

        var answer = await AsBobAsync("GET", "/api/2.0/mlflow/experiments/list");

        Assert.Equal(200, answer.Status);
        Assert.DoesNotContain("victim-exp", answer.Text, StringComparison.Ordinal);
        await AuthServer.OkAsync(admin, HttpMethod.Delete, "/api/2.0/mlflow/experiments/permissions/delete", new { experiment_id = _victim.ExperimentId, username = "bob" });
    }

    [Fact]
    public async Task RunsCreate_WithNoExperimentId_IsCheckedOnTheDefaultExperiment()
    {
        using var admin = _server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = "0", username = "bob", permission = "READ" });

        var answer = await AsBobAsync("POST", "/api/2.0/mlflow/runs/create", """{"run_name": "sneaky"}""");

        AssertRefused(403, answer);
        await AuthServer.OkAsync(admin, HttpMethod.Delete, "/api/2.0/mlflow/experiments/permissions/delete", new { experiment_id = "0", username = "bob" });
    }

    [Fact]
    public async Task ExperimentIdWithLeadingZeros_IsCheckedAsTheSameExperiment()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Edit);
        var victim = await Victim.CreateAsync(server);
        (await server.UserAsync("bob")).Dispose();
        using var admin = server.Admin();
        await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = victim.ExperimentId, username = "bob", permission = "NO_PERMISSIONS" });
        await using var http = new RawHttp(server.EndPoint);

        var answer = await http.SendAsync("POST", "/api/2.0/mlflow/experiments/update",
            [("Authorization", Victim.Credentials("bob").ToString()), ("Content-Type", "application/json")],
            Encoding.UTF8.GetBytes($$"""{"experiment_id": "000{{victim.ExperimentId}}", "new_name": "stolen"}"""), false, CancellationToken.None);

        AssertRefused(403, answer);
    }

    private async Task<string> BobsRunAsync()
    {
        using var bob = _server.As("bob", AuthServer.PasswordOf("bob"));
        var experiment = await AuthServer.SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "bobs-" + Guid.NewGuid().ToString("N") });
        var id = JsonDocument.Parse(experiment.Body).RootElement.GetProperty("experiment_id").GetString();
        var run = await AuthServer.OkAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = id, start_time = 1 });
        return run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
    }
}
