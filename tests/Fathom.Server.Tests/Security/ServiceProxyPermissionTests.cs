using System.Diagnostics;
using System.Net;
using Fathom.Auth;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// The service proxy behind basic-auth: reaching a service takes EDIT on its project (a service may be a notebook, a
/// shell), so a user who may only read the project is refused, as is a caller without credentials.
/// </summary>
public sealed class ServiceProxyPermissionTests
{
    [Fact]
    public async Task ServiceProxy_ReaderWithoutEdit_Forbidden_OwnerReachesTheService()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        using var alice = await server.UserAsync("alice");
        using var bob = await server.UserAsync("bob");
        const string file = """
            version: 1.1
            kind: component
            name: files
            run:
              kind: service
              ports: [8000]
              rewritePath: true
              container: {image: python:3.12, command: [python3, -m, http.server, "{{ globals.ports[0] }}", --bind, 127.0.0.1]}
            """;
        var uuid = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/v1/projects/alice-services/runs", new { content = file, file_name = "files.yml" }))
            .GetProperty("run").GetProperty("uuid").GetString()!;

        try
        {
            await ReachedOnlyByTheOwnerAsync(server, alice, bob, uuid);
        }
        finally
        {
            // The service runs detached from the server: stopped here, so a failed check leaves no process behind.
            await AuthServer.OkAsync(alice, HttpMethod.Post, $"/api/v1/runs/{uuid}/stop");
            for (var i = 0; i < 300 && (await AuthServer.OkAsync(alice, HttpMethod.Get, $"/api/v1/runs/{uuid}")).GetProperty("run").GetProperty("status").GetString() != "stopped"; i++)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task ReachedOnlyByTheOwnerAsync(AuthServer server, HttpClient alice, HttpClient bob, string uuid)
    {
        var clock = Stopwatch.StartNew();
        (HttpStatusCode Status, string Body) answer;
        while ((answer = await AuthServer.SendAsync(alice, HttpMethod.Get, $"/services/{uuid}/")).Status != HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the service never answered alice: {answer.Status} {answer.Body}");
            await Task.Delay(200);
        }

        Assert.Contains("Directory listing", answer.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await AuthServer.SendAsync(bob, HttpMethod.Get, $"/api/v1/runs/{uuid}")).Status);
        var denied = await AuthServer.SendAsync(bob, HttpMethod.Get, $"/services/{uuid}/");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.DoesNotContain("Directory listing", denied.Body, StringComparison.Ordinal);
        using var anonymous = new HttpClient { BaseAddress = server.Base };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/services/{uuid}/")).StatusCode);
    }
}
