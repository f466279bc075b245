using System.Text.RegularExpressions;

namespace Fathom.Tracking;

/// <summary>MLflow's rules for names and values, so a client gets the same refusals from Fathom as from MLflow.</summary>
public static partial class TrackingValidation
{
    /// <summary>Most runs or experiments one search page may ask for (MLflow's SEARCH_MAX_RESULTS_THRESHOLD).</summary>
    public const int MaxSearchResults = 50_000;

    /// <summary>Refuses a run or experiment search page size outside 1..<see cref="MaxSearchResults"/>, in MLflow's words.</summary>
    public static void ValidateSearchMaxResults(int maxResults)
    {
        if (maxResults is < 1 or > MaxSearchResults)
        {
            throw TrackingException.Invalid(
                $"Invalid value {maxResults} for parameter 'max_results' supplied. It must be at most {MaxSearchResults} and at least 1.");
        }
    }

    /// <summary>Longest metric, param or tag key.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>Longest param value (MLflow 2.8+).</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>Longest run tag value (MLflow 2.17+).</summary>
    public const int MaxRunTagValueLength = 8000;

    /// <summary>Longest experiment tag value.</summary>
    public const int MaxExperimentTagValueLength = 5000;

    /// <summary>Longest experiment name.</summary>
    public const int MaxExperimentNameLength = 500;

    [GeneratedRegex(@"^[/\w.\- :]*$")]
    private static partial Regex KeyCharacters();

    /// <summary>Throws INVALID_PARAMETER_VALUE when a key breaks MLflow's key-name rule.</summary>
    public static void ValidateKey(string? key, string what)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw TrackingException.Invalid($"Invalid {what} name: ''. A key name must be provided.");
        }

        if (key.Length > MaxKeyLength)
        {
            throw TrackingException.Invalid($"{Capitalise(what)} name '{key[..40]}…' is {key.Length} characters long; the limit is {MaxKeyLength}.");
        }

        if (!KeyCharacters().IsMatch(key))
        {
            throw TrackingException.Invalid(
                $"Invalid {what} name: '{key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).");
        }

        if (!IsNormalisedPath(key))
        {
            throw TrackingException.Invalid($"Invalid {what} name: '{key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '{NormalisePath(key)}'");
        }
    }

    /// <summary>Throws when a value is longer than its limit.</summary>
    public static void ValidateLength(string value, int limit, string what, string key)
    {
        if (value.Length > limit)
        {
            throw TrackingException.Invalid(
                $"{Capitalise(what)} value for key '{key}' is {value.Length} characters long, which exceeds the limit of {limit} characters.");
        }
    }

    /// <summary>Validates a log-batch request the way MLflow does: keys, timestamps, lengths, duplicate params.</summary>
    public static void ValidateBatch(IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        // MLflow's stores refuse a bigger batch whoever sends it, so the embedded stores and a server agree.
        CheckBatchLimit(metrics.Count, MaxBatchMetrics, "metrics");
        CheckBatchLimit(parameters.Count, MaxBatchParams, "params");
        CheckBatchLimit(tags.Count, MaxBatchTags, "tags");
        CheckBatchLimit(metrics.Count + parameters.Count + tags.Count, MaxBatchItems, "metrics, params, and tags");
        // A batch repeats a few keys many times; each distinct key is checked once, not a regex and a path
        // normalisation for every one of a batch's 1,000 points.
        var validKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (validKeys.Add(metric.Key))
            {
                ValidateKey(metric.Key, "metric");
            }

            if (metric.Timestamp < 0)
            {
                throw TrackingException.Invalid($"Got invalid timestamp {metric.Timestamp} for metric '{metric.Key}'. Timestamp must be a nonnegative long (64-bit integer).");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            ValidateKey(param.Key, "parameter");
            ValidateLength(param.Value, MaxParamValueLength, "param", param.Key);
            if (!seen.Add(param.Key))
            {
                throw TrackingException.Invalid($"Duplicate parameter keys have been submitted: ['{param.Key}']. Please ensure the request contains only one param value per param key.");
            }
        }

        ValidateTags(tags);
    }

    /// <summary>MLflow's log-batch limits (mlflow/utils/validation.py).</summary>
    public const int MaxBatchMetrics = 1000;

    /// <inheritdoc cref="MaxBatchMetrics"/>
    public const int MaxBatchParams = 100;

    /// <inheritdoc cref="MaxBatchMetrics"/>
    public const int MaxBatchTags = 100;

    /// <inheritdoc cref="MaxBatchMetrics"/>
    public const int MaxBatchItems = 1000;

    private static void CheckBatchLimit(int count, int limit, string what)
    {
        if (count > limit)
        {
            throw TrackingException.Invalid(
                $"A batch logging request can contain at most {limit} {what}. Got {count} {what}. Please split up {what} across multiple requests and try again.");
        }
    }

    /// <summary>Validates run tags' keys and value lengths.</summary>
    public static void ValidateTags(IReadOnlyList<Tag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            ValidateKey(tag.Key, "tag");
            ValidateLength(tag.Value, MaxRunTagValueLength, "tag", tag.Key);
        }
    }

    /// <summary>Throws when an experiment name is empty or too long.</summary>
    public static void ValidateExperimentName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw TrackingException.Invalid("Invalid experiment name: ''. An experiment name must be a non-empty string.");
        }

        if (name.Length > MaxExperimentNameLength)
        {
            throw TrackingException.Invalid($"Experiment name is {name.Length} characters long; the limit is {MaxExperimentNameLength}.");
        }
    }

    // MLflow rejects a key whose posixpath.normpath differs from it, and "." and names starting with ".." or "/".
    private static bool IsNormalisedPath(string key) =>
        key != "." && !key.StartsWith("..", StringComparison.Ordinal) && !key.StartsWith('/') && NormalisePath(key) == key;

    private static string NormalisePath(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else
            {
                parts.Add(part);
            }
        }

        var joined = string.Join('/', parts);
        return path.StartsWith('/') ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
