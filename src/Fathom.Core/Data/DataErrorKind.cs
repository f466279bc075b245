namespace Fathom.Data;

/// <summary>What kind of failure a data command hit, so the CLI can pick an exit code.</summary>
internal enum DataErrorKind
{
    /// <summary>Bad arguments or input files; nothing was changed.</summary>
    InvalidInput,

    /// <summary>A path, remote or cache object does not exist.</summary>
    NotFound,

    /// <summary>The operation ran but could not finish (e.g. missing objects, hash mismatch).</summary>
    Failure,
}
