using System.Net;
using System.Text;
using System.Text.Json;
using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>
/// MLflow's artifact proxy as its clients drive it, run once per backend pair (SQLite and a local folder; PostgreSQL
/// and S3): uploads of any size, listings, downloads, deletes, multipart uploads, and the names MLflow's own
/// functions write (<c>log_image</c>'s <c>%</c> separators).
/// </summary>
public abstract partial class MlflowArtifactsApiCompliance(ServerBackend backend)
{
    private readonly MlflowClient _client = new(backend.Http ?? new HttpClient());

    protected ServerBackend Backend => backend;

    protected HttpClient Http => backend.Http;

    private protected MlflowClient Client => _client;

    protected void SkipIfUnavailable() => Skip.If(backend.Unavailable is not null, backend.Unavailable);

    private async Task PutAsync(string path, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        using var put = await Http.PutAsync("/api/2.0/mlflow-artifacts/artifacts/" + PythonRequests.Requote(path), content);
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT {path}: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
    }

    private static string Listed(JsonElement listing) =>
        listing.TryGetProperty("files", out var files)
            ? string.Join(" ", files.EnumerateArray().Select(f => f.GetProperty("path").GetString() + (f.GetProperty("is_dir").GetBoolean() ? "/" : "")))
            : "";

    [SkippableFact]
    public async Task ArtifactProxy_UploadListDownloadDelete_AsMlflowClientsDo()
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "artifacts");
        var root = $"0/{runId}/artifacts";
        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("flavors: {}\n")))
        {
            using var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel", content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("{}", await put.Content.ReadAsStringAsync());
        }

        await PutAsync($"{root}/metrics.json", [1, 2, 3]);

        var proxyList = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}");
        var runList = await Client.OkGetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}");
        var subList = await Client.OkGetAsync($"/ajax-api/2.0/mlflow/artifacts/list?run_id={runId}&path=model");
        using var download = await Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel");

        Assert.Equal("""{"files":[{"path":"metrics.json","is_dir":false,"file_size":3},{"path":"model","is_dir":true}]}""", proxyList.GetRawText());
        Assert.Equal(
            $$"""{"root_uri":"mlflow-artifacts:/{{root}}","files":[{"path":"metrics.json","is_dir":false,"file_size":3},{"path":"model","is_dir":true}]}""",
            runList.GetRawText());
        Assert.Equal("""[{"path":"model/MLmodel","is_dir":false,"file_size":12}]""", subList.GetProperty("files").GetRawText());
        Assert.Equal("flavors: {}\n", await download.Content.ReadAsStringAsync());
        Assert.Equal("attachment; filename=MLmodel", download.Content.Headers.ContentDisposition?.ToString());

        using var delete = await Http.DeleteAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var afterDelete = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}/model");
        Assert.Equal("{}", afterDelete.GetRawText());
    }

    // The official client's list_artifacts on a run with a file beside folders: a folder that holds only folders
    // (sub/deeper/x.txt) is a folder too. s3rver leaves such folders out of a delimited listing.
    [SkippableFact]
    public async Task RunRootListing_FoldersHoldingOnlyFolders_AreListedBesideFiles()
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "folders");
        var root = $"0/{runId}/artifacts";
        foreach (var file in new[] { "hello.txt", "sub/deeper/x.txt", "model/MLmodel", "a/b/c/d.txt", "zz.txt" })
        {
            await PutAsync($"{root}/{file}", [7]);
        }

        var proxy = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}");
        var tracking = await Client.OkGetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}");
        var sub = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}/sub");

        Assert.Equal("a/ hello.txt model/ sub/ zz.txt", Listed(proxy));
        Assert.Equal("a/ hello.txt model/ sub/ zz.txt", Listed(tracking));
        Assert.Equal("deeper/", Listed(sub));
    }

    // mlflow.log_image(image, key="loss", step=…) names its files "images/loss%step%<step>%timestamp%<ms>%<uuid>.png";
    // requests then quotes every '%' (the name holds '%st', no valid escape). The name is the name: stored, listed and
    // served as written, never decoded a second time ('%17' is no control character, '%23' no '#', '%2500' no NUL).
    [SkippableTheory]
    [InlineData("loss_curve%step%0%timestamp%1700000000123%q3c1e2d4-aaaa-4bbb-8ccc-123456789abc.png")]
    [InlineData("loss%step%23%timestamp%1700000000123%h3c1e2d4-aaaa-4bbb-8ccc-123456789abc.webp")]
    [InlineData("acc%step%2500%timestamp%1712345678901%zzc1e2d4-aaaa-4bbb-8ccc-123456789abc.png")]
    public async Task LogImageNames_WithPercentSigns_AreStoredListedAndServedAsWritten(string name)
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "images");
        var root = $"0/{runId}/artifacts";
        await PutAsync($"{root}/images/{name}", Encoding.UTF8.GetBytes("png bytes"));
        await PutAsync($"{root}/notes.txt", [1]);

        var images = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString(root + "/images")}");
        var tracking = await Client.OkGetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}&path=images");
        var rootListing = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}");
        using var download = await Http.GetAsync("/api/2.0/mlflow-artifacts/artifacts/" + PythonRequests.Requote($"{root}/images/{name}"));
        using var viaUi = await Http.GetAsync($"/get-artifact?run_uuid={runId}&path={Uri.EscapeDataString("images/" + name)}");

        Assert.Equal(name, Listed(images));
        Assert.Equal("images/" + name, tracking.GetProperty("files")[0].GetProperty("path").GetString());
        Assert.Equal("images/ notes.txt", Listed(rootListing));
        Assert.Equal("png bytes", await download.Content.ReadAsStringAsync());
        Assert.Equal("png bytes", await viaUi.Content.ReadAsStringAsync());
    }

    [SkippableTheory]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/..%2F..%2Fetc/passwd")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/0/%252e%252e/%252e%252e/secret")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts?path=../..")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts?path=0/%252e%252e/x")]
    public async Task ArtifactProxy_Traversal_IsRefused(string path)
    {
        SkipIfUnavailable();
        using var response = await Http.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_PARAMETER_VALUE", body.GetProperty("error_code").GetString());
        Assert.Equal("Invalid path", body.GetProperty("message").GetString());
    }

    [SkippableFact]
    public async Task ArtifactProxy_ControlCharacterInAName_IsRefused()
    {
        SkipIfUnavailable();
        using var content = new ByteArrayContent([1]);
        using var put = await Http.PutAsync("/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/a%17b.txt", content);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [SkippableFact]
    public async Task ArtifactProxy_MissingFile_Is404()
    {
        SkipIfUnavailable();
        var answer = await Client.GetAsync("/api/2.0/mlflow-artifacts/artifacts/0/none/artifacts/x.txt");

        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", answer);
    }

    // MLflow's server sets no limit on an upload; Kestrel's default (30,000,000 bytes) must not apply to the proxy's PUT.
    [SkippableFact]
    public async Task ArtifactUpload_LargerThanKestrelsDefaultLimit_IsStoredWhole()
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "large");
        var bytes = new byte[31_500_000];
        new Random(7).NextBytes(bytes);
        var path = $"0/{runId}/artifacts/model/weights.bin";

        await PutAsync(path, bytes);

        var listing = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path=0/{runId}/artifacts/model");
        using var download = await Http.GetAsync("/api/2.0/mlflow-artifacts/artifacts/" + path);
        var back = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, listing.GetProperty("files")[0].GetProperty("file_size").GetInt64());
        Assert.True(bytes.AsSpan().SequenceEqual(back), "the downloaded bytes differ from the uploaded ones");
    }
}
