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

    /// <summary>
    /// Validates a log-batch request the way MLflow does: keys, timestamps, duplicate params. Long values are not
    /// refused here: <see cref="LimitValues"/> shortens (or refuses) them first.
    /// </summary>
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

    /// <summary>Validates run tags' keys (their values are shortened or refused by <see cref="LimitValues"/>).</summary>
    public static void ValidateTags(IReadOnlyList<Tag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            ValidateKey(tag.Key, "tag");
        }
    }

    /// <summary>
    /// MLflow's <c>MLFLOW_TRUNCATE_LONG_VALUES</c> as this process found it: on unless set to <c>false</c> or <c>0</c>
    /// (MLflow's default is on since 2.x: its server stores a too-long param or run tag value shortened).
    /// </summary>
    public static bool TruncateLongValues { get; } = ReadTruncateSetting(Environment.GetEnvironmentVariable("MLFLOW_TRUNCATE_LONG_VALUES"));

    /// <summary>Reads the value of <c>MLFLOW_TRUNCATE_LONG_VALUES</c>: true unless it says false (<c>false</c>, <c>0</c>, any case).</summary>
    public static bool ReadTruncateSetting(string? value) =>
        value?.Trim().ToUpperInvariant() is not ("FALSE" or "0");

    /// <summary>
    /// Params longer than <see cref="MaxParamValueLength"/> and run tags longer than <see cref="MaxRunTagValueLength"/>,
    /// shortened to the limit when <paramref name="truncate"/> (MLflow's <c>_validate_length_limit(…, truncate=True)</c>,
    /// which its stores apply to log-param, set-tag and log-batch alike), else refused in MLflow's words. The lists come
    /// back as given when nothing is too long, so the common batch allocates nothing.
    /// </summary>
    public static (IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags) LimitValues(IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, bool truncate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        return (Limit(parameters, p => p.Value, (p, v) => p with { Value = v }, MaxParamValueLength, truncate, _ => "Param value"),
            Limit(tags, t => t.Value, (t, v) => t with { Value = v }, MaxRunTagValueLength, truncate, i => tags.Count == 1 ? "value" : $"tags[{i}].value"));
    }

    /// <summary>
    /// One param or run tag value within <paramref name="limit"/>: shortened when <paramref name="truncate"/>, else
    /// refused as MLflow refuses it, naming the field by <paramref name="path"/> (<c>Param value</c>, <c>value</c>).
    /// </summary>
    public static string LimitValue(string value, int limit, string path, bool truncate)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= limit)
        {
            return value;
        }

        return truncate ? value[..limit] : throw TrackingException.Invalid($"'{path}' exceeds the maximum length of {limit} characters");
    }

    private static IReadOnlyList<T> Limit<T>(IReadOnlyList<T> items, Func<T, string> value, Func<T, string, T> with, int limit, bool truncate, Func<int, string> path)
    {
        List<T>? limited = null;
        for (var i = 0; i < items.Count; i++)
        {
            var text = value(items[i]);
            if (text.Length > limit)
            {
                limited ??= [.. items];
                limited[i] = with(items[i], LimitValue(text, limit, path(i), truncate));
            }
        }

        return limited ?? items;
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
