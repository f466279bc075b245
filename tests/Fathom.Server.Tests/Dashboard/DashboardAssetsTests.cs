using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Fathom.Auth;
using Fathom.Server.Tests.Security;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>How the dashboard's files are served: relative URLs (any path prefix), compressed, revalidated by ETag, public.</summary>
public sealed class DashboardAssetsTests(TrackingServerFixture server) : IClassFixture<TrackingServerFixture>
{
    [Fact]
    public async Task Shell_AtRoot_UsesOnlyRelativeUrls()
    {
        using var response = await server.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"assets/app.js\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/", html, StringComparison.Ordinal);
        Assert.Contains("content=\"off\"", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Asset_Compressed_DecodesToTheFile_AndRevalidatesAs304(string encoding)
    {
        using var plain = await server.Http.GetAsync("/assets/runs.js");
        var text = await plain.Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/runs.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        using var compressed = await server.Http.SendAsync(request);
        var body = await compressed.Content.ReadAsByteArrayAsync();
        using var decoded = new MemoryStream();
        using (Stream decoder = encoding == "br" ? new BrotliStream(new MemoryStream(body), CompressionMode.Decompress) : new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
        {
            await decoder.CopyToAsync(decoded);
        }

        Assert.Equal(encoding, compressed.Content.Headers.ContentEncoding.Single());
        Assert.True(body.Length < text.Length / 2, $"{encoding}: {body.Length} of {text.Length} bytes");
        Assert.Equal(text, decoded.ToArray());
        Assert.Equal("text/javascript", compressed.Content.Headers.ContentType?.MediaType);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/assets/runs.js");
        again.Headers.IfNoneMatch.Add(compressed.Headers.ETag!);
        using var notModified = await server.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/assets/nothing.js")]
    [InlineData("/assets/index.html")]
    public async Task UnknownAsset_Is404WithAJsonError(string path)
    {
        using var response = await server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("RESOURCE_DOES_NOT_EXIST", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAuthOn_TheShellIsPublic_ButItsDataCallsAreNot()
    {
        await using var auth = await AuthServer.StartAsync(AccessLevel.Read);
        using var anonymous = new HttpClient { BaseAddress = auth.Base };

        var shell = await anonymous.GetStringAsync("/");
        using var asset = await anonymous.GetAsync("/assets/api.js");
        using var data = new HttpRequestMessage(HttpMethod.Get, "/ajax-api/2.0/mlflow/experiments/search?max_results=10");
        data.Headers.Add("X-Fathom-Client", "dashboard");
        using var refused = await anonymous.SendAsync(data);

        Assert.Contains("<meta name=\"fathom-auth\" content=\"on\">", shell, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // The dashboard's own form asks for the password: no browser dialog on top of it.
        Assert.False(refused.Headers.Contains("WWW-Authenticate"));
    }
}
