using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Server.Tests;

/// <summary>fathom server with basic auth, driven over HTTP the way MLflow's clients call a basic-auth server.</summary>
public sealed class MlflowAuthTests : IAsyncLifetime
{
    private const string AdminPassword = "admin-password-1234";
    private static readonly string[] ByName = ["name ASC"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-auth-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        var options = new TrackingServerOptions
        {
            Port = 0,
            Store = StoreLocation.Parse(_folder, "/"),
            ArtifactsDestination = Path.Combine(_folder, "artifacts"),
            Auth = new AuthOptions { Enabled = true, DatabasePath = Path.Combine(_folder, "basic_auth.db"), AdminPassword = AdminPassword, HashIterations = 1000 },
        };
        _app = TrackingServerHost.Build(options);
        await _app.StartAsync();
        _base = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private HttpClient As(string? user, string? password = null)
    {
        var http = new HttpClient { BaseAddress = _base };
        if (user is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return http;
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // MLflow's refusal, as a JSON error body in the tracking API's shape.
    private static void AssertDenied((HttpStatusCode Status, string Body) answer)
    {
        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("""{"error_code":"PERMISSION_DENIED","message":"Permission denied"}""", answer.Body);
    }

    private async Task<HttpClient> UserAsync(string name)
    {
        using var admin = As("admin", AdminPassword);
        var (status, body) = await SendAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/users/create", new { username = name, password = name + "-password-1" });
        Assert.True(status == HttpStatusCode.OK, body);
        return As(name, name + "-password-1");
    }

    [Fact]
    public async Task NoOrWrongCredentials_Are401WithBasicChallenge_HealthStaysOpen()
    {
        using var anonymous = As(null);
        using var wrong = As("admin", "not-the-password");

        using var response = await anonymous.GetAsync("/api/2.0/mlflow/experiments/get?experiment_id=0");
        var (wrongStatus, _) = await SendAsync(wrong, HttpMethod.Get, "/api/2.0/mlflow/experiments/get?experiment_id=0");
        using var health = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"mlflow\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Creator_GetsManage_OthersReadByDefaultAndNeedAGrantToWrite()
    {
        using var alice = await UserAsync("alice");
        using var bob = await UserAsync("bob");
        var (_, created) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "alice-exp" });
        var experimentId = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
        var (_, run) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = experimentId, start_time = 1 });
        var runId = JsonDocument.Parse(run).RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        var metric = new { run_id = runId, metrics = new[] { new { key = "m", value = 1.0, timestamp = 1, step = 0 } } };

        var bobReads = await SendAsync(bob, HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_id={runId}");
        var bobWrites = await SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", metric);
        var grant = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = experimentId, username = "bob", permission = "EDIT" });
        var bobWritesAfterGrant = await SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", metric);
        var bobDeletes = await SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/runs/delete", new { run_id = runId });

