namespace Fathom.Tracking;

/// <summary>
/// The logged models a tracking store keeps (MLflow 3's LoggedModel API, which its clients call from <c>log_model()</c>
/// and <c>load_model()</c>). A store that has them implements this beside <see cref="ITrackingStore"/>; the server
/// answers the <c>/mlflow/logged-models</c> routes from it. A deleted model is gone to every call but search's filters.
/// </summary>
internal interface ILoggedModelStore
{
    /// <summary>
    /// Records a PENDING model in an active experiment with a fresh id, its artifact location below the experiment's,
    /// and a generated name when none is given. A source run must exist and belong to the same experiment.
    /// </summary>
    Task<LoggedModel> CreateLoggedModelAsync(LoggedModelCreation creation, CancellationToken cancellationToken);

    /// <summary>The model with this id with its tags, params and metrics, or null (also when deleted).</summary>
    Task<LoggedModel?> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Sets the model's status (READY or FAILED once its upload ended).</summary>
    Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken cancellationToken);

    /// <summary>Marks the model deleted (MLflow's soft delete): it is no longer found; its files are left to the artifact store.</summary>
    Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Sets (upserts) tags on the model.</summary>
    Task<LoggedModel> SetLoggedModelTagsAsync(string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Removes a tag; an absent tag is RESOURCE_DOES_NOT_EXIST.</summary>
    Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken cancellationToken);

    /// <summary>Logs params on the model: write-once, as a run's are (the same value again is accepted).</summary>
    Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Links metric points logged on a run to models of the run's experiment (exact repeats ignored), in one transaction.
    /// A model that does not exist, or belongs to another experiment, is refused.
    /// </summary>
    Task LogLoggedModelMetricsAsync(string runId, IReadOnlyList<LoggedModelMetric> metrics, CancellationToken cancellationToken);

    /// <summary>Records models as outputs of a run (MLflow's LogOutputs); the models must belong to the run's experiment.</summary>
    Task LogRunOutputsAsync(string runId, IReadOnlyList<(string ModelId, long Step)> models, CancellationToken cancellationToken);

    /// <summary>Models of the given experiments matching the filter, in the requested order, one page at a time.</summary>
    Task<LoggedModelsPage> SearchLoggedModelsAsync(LoggedModelSearch search, CancellationToken cancellationToken);
}
