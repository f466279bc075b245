using Fathom.Auth;
using Fathom.Http;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Fathom.Server.Tests;

/// <summary>
/// Every route the tracking server maps, read from the server itself rather than from a list kept by hand: each must
/// declare what it asks of its caller, or it would be refused to everyone but administrators (and this test fails).
/// </summary>
public sealed class RoutePermissionCatalogTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-routes-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    public Task InitializeAsync()
    {
        _app = TrackingServerHost.Build(new TrackingServerOptions
        {
            Port = 0,
            Store = StoreLocation.Parse(_folder, "/"),
            ArtifactsDestination = Path.Combine(_folder, "artifacts"),
            Auth = new AuthOptions { Enabled = true, DatabasePath = Path.Combine(_folder, "basic_auth.db"), AdminPassword = "admin-password-1234", HashIterations = 1000 },
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    internal static IReadOnlyList<RouteEndpoint> Routes(WebApplication app) =>
        ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();

    [Fact]
    public void EveryMappedRoute_DeclaresAPermission()
    {
        var routes = Routes(_app);

        var undeclared = routes.Where(r => r.Metadata.GetOrderedMetadata<RoutePermission>().Count == 0).Select(r => r.RoutePattern.RawText).ToList();

        Assert.True(routes.Count > 100, $"only {routes.Count} routes found: the catalogue is not reading the server's routes");
        Assert.Empty(undeclared);
    }

    [Fact]
    public void EveryRouteThatNamesAResource_ReadsItsRequestTheOneWay()
    {
        // A permission that reads the request must find the route's reading rules: otherwise the check could not run.
        var unreadable = Routes(_app)
            .Where(r => r.Metadata.GetOrderedMetadata<RoutePermission>().Any(p => p.Id is not null || p.Ids is not null || p.Verifies is not null))
            .Where(r => r.Metadata.GetMetadata<MlflowRoute>() is null)
            .Select(r => r.RoutePattern.RawText)
            .ToList();

        Assert.Empty(unreadable);
    }

    [Fact]
    public void OnlyHealthAndTheDashboardsFiles_ArePublic()
    {
        // The dashboard's shell and files hold no data: everything it shows comes through the protected routes.
        var open = Routes(_app)
            .Where(r => r.Metadata.GetOrderedMetadata<RoutePermission>().All(p => p.Scope == PermissionScope.Public))
            .Select(r => r.RoutePattern.RawText)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["/", "/assets/{name}", "/health"], open);
    }

    [Fact]
    public void EveryRoute_IsSpelledByItsOwnPattern()
    {
        foreach (var route in Routes(_app))
        {
            var path = "/" + string.Join('/', route.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                _ => "x",
            }))));
            Assert.True(CanonicalRoutes.Spells(path, route.RoutePattern), $"{path} does not spell {route.RoutePattern.RawText}");
            var shouted = path.ToUpperInvariant();
            Assert.False(CanonicalRoutes.Spells(shouted, route.RoutePattern) && !string.Equals(path, shouted, StringComparison.Ordinal), route.RoutePattern.RawText);
            Assert.False(CanonicalRoutes.Spells(path + "/", route.RoutePattern) && route.RoutePattern.PathSegments[^1].Parts is not [Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { IsCatchAll: true }], route.RoutePattern.RawText);
        }
    }
}
