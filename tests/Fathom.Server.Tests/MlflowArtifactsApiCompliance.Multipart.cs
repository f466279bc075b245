using System.Net;
using System.Text.Json;

namespace Fathom.Server.Tests;

/// <summary>
/// The proxy's multipart upload as MLflow's HttpArtifactRepository drives it (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD):
/// create on the folder with the local file's path, a bare PUT of each part to its URL (no credentials, as to a
/// presigned URL), complete with the parts' ETags; abort when a part fails.
/// </summary>
public abstract partial class MlflowArtifactsApiCompliance
{
    private async Task<JsonElement> CreateUploadAsync(string folder, string localFile, int parts) =>
        await Client.OkAsync($"/api/2.0/mlflow-artifacts/mpu/create/{folder}", JsonSerializer.Serialize(new { path = localFile, num_parts = parts }));

    // What requests.put(credential.url, data=chunk, headers=credential.headers) does: an absolute URL, no Authorization.
    private static async Task<(HttpStatusCode Status, string? ETag)> PutPartAsync(JsonElement credential, byte[] bytes)
    {
        using var bare = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var content = new ByteArrayContent(bytes);
        using var put = await bare.PutAsync(credential.GetProperty("url").GetString(), content);
        return (put.StatusCode, put.Headers.ETag?.ToString());
    }

    [SkippableFact]
    public async Task MultipartUpload_CreatePartsComplete_StoresTheFileWhole()
    {
        SkipIfUnavailable();
        var runId = await Client.CreateRunAsync("0", "multipart");
        var folder = $"0/{runId}/artifacts/model";
        var bytes = new byte[(5 << 20) + 4321];
        new Random(11).NextBytes(bytes);
        var chunks = new[] { bytes[..(5 << 20)], bytes[(5 << 20)..] };

        var created = await CreateUploadAsync(folder, "/home/user/project/weights.bin", 2);
        var credentials = created.GetProperty("credentials").EnumerateArray().ToList();
        var listedMeanwhile = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={folder}");
        // The client sends its parts at once, from a thread pool: any order.
        var second = await PutPartAsync(credentials[1], chunks[1]);
        var first = await PutPartAsync(credentials[0], chunks[0]);
        await Client.OkAsync($"/api/2.0/mlflow-artifacts/mpu/complete/{folder}", JsonSerializer.Serialize(new
        {
            path = "/home/user/project/weights.bin",
            upload_id = created.GetProperty("upload_id").GetString(),
            parts = new[] { new { part_number = 1, etag = first.ETag, url = credentials[0].GetProperty("url").GetString() }, new { part_number = 2, etag = second.ETag, url = credentials[1].GetProperty("url").GetString() } },
        }));

        using var download = await Http.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{folder}/weights.bin");
        var listing = await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={folder}");
        Assert.Equal([1, 2], credentials.Select(c => c.GetProperty("part_number").GetInt32()));
        Assert.All(credentials, c => Assert.False(c.TryGetProperty("headers", out _)));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        Assert.NotNull(first.ETag);
        Assert.Equal("{}", listedMeanwhile.GetRawText());
        var back = await download.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.AsSpan().SequenceEqual(back), "the downloaded bytes differ from the parts sent");
        Assert.Equal($$"""{"files":[{"path":"weights.bin","is_dir":false,"file_size":{{bytes.Length}}}]}""", listing.GetRawText());
    }

    [SkippableFact]
    public async Task MultipartUpload_Aborted_LeavesNoFileAndRefusesLaterParts()
    {
        SkipIfUnavailable();
        Skip.If(Backend.MultipartChecksUnavailable is not null, Backend.MultipartChecksUnavailable);
        var runId = await Client.CreateRunAsync("0", "multipart-abort");
        var folder = $"0/{runId}/artifacts";
        var created = await CreateUploadAsync(folder, "model.bin", 2);
        var credentials = created.GetProperty("credentials").EnumerateArray().ToList();
        var uploadId = created.GetProperty("upload_id").GetString();
        var sent = await PutPartAsync(credentials[0], [1, 2, 3]);

        await Client.OkAsync($"/api/2.0/mlflow-artifacts/mpu/abort/{folder}", JsonSerializer.Serialize(new { path = "model.bin", upload_id = uploadId }));

        var late = await PutPartAsync(credentials[1], [4]);
        var complete = await Client.PostAsync($"/api/2.0/mlflow-artifacts/mpu/complete/{folder}", JsonSerializer.Serialize(new { path = "model.bin", upload_id = uploadId, parts = new[] { new { part_number = 1, etag = sent.ETag } } }));
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Equal(HttpStatusCode.NotFound, late.Status);
        MlflowClient.AssertError(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", complete);
        Assert.Equal("{}", (await Client.OkGetAsync($"/api/2.0/mlflow-artifacts/artifacts?path={folder}")).GetRawText());
    }

    // A part URL is good for its upload, part and file only: moving it to another path or part, or forging one, is refused.
    [SkippableFact]
    public async Task MultipartUpload_PartUrlForAnotherFileOrPart_IsRefused()
    {
        SkipIfUnavailable();
        var created = await CreateUploadAsync("0/run/artifacts", "mine.bin", 1);
        var url = created.GetProperty("credentials")[0].GetProperty("url").GetString()!;
        using var bare = new HttpClient();

        using var otherFile = await bare.PutAsync(url.Replace("/mine.bin?", "/theirs.bin?", StringComparison.Ordinal), new ByteArrayContent([1]));
        using var otherPart = await bare.PutAsync(url.Replace("part_number=1", "part_number=2", StringComparison.Ordinal), new ByteArrayContent([1]));
        using var unsigned = await bare.PutAsync(url[..url.IndexOf("&signature=", StringComparison.Ordinal)], new ByteArrayContent([1]));
        using var traversal = await Http.PostAsync("/api/2.0/mlflow-artifacts/mpu/create/0/run/artifacts", new StringContent("""{"path": "..", "num_parts": 1}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, otherFile.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherPart.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
    }
}
