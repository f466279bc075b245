namespace Fathom.Pipelines;

/// <summary>What a <see cref="ReproEvent"/> says.</summary>
internal enum ReproEventKind
{
    /// <summary>The stage did not change.</summary>
    UpToDate,

    /// <summary>The stage starts running its command (text: the command).</summary>
    Running,

    /// <summary>The stage's inputs matched the run cache; its outputs were checked out.</summary>
    Restored,

    /// <summary>The stage ran and its lock entry was written.</summary>
    Succeeded,

    /// <summary>The stage failed (text: the error and the tail of its output).</summary>
    Failed,

    /// <summary>The stage did not run because a stage it depends on failed.</summary>
    Blocked,

    /// <summary>With --dry: the stage would run (text: why).</summary>
    WouldRun,

    /// <summary>The stage is frozen and was skipped.</summary>
    Frozen,

    /// <summary>What a succeeding stage's command printed (with --verbose).</summary>
    Output,

    /// <summary>With --pull: the stage only missed data, which was fetched from the remote and checked out.</summary>
    Pulled,

    /// <summary>dvc.lock was created or updated.</summary>
    LockWritten,
}
