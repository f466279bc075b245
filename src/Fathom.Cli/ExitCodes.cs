namespace Fathom.Cli;

/// <summary>The process exit codes, so scripts can tell failures apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed at run time (I/O, store, training).</summary>
    public const int Failure = 1;

    /// <summary>The arguments or an input file were invalid; nothing was changed.</summary>
    public const int InvalidInput = 2;

    /// <summary>A named run, experiment or model does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>Stopped by Ctrl+C or SIGTERM.</summary>
    public const int Cancelled = 130;
}
