namespace Fathom.Tracking;

/// <summary>How a run starts.</summary>
public sealed record RunOptions
{
    /// <summary>The run's name; a readable one is generated when null.</summary>
    public string? RunName { get; init; }

    /// <summary>Extra tags set at start.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Input data by name (e.g. "train" → a folder): each is content-hashed at start, DVC's way, and recorded
    /// as tag <c>fathom.data.&lt;name&gt;</c> and as an input data set of the run.
    /// </summary>
    public IReadOnlyDictionary<string, string> DataInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Record git, command, user, host and runtime tags at start (default true).</summary>
    public bool CaptureLineage { get; init; } = true;

    /// <summary>The folder git is read from; the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// An existing run to log into instead of a new one, as MLflow's <c>start_run(run_id=…)</c>: it is set RUNNING again
    /// and keeps its experiment and name. When null, the <c>MLFLOW_RUN_ID</c> environment variable is honoured as MLflow
    /// honours it, so a launcher (<c>fathom tune</c>) can hand each trial process the run it made for it.
    /// </summary>
    public string? RunId { get; init; }
}
