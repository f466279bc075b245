using Fathom.Auth;
using Fathom.Mlflow;
using Microsoft.Net.Http.Headers;

namespace Fathom.Dashboard;

/// <summary>
/// The dashboard: a static shell at <c>/</c> and its files under <c>/assets/</c>, both public (they hold no data);
/// every piece of data the page shows comes from the MLflow routes, which check the caller as for any client. Pages
/// are hash routes (<c>/#/experiments/1</c>), so a deep link always loads the shell, and every URL the page uses is
/// relative, so the dashboard works under whatever path prefix a reverse proxy puts it.
/// </summary>
internal static class DashboardApi
{
    // The page runs only its own files: no inline script, nothing from elsewhere. Images from blob: are artifact previews.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app, bool authEnabled)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assets = DashboardAssets.Load();
        // The shell tells the page whether to ask for a sign-in; the flag is baked in once, so its ETag stays fixed.
        var shell = DashboardAsset.Create("index.html", System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(assets.Find("index.html")!.Plain).Replace("{{auth}}", authEnabled ? "on" : "off", StringComparison.Ordinal)));
        app.MapGet("/", (HttpContext context) => ServeAsync(context, shell))
            .WithMetadata(RoutePermission.Public).WithTags("dashboard");
        app.MapGet("/assets/{name}", (HttpContext context, string name) =>
                name != "index.html" && assets.Find(name) is { } asset ? ServeAsync(context, asset) : NotFoundAsync(context, name))
            .WithMetadata(RoutePermission.Public).WithTags("dashboard");
        return app;
    }

    private static Task ServeAsync(HttpContext context, DashboardAsset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        // Revalidated on every load (a 304 when unchanged): a server upgrade is seen at once, and the files' names stay plain for ES module imports.
        response.Headers.CacheControl = "no-cache";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var accepts = context.Request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = Accepts(accepts, "br") ? (asset.Brotli, "br") : Accepts(accepts, "gzip") ? (asset.Gzip, "gzip") : (asset.Plain, null);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // "br", "gzip;q=0.5" accepted; "br;q=0" refused.
    private static bool Accepts(string header, string coding) =>
        header.Split(',').Select(part => part.Trim()).Any(part =>
            part.Split(';')[0].Trim().Equals(coding, StringComparison.OrdinalIgnoreCase) && !part.Replace(" ", "", StringComparison.Ordinal).EndsWith(";q=0", StringComparison.Ordinal));

    private static Task NotFoundAsync(HttpContext context, string name) =>
        MlflowErrors.WriteAsync(context.Response, "RESOURCE_DOES_NOT_EXIST", $"The dashboard has no file named '{name}'.", StatusCodes.Status404NotFound, context.RequestAborted);
}
