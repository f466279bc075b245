using System.Net;
using Fathom.Auth;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// Projects of jobs under basic-auth, as experiments are: the user who creates a project (by submitting its first run)
/// manages it and is recorded as the run's submitter; others have the default permission unless granted otherwise,
/// and see in the list of projects only those they may read.
/// </summary>
public sealed class JobProjectPermissionTests
{
    [Fact]
    public async Task ProjectOfJobs_OwnerManages_OthersHaveTheDefaultOrTheirGrant()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        using var alice = await server.UserAsync("alice");
        using var bob = await server.UserAsync("bob");
        using var admin = server.Admin();
        var run = (await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/v1/projects/alice-jobs/runs", new { content = Victim.JobFile("hello"), file_name = "hello.yml" }))
            .GetProperty("run");
        var uuid = run.GetProperty("uuid").GetString()!;

        Assert.Equal("alice", run.GetProperty("submitted_by").GetString());
        // READ by default: bob sees the run and its project, but may not act on it or submit into the project.
        Assert.Equal(HttpStatusCode.OK, (await AuthServer.SendAsync(bob, HttpMethod.Get, $"/api/v1/runs/{uuid}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Post, $"/api/v1/runs/{uuid}/restart")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Post, "/api/v1/projects/alice-jobs/runs", new { content = Victim.JobFile("x") })).Status);
        Assert.Contains("alice-jobs", (await AuthServer.SendAsync(bob, HttpMethod.Get, "/api/v1/projects")).Body, StringComparison.Ordinal);
        // Granting is the owner's (MANAGE), not bob's.
        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Post, "/api/v1/projects/alice-jobs/permissions", new { username = "bob", permission = "MANAGE" })).Status);

        await AuthServer.OkAsync(alice, HttpMethod.Post, "/api/v1/projects/alice-jobs/permissions", new { username = "bob", permission = "NO_PERMISSIONS" });

        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Get, $"/api/v1/runs/{uuid[..8]}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Get, $"/api/v1/runs/{uuid}/logs")).Status);
        Assert.DoesNotContain("alice-jobs", (await AuthServer.SendAsync(bob, HttpMethod.Get, "/api/v1/projects")).Body, StringComparison.Ordinal);
        Assert.Contains("alice-jobs", (await AuthServer.SendAsync(admin, HttpMethod.Get, "/api/v1/projects")).Body, StringComparison.Ordinal);

        await AuthServer.OkAsync(alice, HttpMethod.Patch, "/api/v1/projects/alice-jobs/permissions", new { username = "bob", permission = "EDIT" });
        var copy = await AuthServer.OkAsync(bob, HttpMethod.Post, $"/api/v1/runs/{uuid}/restart");
        Assert.Equal("bob", copy.GetProperty("run").GetProperty("submitted_by").GetString());
        // EDIT does not delete: that takes MANAGE, as for experiments.
        Assert.Equal(HttpStatusCode.Forbidden, (await AuthServer.SendAsync(bob, HttpMethod.Delete, $"/api/v1/runs/{uuid}")).Status);
    }
}
