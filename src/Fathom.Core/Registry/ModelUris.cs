using System.Globalization;

namespace Fathom.Registry;

/// <summary>
/// MLflow's <c>runs:/&lt;run-id&gt;/&lt;path&gt;</c>, <c>models:/&lt;name&gt;/&lt;version&gt;</c> and
/// <c>models:/&lt;name&gt;@&lt;alias&gt;</c> URIs.
/// </summary>
internal static class ModelUris
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The URI MLflow's clients register a run's model folder by.</summary>
    public static string Runs(string runId, string path) => $"runs:/{runId}/{path.Trim('/')}";

    public static bool TryParseRunsUri(string uri, out string runId, out string path)
    {
        ArgumentNullException.ThrowIfNull(uri);
        runId = path = string.Empty;
        if (!uri.StartsWith("runs:/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = uri["runs:/".Length..].TrimStart('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        runId = slash < 0 ? rest : rest[..slash];
        path = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
        return runId.Length > 0;
    }

    public static bool TryParseModelsUri(string uri, out string name, out long version)
    {
        name = string.Empty;
        version = 0;
        if (ModelsPath(uri) is not { } rest)
        {
            return false;
        }

        var slash = rest.LastIndexOf('/');
        if (slash <= 0 || !long.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            return false;
        }

        name = rest[..slash];
        return true;
    }

    /// <summary>A <c>models:/name@alias</c> URI (the alias after the last <c>@</c>, as MLflow splits it).</summary>
    public static bool TryParseAliasUri(string uri, out string name, out string alias)
    {
        name = alias = string.Empty;
        var rest = ModelsPath(uri);
        var at = rest?.LastIndexOf('@') ?? -1;
        if (rest is null || at <= 0 || at == rest.Length - 1 || rest[(at + 1)..].Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        (name, alias) = (rest[..at], rest[(at + 1)..]);
        return true;
    }

    /// <summary>
    /// A <c>models:/m-&lt;32 hex&gt;</c> URI: MLflow 3's logged model (the id's shape is how MLflow tells it from a
    /// registered model's name).
    /// </summary>
    public static bool TryParseLoggedModelUri(string uri, out string modelId)
    {
        modelId = ModelsPath(uri) ?? string.Empty;
        return IsLoggedModelId(modelId);
    }

    /// <summary>Whether <paramref name="id"/> has the shape of MLflow's logged model ids: <c>m-</c> and 32 lower-case hex digits.</summary>
    public static bool IsLoggedModelId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length == 34 && id.StartsWith("m-", StringComparison.Ordinal) && !id.AsSpan(2).ContainsAnyExcept(LowerHex);
    }

    // What follows models:/ without its surrounding slashes; null for another scheme.
    private static string? ModelsPath(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.StartsWith("models:/", StringComparison.Ordinal) ? uri["models:/".Length..].Trim('/') : null;
    }
}
