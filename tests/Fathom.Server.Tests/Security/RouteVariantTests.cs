using System.Collections.Concurrent;
using System.Text.Json;
using Fathom.Auth;
using Microsoft.AspNetCore.Routing;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// The route-variant property: a signed-in user with no rights throws generated variants of requests at every
/// protected route the server maps, each naming another user's experiment, run, model, files or account. None may
/// succeed on the victim's resources (an id disguised into naming nothing may get what nothing gets: an empty answer),
/// none may answer 500, no answer may carry the victim's data, every error answer is JSON, and afterwards the victim's
/// data is as it was. The seed is fixed so that a failure reproduces; the recipe of a failing probe is
/// printed with it.
/// </summary>
public sealed class RouteVariantTests
{
    private const int Probes = 8_000;

    // Two servers: one where nobody may do anything by default, one where everyone may do everything by default but
    // the attacker is explicitly denied the victim's experiment and model. The second catches any request that makes
    // the check look at a resource with no grant (another spelling of an id, a path led by no experiment) while the
    // handler touches the victim's.
    [Theory]
    [InlineData("NO_PERMISSIONS", false, 20261207)]
    [InlineData("MANAGE", true, 20261208)]
    public async Task GeneratedVariants_AgainstEveryProtectedRoute_NoneSucceedsOrLeaks(string defaultPermission, bool denyExplicitly, int seed)
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Parse(defaultPermission));
        var victim = await Victim.CreateAsync(server);
        using var mallory = await server.UserAsync("mallory");
        await AuthServer.OkAsync(mallory, HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "mallory-model" });
        if (denyExplicitly)
        {
            using var admin = server.Admin();
            await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", new { experiment_id = victim.ExperimentId, username = "mallory", permission = "NO_PERMISSIONS" });
            await AuthServer.OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/registered-models/permissions/create", new { name = victim.Model, username = "mallory", permission = "NO_PERMISSIONS" });
            await AuthServer.OkAsync(admin, HttpMethod.Post, $"/api/v1/projects/{victim.JobProject}/permissions", new { username = "mallory", permission = "NO_PERMISSIONS" });
        }

        var before = await victim.SnapshotAsync(server);
        var routes = ProtectedRoutes(server).ToList();
        var random = new Random(seed);
        var generator = new ProbeGenerator(random, Victim.Credentials("mallory").ToString());
        var missing = routes.Where(r => RouteTemplates.For(r.Method, r.Suffix, victim, "mallory", random) is null).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(missing.Count == 0, "protected routes with no template (add them to RouteTemplates): " + string.Join(", ", missing));

        var probes = Enumerable.Range(0, Probes).Select(i =>
        {
            var route = routes[i % routes.Count];
            return generator.Make(route.Method, route.Pattern, RouteTemplates.For(route.Method, route.Suffix, victim, "mallory", random)!);
        }).ToList();
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(probes.Chunk(Probes / 4), async (chunk, ct) =>
        {
            await using var http = new RawHttp(server.EndPoint);
            foreach (var probe in chunk)
            {
                var answer = await http.SendAsync(probe.Method, probe.Target, probe.Headers, probe.Body, probe.Chunked, ct);
                statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
                if (Problem(probe, answer, victim) is { } problem)
                {
                    failures.Enqueue($"{problem}: {probe.Method} {probe.Target} [{probe.Recipe}] -> {answer.Status} {Truncate(answer.Text)}");
                }
            }
        });
        var after = await victim.SnapshotAsync(server);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Probes} probes got through or broke the server, e.g.\n" + string.Join('\n', failures.Take(15)));
        Assert.Equal(before, after);
        // The storm must reach the permission check, not only bounce off routing or the request reader.
        Assert.True(statuses.GetValueOrDefault(403) > Probes / 6, "too few probes reached a permission check: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
    }

    [Fact]
    public async Task WithoutCredentials_EveryRouteButThePublicOnes_Is401()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        await using var http = new RawHttp(server.EndPoint);
        // The public ones (/health, the dashboard's shell and files) are listed by RoutePermissionCatalogTests.
        foreach (var route in Routes(server).Where(r => !IsPublic(server, r)))
        {
            var answer = await http.SendAsync(route.Method, route.Pattern.Replace("{**path}", "1/x", StringComparison.Ordinal), [], null, false, CancellationToken.None);

            // A route whose URL is its permission (a multipart part) asks no credentials: a URL it did not sign is refused.
            if (IsSigned(server, route))
            {
                Assert.True(answer.Status is 400 or 403, $"{route.Method} {route.Pattern}: {answer.Status}");
                continue;
            }

            Assert.True(answer.Status == 401, $"{route.Method} {route.Pattern}: {answer.Status}");
            Assert.Equal("Basic realm=\"mlflow\"", answer.Headers["WWW-Authenticate"]);
        }
    }

    private static string? Problem(Probe probe, RawResponse answer, Victim victim)
    {
        if (answer.Status is >= 200 and < 300 && victim.Markers.FirstOrDefault(m => answer.Text.Contains(m, StringComparison.Ordinal)) is { } marker)
        {
            return $"SUCCEEDED on the victim's {marker}";
        }

        if (answer.Status >= 500 && answer.Status != 501)
        {
            return "SERVER ERROR";
        }

        if (Victim.Secrets.FirstOrDefault(secret => answer.Text.Contains(secret, StringComparison.Ordinal)) is { } leaked)
        {
            return $"LEAKED {leaked}";
        }

        if (answer.Status >= 400 && probe.Method != "HEAD" && !IsJsonObject(answer.Body))
        {
            return "ERROR WITHOUT A JSON BODY";
        }

        return null;
    }

    private static bool IsJsonObject(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private sealed record Route(string Method, string Pattern, string Suffix);

    private static IEnumerable<Route> Routes(AuthServer server) =>
        RoutePermissionCatalogTests.Routes(server.App)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new Route(method, endpoint.RoutePattern.RawText!, Suffix(endpoint.RoutePattern.RawText!))));

    private static bool IsPublic(AuthServer server, Route route) =>
        RoutePermissionCatalogTests.Routes(server.App)
            .Single(e => e.RoutePattern.RawText == route.Pattern && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(route.Method) ?? true))
            .Metadata.GetOrderedMetadata<RoutePermission>().All(p => p.Scope == PermissionScope.Public);

    private static bool IsSigned(AuthServer server, Route route) =>
        RoutePermissionCatalogTests.Routes(server.App)
            .Single(e => e.RoutePattern.RawText == route.Pattern && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(route.Method) ?? true))
            .Metadata.GetOrderedMetadata<RoutePermission>().All(p => p.Scope == PermissionScope.SignedUrl);

    // The routes whose permission names a resource or an administrator: what a user without rights must never pass.
    private static IEnumerable<Route> ProtectedRoutes(AuthServer server) =>
        Routes(server).Where(route => RoutePermissionCatalogTests.Routes(server.App)
            .Single(e => e.RoutePattern.RawText == route.Pattern && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(route.Method) ?? true))
            .Metadata.GetOrderedMetadata<RoutePermission>().Any(p => p.Scope is not (PermissionScope.Public or PermissionScope.SignedIn)));

    private static string Suffix(string pattern)
    {
        foreach (var prefix in new[] { "/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts", "/api/2.0/mlflow", "/ajax-api/2.0/mlflow" })
        {
            if (pattern.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return pattern[prefix.Length..];
            }
        }

        return pattern;
    }
}
