using Microsoft.AspNetCore.Routing.Patterns;

namespace Fathom.Http;

/// <summary>
/// Routing in ASP.NET ignores letter case and a trailing slash; MLflow's Flask routing, and every client, spell a
/// route one way. After routing has chosen the endpoint, a request whose path does not spell the route exactly as
/// mapped (case, trailing or doubled slashes) is answered 404 and goes no further: there is one spelling of each route,
/// so nothing downstream (permissions, logs, limits) can be shown a second one. Percent-encoding is decoded once, by
/// the server, before routing; an encoded slash never matches a route. Method names, too, are taken as spelled.
/// </summary>
internal sealed class CanonicalRoutes(RequestDelegate next, ErrorShape errors)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint && !Spells(context.Request.Path.Value ?? "", endpoint.RoutePattern))
        {
            context.SetEndpoint(null);
            await errors.WriteAsync(context, StatusCodes.Status404NotFound, $"No route matches {context.Request.Method} {context.Request.Path}; routes are spelled as documented, in lower case, with no trailing slash.");
            return;
        }

        // Method names are case-sensitive (RFC 9110), routing's match of them is not: "get" is no GET.
        if (context.GetEndpoint() is RouteEndpoint { Metadata: var metadata } && metadata.GetMetadata<HttpMethodMetadata>() is { } methods
            && !methods.HttpMethods.Contains(context.Request.Method, StringComparer.Ordinal))
        {
            context.SetEndpoint(null);
            await errors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"{context.Request.Method} is not allowed on {context.Request.Path}; use {string.Join(" or ", methods.HttpMethods)}.");
            return;
        }

        await next(context);
    }

    /// <summary>True when <paramref name="path"/> spells <paramref name="pattern"/>'s literal segments exactly.</summary>
    public static bool Spells(string path, RoutePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.PathSegments.Count == 0)
        {
            return path == "/";
        }

        var segments = path.Split('/');
        if (segments[0].Length != 0)
        {
            return false;
        }

        var at = 1;
        foreach (var segment in pattern.PathSegments)
        {
            if (segment.Parts is [RoutePatternParameterPart { IsCatchAll: true }])
            {
                return true; // the rest is the route's own value, which its handler normalises (artifact paths)
            }

            if (at >= segments.Length)
            {
                // The path ended: fine only where what is left of the route may be left out ("/docs/{document?}").
                return pattern.PathSegments.SkipWhile(s => s != segment).All(s => s.Parts is [RoutePatternParameterPart { IsOptional: true } or RoutePatternParameterPart { IsCatchAll: true }]);
            }

            var actual = segments[at++];
            var spelled = segment.Parts switch
            {
                [RoutePatternLiteralPart literal] => string.Equals(actual, literal.Content, StringComparison.Ordinal),
                // An optional last value may be empty: the docs page is served at "/docs/" (its assets are relative to it).
                [RoutePatternParameterPart parameter] => actual.Length > 0 || (parameter.IsOptional && at == segments.Length),
                _ => SpellsComplex(actual, segment.Parts), // e.g. the OpenAPI document's {documentName}.json
            };
            if (!spelled)
            {
                return false;
            }
        }

        return at == segments.Length;
    }

    // A segment of literals and parameters: the literals, in order and exactly spelled, with something for each parameter.
    private static bool SpellsComplex(string actual, IReadOnlyList<RoutePatternPart> parts)
    {
        var pattern = string.Concat(parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => System.Text.RegularExpressions.Regex.Escape(literal.Content),
            RoutePatternParameterPart => ".+?",
            _ => System.Text.RegularExpressions.Regex.Escape(((RoutePatternSeparatorPart)part).Content),
        }));
        return System.Text.RegularExpressions.Regex.IsMatch(actual, "^" + pattern + "$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
