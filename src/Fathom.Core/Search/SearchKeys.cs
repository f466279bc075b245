namespace Fathom.Search;

/// <summary>MLflow's searchable and orderable attribute keys, with their aliases resolved to one name.</summary>
internal static class SearchKeys
{
    public static readonly IReadOnlyList<string> EntityNames = ["metric", "parameter", "tag", "attribute", "dataset"];

    // Runs: string attributes take =, !=, LIKE, ILIKE (and IN / NOT IN for run_id); numeric ones the order comparators.
    public static readonly IReadOnlyList<string> RunStringAttributes = ["run_id", "run_name", "user_id", "status", "artifact_uri"];

    public static readonly IReadOnlyList<string> RunNumericAttributes = ["start_time", "end_time"];

    public static readonly IReadOnlyList<string> ExperimentStringAttributes = ["name"];

    public static readonly IReadOnlyList<string> ExperimentNumericAttributes = ["creation_time", "last_update_time"];

    public static readonly IReadOnlyList<string> ExperimentOrderAttributes = ["name", "experiment_id", "creation_time", "last_update_time"];

    public static readonly IReadOnlyList<string> DatasetKeys = ["name", "digest", "context"];

    // The registry's keys (MLflow's SearchRegisteredModels and SearchModelVersions).
    public static readonly IReadOnlyList<string> RegisteredModelAttributes = ["name"];

    public static readonly IReadOnlyList<string> RegisteredModelOrderAttributes = ["name", "last_updated_timestamp"];

    public static readonly IReadOnlyList<string> ModelVersionStringAttributes = ["name", "run_id", "source_path"];

    public static readonly IReadOnlyList<string> ModelVersionNumericAttributes = ["version_number"];

    public static readonly IReadOnlyList<string> ModelVersionOrderAttributes = ["name", "version_number", "creation_timestamp", "last_updated_timestamp"];

    // Traces (MLflow's SearchTraceUtils): name and run_id stand for the tag mlflow.traceName and the request metadata
    // mlflow.sourceRun; timestamp and execution_time are aliases of the _ms columns.
    public static readonly IReadOnlyList<string> TraceEntityNames = ["tag", "attribute", "request_metadata"];

    public static readonly IReadOnlyList<string> TraceStringAttributes = ["request_id", "status", "name", "run_id"];

    public static readonly IReadOnlyList<string> TraceNumericAttributes = ["timestamp_ms", "execution_time_ms"];

    public static readonly IReadOnlyList<string> TraceOrderAttributes = ["experiment_id", "timestamp_ms", "execution_time_ms", "status", "request_id", "name", "run_id"];

    // Logged models (MLflow's SearchLoggedModels): their attributes, with MLflow's *_time aliases of the timestamps.
    public static readonly IReadOnlyList<string> LoggedModelEntityNames = ["metric", "parameter", "tag", "attribute"];

    public static readonly IReadOnlyList<string> LoggedModelStringAttributes = ["model_id", "name", "model_type", "status", "source_run_id"];

    public static readonly IReadOnlyList<string> LoggedModelNumericAttributes = ["creation_timestamp", "last_updated_timestamp"];

    public static SearchEntity? Entity(string name, SearchTarget target)
    {
        if (target == SearchTarget.Traces)
        {
            return name switch
            {
                "tag" or "tags" => SearchEntity.Tag,
                "attribute" or "attributes" or "trace" => SearchEntity.Attribute,
                "request_metadata" or "metadata" => SearchEntity.RequestMetadata,
                _ => null,
            };
        }

        SearchEntity? entity = name.ToLowerInvariant() switch
        {
            "metric" or "metrics" => SearchEntity.Metric,
            "parameter" or "parameters" or "param" or "params" => SearchEntity.Param,
            "tag" or "tags" => SearchEntity.Tag,
            "attribute" or "attributes" or "attr" or "run" => SearchEntity.Attribute,
            "dataset" or "datasets" => SearchEntity.Dataset,
            _ => null,
        };
        if (target == SearchTarget.LoggedModels)
        {
            return entity == SearchEntity.Dataset ? null : entity;
        }

        return target != SearchTarget.Runs && entity is not (SearchEntity.Tag or SearchEntity.Attribute) ? null : entity;
    }

