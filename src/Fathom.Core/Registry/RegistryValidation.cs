using System.Text.RegularExpressions;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>MLflow's registry rules for names, tags, aliases and sources, so clients get MLflow's refusals.</summary>
internal static partial class RegistryValidation
{
    /// <summary>Longest registered-model or model-version tag value (MLflow's MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, not truncated).</summary>
    public const int MaxTagValueLength = 5000;

    /// <summary>Longest alias.</summary>
    public const int MaxAliasLength = 255;

    [GeneratedRegex(@"^[\w\-]*$")]
    private static partial Regex AliasCharacters();

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex VersionAlias();

    public static void ValidateModelName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw TrackingException.Invalid("Registered model name cannot be empty.");
        }
    }

    public static void ValidateTag(Tag tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingValidation.ValidateKey(tag.Key, "tag");
        // MLflow's _validate_registered_model_tag and _validate_model_version_tag refuse, never shorten.
        TrackingValidation.LimitValue(tag.Value ?? string.Empty, MaxTagValueLength, "value", truncate: false);
    }

    public static void ValidateAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw TrackingException.Invalid("Registered model alias name cannot be empty.");
        }

        if (!AliasCharacters().IsMatch(alias))
        {
            throw TrackingException.Invalid($"Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
        }

        if (alias.Length > MaxAliasLength)
        {
            throw TrackingException.Invalid($"Registered model alias name '{alias[..40]}…' is {alias.Length} characters long; the limit is {MaxAliasLength}.");
        }

        // 'latest' and 'v<N>' would be ambiguous with MLflow's models:/<name>@latest and version URIs.
        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase))
        {
            throw TrackingException.Invalid("'latest' alias name (case insensitive) is reserved.");
        }

        if (VersionAlias().IsMatch(alias))
        {
            throw TrackingException.Invalid($"Version alias name '{alias}' is reserved.");
        }
    }

    /// <summary>
    /// Refuses sources that could escape the folder they name once resolved (<c>..</c> segments, NUL bytes), as
    /// MLflow's server does for every source scheme.
    /// </summary>
    public static void ValidateSource(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw TrackingException.Invalid("Missing value for required parameter 'source'. See the API docs for more information about request parameters.");
        }

        var path = source.Split('?', '#')[0];
        var decoded = Uri.UnescapeDataString(path);
        if (decoded.Contains('\0', StringComparison.Ordinal) || decoded.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw TrackingException.Invalid(
                $"Invalid model version source: '{source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.");
        }
    }

    /// <summary>A version number from the wire: MLflow's versions are strings holding positive integers.</summary>
    public static long ParseVersion(string? version) =>
        long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw TrackingException.Invalid($"Parameter 'version' must be an integer, got '{version}'.");
}
