using System.Collections.Immutable;

namespace Fathom.Config;

/// <summary>A list; merging replaces a list whole, as OmegaConf does.</summary>
internal sealed record ConfigList(ImmutableArray<ConfigNode> Items, SourcePosition Source) : ConfigNode(Source)
{
    public override ConfigNode At(SourcePosition source) => new ConfigList([.. Items.Select(i => i.At(source))], source);
}
