using System.Net;
using System.Text;
using System.Text.Json;

namespace Fathom.Server.Tests;

public sealed class MlflowArtifactsApiTests(TrackingServerFixture fixture) : IClassFixture<TrackingServerFixture>
{
    private readonly MlflowClient _client = new(fixture.Http);

    // A link planted in the artifacts folder that leads out of it (the probe's /etc): no route reads, lists, writes or
    // deletes through it; each refuses in MLflow's error shape, never a 500.
    [Fact]
    public async Task ArtifactProxy_PlantedLinkLeadingOut_IsRefusedByEveryRoute()
    {
        var runId = await _client.CreateRunAsync("0", "planted-link");
        var outside = Path.Combine(fixture.Folder, "outside-" + runId);
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "passwd"), "root:x:0:0");
        var artifacts = Path.Combine(fixture.ArtifactsFolder, "0", runId, "artifacts");
        Directory.CreateDirectory(artifacts);
        Directory.CreateSymbolicLink(Path.Combine(artifacts, "etc"), outside);
        var via = $"0/{runId}/artifacts/etc";

        using var download = await fixture.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/passwd");
        var list = await _client.GetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={via}");
        var runList = await _client.GetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}&path=etc");
        using var upload = await fixture.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/planted", new ByteArrayContent([1]));
        using var delete = await fixture.Http.DeleteAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/passwd");
        using var getArtifact = await fixture.Http.GetAsync($"/get-artifact?run_id={runId}&path=etc/passwd");

        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getArtifact.StatusCode);
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", list, "Invalid path");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", runList, "Invalid path");
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(["passwd"], Directory.GetFiles(outside).Select(Path.GetFileName));
        Assert.DoesNotContain("root:x", await download.Content.ReadAsStringAsync() + await getArtifact.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArtifactProxy_UploadListDownloadDelete_AsMlflowClientsDo()
    {
        var runId = await _client.CreateRunAsync("0", "artifacts");
        var root = $"0/{runId}/artifacts";
        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("flavors: {}\n")))
        {
            using var put = await fixture.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel", content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("{}", await put.Content.ReadAsStringAsync());
        }

        using (var content = new ByteArrayContent([1, 2, 3]))
        {
            (await fixture.Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/metrics.json", content)).Dispose();
        }

        var proxyList = await _client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}");
        var runList = await _client.OkGetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}");
        var subList = await _client.OkGetAsync($"/ajax-api/2.0/mlflow/artifacts/list?run_id={runId}&path=model");
        using var download = await fixture.Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel");

        Assert.Equal("""{"files":[{"path":"metrics.json","is_dir":false,"file_size":3},{"path":"model","is_dir":true}]}""", proxyList.GetRawText());
        Assert.Equal(
            $$"""{"root_uri":"mlflow-artifacts:/{{root}}","files":[{"path":"metrics.json","is_dir":false,"file_size":3},{"path":"model","is_dir":true}]}""",
            runList.GetRawText());
        Assert.Equal("""[{"path":"model/MLmodel","is_dir":false,"file_size":12}]""", subList.GetProperty("files").GetRawText());
        Assert.Equal("flavors: {}\n", await download.Content.ReadAsStringAsync());
        Assert.Equal("attachment; filename=MLmodel", download.Content.Headers.ContentDisposition?.ToString());
        Assert.True(File.Exists(Path.Combine(fixture.ArtifactsFolder, "0", runId, "artifacts", "model", "MLmodel")));

        using var delete = await fixture.Http.DeleteAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var afterDelete = await _client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={root}/model");
        Assert.Equal("{}", afterDelete.GetRawText());
    }

    [Theory]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/..%2F..%2Fetc/passwd")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/0/%252e%252e/%252e%252e/secret")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts?path=../..")]
    public async Task ArtifactProxy_Traversal_IsRefused(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_PARAMETER_VALUE", body.GetProperty("error_code").GetString());
        Assert.Equal("Invalid path", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ArtifactProxy_MissingFile_Is404()
    {
        var answer = await _client.GetAsync("/api/2.0/mlflow-artifacts/artifacts/0/none/artifacts/x.txt");

        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", answer);
    }
}
