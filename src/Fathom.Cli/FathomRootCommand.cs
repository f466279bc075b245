using System.CommandLine;

namespace Fathom.Cli;

/// <summary>The root of <c>fathom</c>'s command tree, holding the host it was built for.</summary>
internal sealed class FathomRootCommand(string description, CliHost host) : RootCommand(description)
{
    public CliHost Host { get; } = host;
}