        Assert.Equal(HttpStatusCode.OK, bobReads.Status);
        AssertDenied(bobWrites);
        Assert.Equal(HttpStatusCode.OK, grant.Status);
        Assert.Contains("\"permission\":\"EDIT\"", grant.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bobWritesAfterGrant.Status);
        Assert.Equal(HttpStatusCode.Forbidden, bobDeletes.Status);
    }

    [Fact]
    public async Task NoPermissions_HidesExperimentFromSearches()
    {
        using var alice = await UserAsync("carol");
        using var bob = await UserAsync("dave");
        var (_, created) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "secret" });
        var experimentId = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
        await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = experimentId, start_time = 1 });
        await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = experimentId, username = "dave", permission = "NO_PERMISSIONS" });

        var experiments = await SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/experiments/search", new { max_results = 100 });
        var runs = await SendAsync(bob, HttpMethod.Post, "/api/2.0/mlflow/runs/search", new { experiment_ids = new[] { experimentId } });
        var runsByGet = await SendAsync(bob, HttpMethod.Get, $"/api/2.0/mlflow/runs/search?experiment_ids={experimentId}&max_results=10");
        var get = await SendAsync(bob, HttpMethod.Get, $"/api/2.0/mlflow/experiments/get?experiment_id={experimentId}");
        var aliceRuns = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/search", new { experiment_ids = new[] { experimentId } });

        Assert.DoesNotContain("secret", experiments.Body, StringComparison.Ordinal);
        Assert.Contains("Default", experiments.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("run_id", runs.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, runsByGet.Status);
        Assert.DoesNotContain("run_id", runsByGet.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, get.Status);
        Assert.Contains("run_id", aliceRuns.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchExperiments_SomeUnreadable_PagesAreRefilledToMaxResults()
    {
        using var owner = await UserAsync("grace");
        using var reader = await UserAsync("heidi");
        foreach (var name in new[] { "hidden-0", "hidden-1", "hidden-2", "open-0", "open-1", "open-2" })
        {
            var (_, created) = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name });
            if (name.StartsWith("hidden", StringComparison.Ordinal))
            {
                var id = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
                await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = id, username = "heidi", permission = "NO_PERMISSIONS" });
            }
        }

        var first = JsonDocument.Parse((await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/experiments/search", new { max_results = 2, order_by = ByName })).Body).RootElement;
        var token = first.GetProperty("next_page_token").GetString();
        var second = JsonDocument.Parse((await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/experiments/search", new { max_results = 2, order_by = ByName, page_token = token })).Body).RootElement;
        var ownerView = JsonDocument.Parse((await SendAsync(owner, HttpMethod.Get, "/api/2.0/mlflow/experiments/search?max_results=2&order_by=name%20ASC")).Body).RootElement;

        // Without the refill heidi's first page would hold only "Default": "hidden-0" fills the store's first page.
        Assert.Equal(["Default", "open-0"], Names(first));
        Assert.Equal(["open-1", "open-2"], Names(second));
        Assert.False(second.TryGetProperty("next_page_token", out _));
        Assert.Equal(["Default", "hidden-0"], Names(ownerView));

        static string[] Names(JsonElement page) => page.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
    }

    [Fact]
    public async Task UserEndpoints_AdminOnlyAndSelf()
    {
        using var eve = await UserAsync("eve");
        var create = await SendAsync(eve, HttpMethod.Post, "/api/2.0/mlflow/users/create", new { username = "mallory", password = "mallory-password-1" });
        var self = await SendAsync(eve, HttpMethod.Get, "/api/2.0/mlflow/users/get?username=eve");
        var other = await SendAsync(eve, HttpMethod.Get, "/api/2.0/mlflow/users/get?username=admin");
        var change = await SendAsync(eve, HttpMethod.Patch, "/api/2.0/mlflow/users/update-password", new { username = "eve", password = "eve-new-password-2" });
        using var eveNew = As("eve", "eve-new-password-2");
        var afterChange = await SendAsync(eveNew, HttpMethod.Get, "/api/2.0/mlflow/users/get?username=eve");
        var oldPassword = await SendAsync(eve, HttpMethod.Get, "/api/2.0/mlflow/users/get?username=eve");

        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Equal(HttpStatusCode.OK, self.Status);
        Assert.Contains("\"is_admin\":false", self.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.Equal(HttpStatusCode.OK, change.Status);
        Assert.Equal(HttpStatusCode.OK, afterChange.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.Status);
    }

    [Fact]
    public async Task ArtifactProxy_IsAuthorisedOnTheLeadingExperimentId()
    {
        using var alice = await UserAsync("frank");
        using var bob = await UserAsync("grace");
        var (_, created) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "frank-exp" });
        var id = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
        using var aliceUpload = new ByteArrayContent("bytes"u8.ToArray());
        using var bobUpload = new ByteArrayContent("bytes"u8.ToArray());

        using var aliceResponse = await alice.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{id}/run/artifacts/a.txt", aliceUpload);
        using var bobResponse = await bob.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{id}/run/artifacts/b.txt", bobUpload);
        using var bobRead = await bob.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{id}/run/artifacts/a.txt");

        Assert.Equal(HttpStatusCode.OK, aliceResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bobResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bobRead.StatusCode);
    }

    // MLflow's client PUTs each part to its URL with no credentials (as to a presigned S3 URL): the signed URL is the
    // permission, handed out only to a caller who may write the file.
    [Fact]
    public async Task MultipartUpload_StartedOnlyByWriters_PartsGoUpWithoutCredentials()
    {
        using var owner = await UserAsync("heidi");
        using var other = await UserAsync("ivan");
        var (_, created) = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "heidi-exp" });
        var id = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
        var folder = $"/api/2.0/mlflow-artifacts/mpu/{{0}}/{id}/run/artifacts";

        var refused = await SendAsync(other, HttpMethod.Post, string.Format(CultureInfo.InvariantCulture, folder, "create"), new { path = "w.bin", num_parts = 1 });
        var (status, body) = await SendAsync(owner, HttpMethod.Post, string.Format(CultureInfo.InvariantCulture, folder, "create"), new { path = "w.bin", num_parts = 1 });
        var upload = JsonDocument.Parse(body).RootElement;
        using var bare = new HttpClient();
        using var part = await bare.PutAsync(upload.GetProperty("credentials")[0].GetProperty("url").GetString(), new ByteArrayContent("weights"u8.ToArray()));
        var completeByOther = await SendAsync(other, HttpMethod.Post, string.Format(CultureInfo.InvariantCulture, folder, "complete"),
            new { path = "w.bin", upload_id = upload.GetProperty("upload_id").GetString(), parts = new[] { new { part_number = 1, etag = part.Headers.ETag?.ToString() } } });
        var completed = await SendAsync(owner, HttpMethod.Post, string.Format(CultureInfo.InvariantCulture, folder, "complete"),
            new { path = "w.bin", upload_id = upload.GetProperty("upload_id").GetString(), parts = new[] { new { part_number = 1, etag = part.Headers.ETag?.ToString() } } });
        var stored = await owner.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/{id}/run/artifacts/w.bin");

        AssertDenied(refused);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, part.StatusCode);
        AssertDenied(completeByOther);
        Assert.Equal(HttpStatusCode.OK, completed.Status);
        Assert.Equal("weights", stored);
    }

    // MLflow basic-auth on traces: starting one updates its experiment; reading a trace needs READ on its experiment,
    // changing it UPDATE, deleting DELETE; a search READ on every experiment named; an unknown trace is refused, not 404.
    [Fact]
    public async Task Traces_AreAuthorisedOnTheTracesExperiment()
    {
        using var owner = await UserAsync("judy");
        using var reader = await UserAsync("karl");
        var (_, created) = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "judy-exp" });
        var experiment = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString()!;
        var (_, hidden) = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "judy-hidden" });
        var hiddenId = JsonDocument.Parse(hidden).RootElement.GetProperty("experiment_id").GetString()!;
        using var admin = As("admin", AdminPassword);
        await SendAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = hiddenId, username = "karl", permission = "NO_PERMISSIONS" });
        var (startStatus, started) = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/traces", new { experiment_id = experiment, timestamp_ms = 1 });
        var id = JsonDocument.Parse(started).RootElement.GetProperty("trace_info").GetProperty("request_id").GetString();

        var read = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/traces/{id}/info");
        var search = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/traces?experiment_ids={experiment}");
        var searchHidden = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/traces?experiment_ids={experiment}&experiment_ids={hiddenId}");
        var start = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/traces", new { experiment_id = experiment, timestamp_ms = 2 });
        var end = await SendAsync(reader, HttpMethod.Patch, $"/api/2.0/mlflow/traces/{id}", new { timestamp_ms = 3, status = "OK" });
        var tag = await SendAsync(reader, HttpMethod.Patch, $"/api/2.0/mlflow/traces/{id}/tags", new { key = "k", value = "v" });
        var untag = await SendAsync(reader, HttpMethod.Delete, $"/api/2.0/mlflow/traces/{id}/tags", new { key = "mlflow.artifactLocation" });
        var delete = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/traces/delete-traces", new { experiment_id = experiment, request_ids = new[] { id } });
        var unknown = await SendAsync(reader, HttpMethod.Get, "/api/2.0/mlflow/traces/0123456789abcdef0123456789abcdef/info");
        var ownerEnds = await SendAsync(owner, HttpMethod.Patch, $"/api/2.0/mlflow/traces/{id}", new { timestamp_ms = 3, status = "OK" });

        Assert.Equal(HttpStatusCode.OK, startStatus);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        AssertDenied(searchHidden);
        AssertDenied(start);
        AssertDenied(end);
        AssertDenied(tag);
        AssertDenied(untag);
        AssertDenied(delete);
        AssertDenied(unknown);
        Assert.Equal(HttpStatusCode.OK, ownerEnds.Status);
    }

    // MLflow basic-auth on logged models: a model's permission is its experiment's. Creating one updates the experiment;
    // reading needs READ, finalizing, tagging and logging params UPDATE, deleting DELETE; a search READ on every experiment
    // named; an unknown model is refused, not 404; registering a version from models:/m-… needs READ on the model.
    [Fact]
    public async Task LoggedModels_AreAuthorisedOnTheModelsExperiment()
    {
        using var owner = await UserAsync("lena");
        using var reader = await UserAsync("milo");
        using var admin = As("admin", AdminPassword);
        async Task<string> ExperimentAsync(string name) =>
            JsonDocument.Parse((await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name })).Body).RootElement.GetProperty("experiment_id").GetString()!;
        async Task<string> ModelAsync(string experimentId) =>
            JsonDocument.Parse((await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/logged-models", new { experiment_id = experimentId, name = "secret-model" })).Body)
                .RootElement.GetProperty("model").GetProperty("info").GetProperty("model_id").GetString()!;
        var shared = await ExperimentAsync("lena-shared");
        var hidden = await ExperimentAsync("lena-hidden");
        await SendAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = hidden, username = "milo", permission = "NO_PERMISSIONS" });
        var sharedModel = await ModelAsync(shared);
        var hiddenModel = await ModelAsync(hidden);
        using (var file = new StringContent("weights"))
        {
            using var put = await owner.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{hidden}/models/{hiddenModel}/artifacts/MLmodel", file);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "milo-model" });

        var readShared = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{sharedModel}");
        var searchShared = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", new { experiment_ids = new[] { shared } });
        var create = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/logged-models", new { experiment_id = shared });
        var finalize = await SendAsync(reader, HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{sharedModel}", new { status = "LOGGED_MODEL_READY" });
        var tag = await SendAsync(reader, HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{sharedModel}/tags", new { tags = new[] { new { key = "k", value = "v" } } });
        var untag = await SendAsync(reader, HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{sharedModel}/tags/k", new { });
        var param = await SendAsync(reader, HttpMethod.Post, $"/api/2.0/mlflow/logged-models/{sharedModel}/params", new { @params = new[] { new { key = "k", value = "v" } } });
        var delete = await SendAsync(reader, HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{sharedModel}", new { });
        var readHidden = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{hiddenModel}");
        var listHidden = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{hiddenModel}/artifacts/directories");
        var fileHidden = await SendAsync(reader, HttpMethod.Get, $"/ajax-api/2.0/mlflow/logged-models/{hiddenModel}/artifacts/files?artifact_file_path=MLmodel");
        var proxyHidden = await SendAsync(reader, HttpMethod.Get, $"/api/2.0/mlflow-artifacts/artifacts/{hidden}/models/{hiddenModel}/artifacts/MLmodel");
        var searchHidden = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", new { experiment_ids = new[] { shared, hidden } });
        var register = await SendAsync(reader, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "milo-model", source = $"models:/{hiddenModel}" });
        var unknown = await SendAsync(reader, HttpMethod.Get, "/api/2.0/mlflow/logged-models/m-0123456789abcdef0123456789abcdef");
        var ownerFinalizes = await SendAsync(owner, HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{hiddenModel}", new { status = "LOGGED_MODEL_READY" });
        var ownerRegisters = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "lena-model" });
        var ownerVersion = await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "lena-model", source = $"models:/{hiddenModel}" });

        Assert.Equal(HttpStatusCode.OK, readShared.Status);
        Assert.Equal(HttpStatusCode.OK, searchShared.Status);
        Assert.Contains(sharedModel, searchShared.Body, StringComparison.Ordinal);
        foreach (var denied in new[] { create, finalize, tag, untag, param, delete, readHidden, listHidden, fileHidden, proxyHidden, searchHidden, register, unknown })
        {
            AssertDenied(denied);
        }

        Assert.Equal(HttpStatusCode.OK, ownerFinalizes.Status);
        Assert.Equal(HttpStatusCode.OK, ownerRegisters.Status);
        Assert.Equal(HttpStatusCode.OK, ownerVersion.Status);
    }

    [Fact]
    public async Task LongBodies_AreRefusedWithMlflowsErrorBeforeBeingAuthorised_ArtifactUploadsAreNot()
    {
        using var alice = await UserAsync("heidi");
        var (_, created) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "heidi-exp" });
        var experimentId = JsonDocument.Parse(created).RootElement.GetProperty("experiment_id").GetString();
        var (_, run) = await SendAsync(alice, HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = experimentId });
        var runId = JsonDocument.Parse(run).RootElement.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        var file = new byte[25_000_000];
        new Random(7).NextBytes(file);

        // A log-batch body past MLflow's 1,000,000 bytes, with its length announced; then 29 MB sent chunked to
        // another RPC, so that only counting the bytes can tell.
        var batch = await PostRawAsync(alice, "/api/2.0/mlflow/runs/log-batch", Padded($$"""{"run_id": "{{runId}}", "tags": [{"key": "k", "value": "v"}], "pad": "{0}"}""", 2_000_000), chunked: false);
        var tag = await PostRawAsync(alice, "/api/2.0/mlflow/runs/set-tag", Padded($$"""{"run_id": "{{runId}}", "key": "k", "value": "v", "pad": "{0}"}""", 29_000_000), chunked: true);
        using var upload = await alice.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/big.bin", new ByteArrayContent(file));
        var downloaded = await alice.GetByteArrayAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/big.bin");
        var (_, after) = await SendAsync(alice, HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_id={runId}");

        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", batch,
            "Batched logging API requests must be at most 1000000 bytes, got a request of size 2000000.");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", tag,
            $"Request bodies must be at most {MlflowRoute.DefaultMaxBodyBytes} bytes, got a request of size 29000000.");
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(file, downloaded);
        Assert.DoesNotContain("\"k\"", after, StringComparison.Ordinal);
    }

    // The JSON with its {0} filled with spaces so that the whole body is exactly length bytes.
    private static byte[] Padded(string json, int length) =>
        Encoding.UTF8.GetBytes(json.Replace("{0}", new string(' ', length - Encoding.UTF8.GetByteCount(json) + 3), StringComparison.Ordinal));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(HttpClient http, string path, byte[] body, bool chunked)
    {
        using HttpContent content = chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    // A stream whose length is unknown: HttpClient then sends the body chunked, without Content-Length.
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task RegisteredModels_CreatorManages_GrantsFollowRenames_AndDeletesNeedManage()
    {
        using var heidi = await UserAsync("heidi");
        using var ivan = await UserAsync("ivan");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(heidi, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "heidi-model" })).Status);
        await SendAsync(heidi, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "heidi-model", source = "s3://m/1" });

        var ivanReads = await SendAsync(ivan, HttpMethod.Get, "/api/2.0/mlflow/registered-models/get?name=heidi-model");
        var ivanRegisters = await SendAsync(ivan, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "heidi-model", source = "s3://m/2" });
        var ivanGrantsHimself = await SendAsync(ivan, HttpMethod.Post, "/api/2.0/mlflow/registered-models/permissions/create", new { name = "heidi-model", username = "ivan", permission = "MANAGE" });
        var grant = await SendAsync(heidi, HttpMethod.Post, "/api/2.0/mlflow/registered-models/permissions/create", new { name = "heidi-model", username = "ivan", permission = "EDIT" });
        var rename = await SendAsync(heidi, HttpMethod.Post, "/api/2.0/mlflow/registered-models/rename", new { name = "heidi-model", new_name = "heidi-model-2" });
        var ivanRegistersAfterGrant = await SendAsync(ivan, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "heidi-model-2", source = "s3://m/2" });
        var ivanSetsAlias = await SendAsync(ivan, HttpMethod.Post, "/api/2.0/mlflow/registered-models/alias", new { name = "heidi-model-2", alias = "champion", version = "2" });
        var ivanDeletesAlias = await SendAsync(ivan, HttpMethod.Delete, "/api/2.0/mlflow/registered-models/alias", new { name = "heidi-model-2", alias = "champion" });
        var ivanDeletesVersion = await SendAsync(ivan, HttpMethod.Delete, "/api/2.0/mlflow/model-versions/delete", new { name = "heidi-model-2", version = "1" });
        var heidiReadsGrant = await SendAsync(heidi, HttpMethod.Get, "/api/2.0/mlflow/registered-models/permissions/get?name=heidi-model-2&username=ivan");
        var heidiDeletes = await SendAsync(heidi, HttpMethod.Delete, "/api/2.0/mlflow/registered-models/delete", new { name = "heidi-model-2" });

        Assert.Equal(HttpStatusCode.OK, ivanReads.Status);
        AssertDenied(ivanRegisters);
        Assert.Equal(HttpStatusCode.Forbidden, ivanGrantsHimself.Status);
        Assert.Equal(HttpStatusCode.OK, grant.Status);
        Assert.Equal(HttpStatusCode.OK, rename.Status);
        Assert.Equal(HttpStatusCode.OK, ivanRegistersAfterGrant.Status);
        Assert.Contains("\"version\":\"2\"", ivanRegistersAfterGrant.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ivanSetsAlias.Status);
        Assert.Equal(HttpStatusCode.Forbidden, ivanDeletesAlias.Status);
        Assert.Equal(HttpStatusCode.Forbidden, ivanDeletesVersion.Status);
        Assert.Contains("\"name\":\"heidi-model-2\"", heidiReadsGrant.Body, StringComparison.Ordinal);
        Assert.Contains("\"permission\":\"EDIT\"", heidiReadsGrant.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, heidiDeletes.Status);
    }

    [Fact]
    public async Task RegisteredModels_NoPermissions_HidesTheModelFromSearchAndGet()
    {
        using var judy = await UserAsync("judy");
        using var karl = await UserAsync("karl");
        await SendAsync(judy, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "judy-secret" });
        await SendAsync(judy, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "judy-public" });
        await SendAsync(judy, HttpMethod.Post, "/api/2.0/mlflow/registered-models/permissions/create", new { name = "judy-secret", username = "karl", permission = "NO_PERMISSIONS" });

        var karlSearch = await SendAsync(karl, HttpMethod.Get, "/api/2.0/mlflow/registered-models/search?filter=name+LIKE+%27judy-%25%27");
        var karlGet = await SendAsync(karl, HttpMethod.Get, "/api/2.0/mlflow/registered-models/get?name=judy-secret");
        var judySearch = await SendAsync(judy, HttpMethod.Get, "/api/2.0/mlflow/registered-models/search?filter=name+LIKE+%27judy-%25%27");

        Assert.Equal(HttpStatusCode.OK, karlSearch.Status);
        Assert.Contains("judy-public", karlSearch.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("judy-secret", karlSearch.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, karlGet.Status);
        Assert.Contains("judy-secret", judySearch.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchRegistry_SomeModelsUnreadable_PagesAreRefilledWithExactTokens()
    {
        using var owner = await UserAsync("lena");
        using var reader = await UserAsync("mike");
        foreach (var name in new[] { "hidden-0", "hidden-1", "hidden-2", "open-0", "open-1", "open-2" })
        {
            await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name });
            await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name, source = "s3://bucket/" + name });
            if (name.StartsWith("hidden", StringComparison.Ordinal))
            {
                await SendAsync(owner, HttpMethod.Post, "/api/2.0/mlflow/registered-models/permissions/create", new { name, username = "mike", permission = "NO_PERMISSIONS" });
            }
        }

        async Task<JsonElement> PageAsync(string rpc, int maxResults, string? token = null) =>
            JsonDocument.Parse((await SendAsync(reader, HttpMethod.Get,
                $"/api/2.0/mlflow/{rpc}/search?max_results={maxResults}&order_by=name%20ASC{(token is null ? "" : "&page_token=" + Uri.EscapeDataString(token))}")).Body).RootElement;

        var first = await PageAsync("registered-models", 2);
        var second = await PageAsync("registered-models", 2, first.GetProperty("next_page_token").GetString());
        var whole = await PageAsync("registered-models", 3);
        var versions = await PageAsync("model-versions", 2);
        var moreVersions = await PageAsync("model-versions", 2, versions.GetProperty("next_page_token").GetString());

        // The store's first page holds only hidden models: without the refill mike would get an empty page.
        Assert.Equal(["open-0", "open-1"], Names(first, "registered_models"));
        Assert.Equal(["open-2"], Names(second, "registered_models"));
        Assert.False(second.TryGetProperty("next_page_token", out _));
        // The refill read the last page whole, so no token points at an empty page.
        Assert.Equal(["open-0", "open-1", "open-2"], Names(whole, "registered_models"));
        Assert.False(whole.TryGetProperty("next_page_token", out _));
        Assert.Equal(["open-0", "open-1"], Names(versions, "model_versions"));
        Assert.Equal(["open-2"], Names(moreVersions, "model_versions"));

        static string[] Names(JsonElement page, string field) => page.GetProperty(field).EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
    }

    [Fact]
    public async Task CreateModelVersion_UnderAuth_RecordsTheAuthenticatedUserAsUserId()
    {
        using var nina = await UserAsync("nina");
        await SendAsync(nina, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "nina-model" });

        var (status, created) = await SendAsync(nina, HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "nina-model", source = "s3://bucket/m" });
        var (_, fetched) = await SendAsync(nina, HttpMethod.Get, "/api/2.0/mlflow/model-versions/get?name=nina-model&version=1");

        Assert.True(status == HttpStatusCode.OK, created);
        Assert.Equal("nina", JsonDocument.Parse(created).RootElement.GetProperty("model_version").GetProperty("user_id").GetString());
        Assert.Equal("nina", JsonDocument.Parse(fetched).RootElement.GetProperty("model_version").GetProperty("user_id").GetString());
    }
}
