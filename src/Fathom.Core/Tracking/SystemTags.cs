namespace Fathom.Tracking;

/// <summary>Tag keys with a meaning: MLflow's own, so MLflow's UI and clients read them, and Fathom's lineage tags.</summary>
public static class SystemTags
{
    /// <summary>The run's name, mirrored from the run's info.</summary>
    public const string RunName = "mlflow.runName";

    /// <summary>Who started the run.</summary>
    public const string User = "mlflow.user";

    /// <summary>The program that ran.</summary>
    public const string SourceName = "mlflow.source.name";

    /// <summary>LOCAL, JOB, PROJECT, NOTEBOOK or UNKNOWN.</summary>
    public const string SourceType = "mlflow.source.type";

    /// <summary>The git commit of the code.</summary>
    public const string GitCommit = "mlflow.source.git.commit";

    /// <summary>The git branch of the code.</summary>
    public const string GitBranch = "mlflow.source.git.branch";

    /// <summary>The git remote the code came from.</summary>
    public const string GitRepoUrl = "mlflow.source.git.repoURL";

    /// <summary>A free-text description of the run.</summary>
    public const string Note = "mlflow.note.content";

    /// <summary>The JSON list of the MLmodel descriptions logged to the run (MLflow's LogModel appends to it).</summary>
    public const string LoggedModels = "mlflow.log-model.history";

    /// <summary>"true" when the working tree had uncommitted changes.</summary>
    public const string GitDirty = "fathom.git.dirty";

    /// <summary>The full command line.</summary>
    public const string Command = "fathom.command";

    /// <summary>The machine's host name.</summary>
    public const string Host = "fathom.host";

    /// <summary>The operating system.</summary>
    public const string OperatingSystem = "fathom.os";

    /// <summary>The .NET runtime version.</summary>
    public const string DotnetVersion = "fathom.dotnet";

    /// <summary>The job run (fathom run) this run was logged from, read from <c>FATHOM_RUN_UUID</c>.</summary>
    public const string JobRun = "fathom.job.uuid";

    /// <summary>The project of that job run, read from <c>FATHOM_PROJECT</c>.</summary>
    public const string JobProject = "fathom.job.project";

    /// <summary>Why the run failed: the exception type and message.</summary>
    public const string Error = "fathom.error";

    /// <summary>Prefix of the tags that record the content hash of each declared input (<c>fathom.data.&lt;name&gt;</c>).</summary>
    public const string DataPrefix = "fathom.data.";
}
