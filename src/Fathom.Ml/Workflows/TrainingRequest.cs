using Fathom.Sentiment;

namespace Fathom.Workflows;

/// <summary>What <c>fathom train</c> asks for.</summary>
/// <param name="DataPath">A review folder (layout root, split folder) or a <c>*.jsonl.gz</c> file.</param>
/// <param name="TestPath">Test data; when null and <paramref name="DataPath"/> has a <c>test</c> split, that split.</param>
/// <param name="Experiment">The experiment the run goes to.</param>
/// <param name="Options">The training hyperparameters.</param>
/// <param name="RunName">The run's name; generated when null.</param>
/// <param name="ModelOutput">A folder to also write the model folder to (a pipeline stage's output), besides the run's artifact.</param>
/// <param name="Config">The Hydra-style config the run was composed from: its params and <c>.hydra</c> files are logged with the run.</param>
internal sealed record TrainingRequest(string DataPath, string? TestPath, string Experiment, SentimentTrainingOptions Options, string? RunName = null, string? ModelOutput = null, Config.HydraRun? Config = null);
