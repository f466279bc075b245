using System.CommandLine;

namespace Fathom.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Store = new("--store")
    {
        Description = "Tracking store: a folder, or sqlite:///path.db. Default: $FATHOM_STORE, else the nearest .fathom folder.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write data as JSON to stdout; human text goes to stderr.",
        Recursive = true,
    };
}