    /// <summary>The canonical attribute name (<c>created</c> is <c>start_time</c>, <c>Run name</c> is <c>run_name</c>), or null.</summary>
    public static string? Attribute(string key, SearchTarget target)
    {
        if (target == SearchTarget.Experiments)
        {
            return ExperimentStringAttributes.Contains(key) || ExperimentNumericAttributes.Contains(key) ? key : null;
        }

        if (target == SearchTarget.RegisteredModels)
        {
            return RegisteredModelAttributes.Contains(key) ? key : null;
        }

        if (target == SearchTarget.ModelVersions)
        {
            return ModelVersionStringAttributes.Contains(key) || ModelVersionNumericAttributes.Contains(key) ? key : null;
        }

        if (target == SearchTarget.LoggedModels)
        {
            var model = LoggedModelAlias(key);
            return LoggedModelStringAttributes.Contains(model) || LoggedModelNumericAttributes.Contains(model) ? model : null;
        }

        if (target == SearchTarget.Traces)
        {
            var trace = TraceAlias(key);
            return TraceStringAttributes.Contains(trace) || TraceNumericAttributes.Contains(trace) ? trace : null;
        }

        var canonical = key switch
        {
            "created" or "Created" => "start_time",
            "run name" or "Run name" or "Run Name" => "run_name",
            _ => key,
        };
        return RunStringAttributes.Contains(canonical) || RunNumericAttributes.Contains(canonical) ? canonical : null;
    }

    public static bool IsNumericAttribute(string key, SearchTarget target) => target switch
    {
        SearchTarget.Runs => RunNumericAttributes.Contains(key),
        SearchTarget.Experiments => ExperimentNumericAttributes.Contains(key),
        SearchTarget.ModelVersions => ModelVersionNumericAttributes.Contains(key),
        SearchTarget.Traces => TraceNumericAttributes.Contains(key),
        SearchTarget.LoggedModels => LoggedModelNumericAttributes.Contains(key),
        _ => false,
    };

    public static string ValidAttributes(SearchTarget target) => target switch
    {
        SearchTarget.Runs => string.Join("', '", RunStringAttributes.Concat(RunNumericAttributes)),
        SearchTarget.Experiments => string.Join("', '", ExperimentStringAttributes.Concat(ExperimentNumericAttributes)),
        SearchTarget.RegisteredModels => string.Join("', '", RegisteredModelAttributes),
        SearchTarget.Traces => string.Join("', '", TraceStringAttributes.Concat(TraceNumericAttributes)),
        SearchTarget.LoggedModels => string.Join("', '", LoggedModelStringAttributes.Concat(LoggedModelNumericAttributes)),
        _ => string.Join("', '", ModelVersionStringAttributes.Concat(ModelVersionNumericAttributes)),
    };

    /// <summary>
    /// The canonical order-by attribute for targets whose orderable keys differ from their filter keys (null for runs,
    /// which order by their filter attributes). MLflow accepts <c>timestamp</c> for a registered model's last update.
    /// </summary>
    public static string? OrderAttribute(string key, SearchTarget target) => target switch
    {
        SearchTarget.Experiments => ExperimentOrderAttributes.Contains(key) ? key : null,
        SearchTarget.RegisteredModels => key == "timestamp" ? "last_updated_timestamp" : RegisteredModelOrderAttributes.Contains(key) ? key : null,
        SearchTarget.ModelVersions => ModelVersionOrderAttributes.Contains(key) ? key : null,
        SearchTarget.Traces => TraceOrderAttributes.Contains(TraceAlias(key)) ? TraceAlias(key) : null,
        _ => Attribute(key, target),
    };

    public static string ValidOrderAttributes(SearchTarget target) => target switch
    {
        SearchTarget.Experiments => string.Join("', '", ExperimentOrderAttributes),
        SearchTarget.RegisteredModels => string.Join("', '", RegisteredModelOrderAttributes.Prepend("timestamp")),
        SearchTarget.ModelVersions => string.Join("', '", ModelVersionOrderAttributes),
        SearchTarget.Traces => string.Join("', '", TraceOrderAttributes),
        _ => ValidAttributes(target),
    };

    private static string LoggedModelAlias(string key) => key switch
    {
        "creation_time" => "creation_timestamp",
        "last_updated_time" => "last_updated_timestamp",
        _ => key,
    };

    private static string TraceAlias(string key) => key switch
    {
        "timestamp" => "timestamp_ms",
        "execution_time" => "execution_time_ms",
        _ => key,
    };
}
