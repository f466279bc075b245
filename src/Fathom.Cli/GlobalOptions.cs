using System.CommandLine;

namespace Fathom.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Store = new("--store", "--tracking-uri")
    {
        Description = "Where runs go: a folder, sqlite:///path.db, postgresql://user@host/db, or an http(s):// tracking server. Default: $FATHOM_TRACKING_URI, an http(s) $MLFLOW_TRACKING_URI, $FATHOM_STORE, else the nearest .fathom folder.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write data as JSON to stdout; human text goes to stderr.",
        Recursive = true,
    };
}
