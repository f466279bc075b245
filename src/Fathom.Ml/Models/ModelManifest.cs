namespace Fathom.Models;

/// <summary>The validated content of a model folder's <c>MLmodel</c> file (MLflow's model manifest).</summary>
/// <param name="ArtifactPath">MLflow's <c>artifact_path</c>: the model's folder name within its run's artifacts.</param>
/// <param name="ModelUuid">MLflow's <c>model_uuid</c>: 32 hex digits, new for every saved model.</param>
/// <param name="RunId">The run that produced the model, or null for a model saved outside a run.</param>
/// <param name="UtcTimeCreated">When the model was saved (UTC).</param>
/// <param name="ModelFile">The ML.NET model file, relative to the folder (<c>flavors.mlnet.model_file</c>).</param>
/// <param name="MlnetVersion">The ML.NET version that wrote it (<c>flavors.mlnet.mlnet_version</c>).</param>
/// <param name="Metrics">The training metrics (<c>metadata.metrics</c>).</param>
/// <param name="TrainingOptions">The training options as run params (<c>metadata.training_options</c>).</param>
internal sealed record ModelManifest(
    string ArtifactPath,
    string ModelUuid,
    string? RunId,
    DateTimeOffset UtcTimeCreated,
    string ModelFile,
    string MlnetVersion,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> TrainingOptions);
