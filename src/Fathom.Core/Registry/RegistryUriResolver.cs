using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>
/// The version a registry URI names right now, as MLflow reads them: <c>models:/name/3</c>, <c>models:/name@alias</c>,
/// <c>models:/name/Production</c> (the newest version in that stage) and <c>models:/name/latest</c>. An endpoint asks
/// this again and again, so that a moved alias or a stage transition is seen.
/// </summary>
internal static class RegistryUriResolver
{
    /// <summary>The model name the URI names (for permissions), or null when it is no registry URI.</summary>
    public static string? ModelName(string uri)
    {
        if (ModelUris.TryParseAliasUri(uri, out var aliased, out _))
        {
            return aliased;
        }

        if (ModelUris.TryParseModelsUri(uri, out var name, out _))
        {
            return name;
        }

        var rest = uri.StartsWith("models:/", StringComparison.Ordinal) ? uri["models:/".Length..].Trim('/') : null;
        return rest is not null && rest.LastIndexOf('/') is > 0 and var slash ? rest[..slash] : null;
    }

    public static async Task<ModelVersion> ResolveAsync(IModelRegistryStore registry, string uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(uri);
        if (ModelUris.TryParseAliasUri(uri, out var aliased, out var alias))
        {
            // MLflow's alias lookup says "alias not found" for a model that does not exist either; say which is missing.
            _ = await registry.GetRegisteredModelAsync(aliased, cancellationToken) ?? throw RegistryErrors.ModelNotFound(aliased);
            return await registry.GetModelVersionByAliasAsync(aliased, alias, cancellationToken);
        }

        if (ModelUris.TryParseModelsUri(uri, out var name, out var number))
        {
            return await registry.GetModelVersionAsync(name, number, cancellationToken) ?? throw RegistryErrors.VersionNotFound(name, number);
        }

        var rest = uri.StartsWith("models:/", StringComparison.Ordinal) ? uri["models:/".Length..].Trim('/') : string.Empty;
        if (rest.LastIndexOf('/') is > 0 and var slash)
        {
            var (model, stage) = (rest[..slash], rest[(slash + 1)..]);
            var stages = string.Equals(stage, "latest", StringComparison.OrdinalIgnoreCase) ? (IReadOnlyList<string>)[] : [stage];
            var latest = await registry.GetLatestVersionsAsync(model, stages, cancellationToken);
            return latest.MaxBy(v => v.Version)
                ?? throw TrackingException.NotFound($"Registered model '{model}' has no version in stage '{stage}'.");
        }

        throw TrackingException.Invalid($"'{uri}' names no model version: write models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/<stage>.");
    }

    /// <summary>A version of the model <paramref name="uri"/> names (for a canary split's fixed versions).</summary>
    public static async Task<ModelVersion> VersionOfAsync(IModelRegistryStore registry, string uri, long version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var name = ModelName(uri) ?? throw TrackingException.Invalid($"'{uri}' names no registered model.");
        return await registry.GetModelVersionAsync(name, version, cancellationToken)
            ?? throw TrackingException.NotFound($"Registered model '{name}' has no version {version.ToString(CultureInfo.InvariantCulture)}.");
    }
}
