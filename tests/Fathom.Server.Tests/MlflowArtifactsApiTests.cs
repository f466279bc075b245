using System.Net;
using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>The artifact proxy over SQLite and a local artifacts folder, and what only a local folder can be attacked with.</summary>
public sealed class MlflowArtifactsApiTests(SqliteFolderBackend backend) : MlflowArtifactsApiCompliance(backend), IClassFixture<SqliteFolderBackend>
{
    // A link planted in the artifacts folder that leads out of it (the probe's /etc): no route reads, lists, writes or
    // deletes through it; each refuses in MLflow's error shape, never a 500.
    [Fact]
    public async Task ArtifactProxy_PlantedLinkLeadingOut_IsRefusedByEveryRoute()
    {
        var runId = await Client.CreateRunAsync("0", "planted-link");
        var outside = Path.Combine(Path.GetDirectoryName(backend.ArtifactsFolder)!, "outside-" + runId);
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "passwd"), "root:x:0:0");
        var artifacts = Path.Combine(backend.ArtifactsFolder, "0", runId, "artifacts");
        Directory.CreateDirectory(artifacts);
        Directory.CreateSymbolicLink(Path.Combine(artifacts, "etc"), outside);
        var via = $"0/{runId}/artifacts/etc";

        using var download = await Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/passwd");
        var list = await Client.GetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={via}");
        var runList = await Client.GetAsync($"/api/2.0/mlflow/artifacts/list?run_id={runId}&path=etc");
        using var upload = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/planted", new ByteArrayContent([1]));
        using var delete = await Http.DeleteAsync($"/api/2.0/mlflow-artifacts/artifacts/{via}/passwd");
        using var getArtifact = await Http.GetAsync($"/get-artifact?run_id={runId}&path=etc/passwd");

        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getArtifact.StatusCode);
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", list, "Invalid path");
        MlflowClient.AssertError(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", runList, "Invalid path");
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(["passwd"], Directory.GetFiles(outside).Select(Path.GetFileName));
        Assert.DoesNotContain("root:x", await download.Content.ReadAsStringAsync() + await getArtifact.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
