using System.Data.Common;
using System.Globalization;

namespace Fathom.Tracking;

/// <summary>Logged models (MLflow 3's LoggedModel API) in the tracking database, as MLflow's SQL store keeps them.</summary>
internal abstract partial class SqlTrackingStore : ILoggedModelStore
{
    public async Task<LoggedModel> CreateLoggedModelAsync(LoggedModelCreation creation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(creation);
        var experimentId = ParseExperimentId(creation.ExperimentId);
        ValidatePairs(creation.Tags.Select(t => t.Key), "tag");
        ValidatePairs(creation.Params.Select(p => p.Key), "param");
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Experiment experiment;
        await using (var read = Command(connection, transaction, $"SELECT {ExperimentColumns} FROM experiments WHERE experiment_id = $1;", experimentId))
        {
            experiment = (await ReadExperimentsAsync(connection, transaction, read, cancellationToken)).SingleOrDefault()
                ?? throw TrackingException.NotFound($"No Experiment with id={creation.ExperimentId} exists");
        }

        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw TrackingException.Invalid($"The experiment {creation.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        if (creation.SourceRunId is { } runId)
        {
            // A model names the run that made it; a run of another experiment would let a caller who may write here
            // attach (and later show) someone else's run.
            await using var run = Command(connection, transaction, "SELECT experiment_id FROM runs WHERE run_uuid = $1;", runId);
            var runExperiment = await run.ExecuteScalarAsync(cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
            if (Convert.ToInt64(runExperiment, CultureInfo.InvariantCulture) != experimentId)
            {
                throw TrackingException.Invalid($"Invalid source_run_id '{runId}': the run belongs to another experiment than the model ({creation.ExperimentId}).");
            }
        }

        // MLflow's ids: "m-" and a uuid4's hex; the files go below the experiment's artifacts, apart from the runs'.
        var modelId = "m-" + Guid.NewGuid().ToString("N");
        var name = creation.Name is { Length: > 0 } given ? given : RunNames.Generate(_random);
        var now = NowMs();
        await using (var insert = Command(connection, transaction, """
            INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)
            VALUES ($1, $2, $3, $4, $5, $5, $6, 'active', $7, $8, NULL);
            """, modelId, experimentId, name, ArtifactLocations.Join(experiment.ArtifactLocation, $"models/{modelId}/artifacts"), now,
            LoggedModelStatus.Pending.ToStored(), creation.ModelType, creation.SourceRunId))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertModelParamsAsync(connection, transaction, modelId, creation.Params, cancellationToken);
        await UpsertModelTagsAsync(connection, transaction, modelId, creation.Tags, cancellationToken);
        var model = await ReadLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return model!;
    }

    public async Task<LoggedModel?> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await ReadLoggedModelAsync(connection, null, modelId, cancellationToken);
    }

    public async Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken cancellationToken)
    {
        if (status is not (LoggedModelStatus.Ready or LoggedModelStatus.Failed))
        {
            throw TrackingException.Invalid($"Invalid value '{status.ToWire()}' for parameter 'status': a model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.");
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = Command(connection, transaction,
            "UPDATE logged_models SET status = $1, last_updated_timestamp_ms = $2 WHERE model_id = $3 AND lifecycle_stage = 'active';", status.ToStored(), NowMs(), modelId))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw LoggedModelNotFound(modelId);
            }
        }

        var model = await ReadLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return model!;
    }

    public async Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var update = Command(connection, null,
            "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = $1 WHERE model_id = $2 AND lifecycle_stage = 'active';", NowMs(), modelId);
        if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw LoggedModelNotFound(modelId);
        }
    }

    public async Task<LoggedModel> SetLoggedModelTagsAsync(string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ValidatePairs(tags.Select(t => t.Key), "tag");
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await TouchLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await UpsertModelTagsAsync(connection, transaction, modelId, tags, cancellationToken);
        var model = await ReadLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return model!;
    }

    public async Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await TouchLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await using (var delete = Command(connection, transaction, "DELETE FROM logged_model_tags WHERE model_id = $1 AND key = $2;", modelId, key))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw TrackingException.NotFound($"No tag with key '{key}' found for model with ID '{modelId}'.");
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ValidatePairs(parameters.Select(p => p.Key), "param");
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await TouchLoggedModelAsync(connection, transaction, modelId, cancellationToken);
        await InsertModelParamsAsync(connection, transaction, modelId, parameters, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogLoggedModelMetricsAsync(string runId, IReadOnlyList<LoggedModelMetric> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            return;
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await RequireModelsOfRunExperimentAsync(connection, transaction, runId, metrics.Select(m => m.ModelId), cancellationToken);
        // NaN goes in as NULL (see the schema); an exact repeat of a point is ignored, as the run's metrics do.
        var first = metrics[0];
        await using var insert = Command(connection, transaction, """
            INSERT INTO logged_model_metrics (model_id, key, timestamp, step, run_id, dataset_name, dataset_digest, value)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (model_id, key, timestamp, step, run_id, dataset_name, dataset_digest) DO UPDATE SET value = excluded.value;
            """, first.ModelId, first.Key, first.Timestamp, first.Step, runId, string.Empty, string.Empty, null);
        foreach (var metric in metrics)
        {
            TrackingValidation.ValidateKey(metric.Key, "metric");
            var values = new object?[] { metric.ModelId, metric.Key, metric.Timestamp, metric.Step, runId, metric.DatasetName ?? string.Empty, metric.DatasetDigest ?? string.Empty, StoredValue(metric.Value) };
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LogRunOutputsAsync(string runId, IReadOnlyList<(string ModelId, long Step)> models, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(models);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RequireActiveRunAsync(connection, transaction, runId, cancellationToken);
        await RequireModelsOfRunExperimentAsync(connection, transaction, runId, models.Select(m => m.ModelId), cancellationToken);
        foreach (var (modelId, step) in models)
        {
            await using var insert = Command(connection, transaction,
                "INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES ($1, $2, $3) ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step;", runId, modelId, step);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<LoggedModelsPage> SearchLoggedModelsAsync(LoggedModelSearch search, CancellationToken cancellationToken)
    {
        if (SearchSql.LoggedModels(Dialect, search) is not { } page)
        {
            return new LoggedModelsPage([], null);
        }

        await using var connection = await OpenConnectionAsync(cancellationToken);
        List<LoggedModel> models;
        await using (var command = Command(connection, page.Query))
        {
            models = await ReadLoggedModelsAsync(connection, null, command, cancellationToken);
        }

        var token = PageTokens.NextPage(models, search.MaxResults, page.Offset);
        return new LoggedModelsPage(models, token);
    }

    // NaN is kept as NULL (see the schema); infinities clamped to the largest doubles, as the run metrics store them.
    private static object? StoredValue(double value) => value switch
    {
        double.NaN => null,
        double.PositiveInfinity => double.MaxValue,
        double.NegativeInfinity => double.MinValue,
        _ => value,
    };

    private static TrackingException LoggedModelNotFound(string modelId) =>
        TrackingException.NotFound($"Logged model with ID '{modelId}' not found.");

    private static void ValidatePairs(IEnumerable<string> keys, string what)
    {
        foreach (var key in keys)
        {
            TrackingValidation.ValidateKey(key, what);
        }
    }

    // Every change to a model's tags or params moves its last update, and fails for a model that is not there.
    private async Task TouchLoggedModelAsync(DbConnection connection, DbTransaction transaction, string modelId, CancellationToken cancellationToken)
    {
        await using var touch = Command(connection, transaction,
            "UPDATE logged_models SET last_updated_timestamp_ms = $1 WHERE model_id = $2 AND lifecycle_stage = 'active';", NowMs(), modelId);
        if (await touch.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw LoggedModelNotFound(modelId);
        }
    }

    /// <summary>
    /// Refuses model ids that name no live model or a model of another experiment than the run's: a caller allowed to
    /// write to the run must not attach metrics or outputs to models it may not see.
    /// </summary>
    private async Task RequireModelsOfRunExperimentAsync(DbConnection connection, DbTransaction transaction, string runId, IEnumerable<string> modelIds, CancellationToken cancellationToken)
    {
        await using var run = Command(connection, transaction, "SELECT experiment_id FROM runs WHERE run_uuid = $1;", runId);
        var experiment = await run.ExecuteScalarAsync(cancellationToken) ?? throw TrackingException.NotFound($"Run with id={runId} not found");
        foreach (var modelId in modelIds.Distinct(StringComparer.Ordinal))
        {
            await using var model = Command(connection, transaction, "SELECT experiment_id FROM logged_models WHERE model_id = $1 AND lifecycle_stage = 'active';", modelId);
            var owner = await model.ExecuteScalarAsync(cancellationToken) ?? throw LoggedModelNotFound(modelId);
            if (Convert.ToInt64(owner, CultureInfo.InvariantCulture) != Convert.ToInt64(experiment, CultureInfo.InvariantCulture))
            {
                throw TrackingException.Invalid($"Invalid model_id '{modelId}': the model belongs to another experiment than the run {runId}.");
            }
        }
    }

    private async Task InsertModelParamsAsync(DbConnection connection, DbTransaction transaction, string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken)
    {
        foreach (var param in parameters)
        {
            var value = TrackingValidation.LimitValue(param.Value, TrackingValidation.MaxParamValueLength, "Param value", TrackingValidation.TruncateLongValues);
            await using var insert = Command(connection, transaction,
                "INSERT INTO logged_model_params (model_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (model_id, key) DO NOTHING;", modelId, param.Key, value);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                continue;
            }

            // Write-once, as a run's params are (MLflow's rule): the same value again is fine, another one is refused.
            await using var existing = Command(connection, transaction, "SELECT value FROM logged_model_params WHERE model_id = $1 AND key = $2;", modelId, param.Key);
            var old = (string)(await existing.ExecuteScalarAsync(cancellationToken))!;
            if (old != value)
            {
                throw TrackingException.Invalid(
                    $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{old}' for model ID='{modelId}'. Attempted logging new value '{value}'.");
            }
        }
    }

    private async Task UpsertModelTagsAsync(DbConnection connection, DbTransaction transaction, string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            var value = TrackingValidation.LimitValue(tag.Value ?? string.Empty, TrackingValidation.MaxRunTagValueLength, "Tag value", TrackingValidation.TruncateLongValues);
            await using var upsert = Command(connection, transaction,
                "INSERT INTO logged_model_tags (model_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value;", modelId, tag.Key, value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<LoggedModel?> ReadLoggedModelAsync(DbConnection connection, DbTransaction? transaction, string modelId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, $"SELECT {SearchSql.LoggedModelColumns} FROM logged_models m WHERE m.model_id = $1 AND m.lifecycle_stage = 'active';", modelId);
        return (await ReadLoggedModelsAsync(connection, transaction, read, cancellationToken)).SingleOrDefault();
    }
}
