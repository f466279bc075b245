using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Fathom.Data;

/// <summary>
/// Loads YAML that comes from data (<c>dvc.yaml</c>, <c>dvc.lock</c>, <c>.dvc</c> files, params files, model folder
/// manifests) within a budget: at most <see cref="MaxNodes"/> nodes once every alias is expanded, and at most
/// <see cref="MaxDepth"/> levels of nesting. YamlDotNet shares an anchored node between its aliases, so loading is
/// cheap, but everything that reads the values (templating, params, comparisons) expands them: ten levels of ten
/// aliases each ("billion laughs") make 10^10 nodes out of a few hundred bytes. Deep nesting would overflow the stack of
/// the recursive loader, which no handler can catch. Both are measured on the parser's events first, in one pass
/// without building anything (an alias counts the size of what it names), and refused with the file and line.
/// </summary>
internal static class BoundedYaml
{
    /// <summary>Far above any real pipeline or params file (a 10 MB YAML file holds about a million nodes).</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Far deeper than any real config nests, far shallower than the loader's stack allows.</summary>
    public const int MaxDepth = 128;

    /// <summary>
    /// The loaded stream; <see cref="DvcFormatException"/> naming <paramref name="fileName"/> and the line when the
    /// budget is exceeded. Syntax errors surface as YamlDotNet reports them (<see cref="YamlException"/> and the like),
    /// for the caller to word.
    /// </summary>
    public static YamlStream Load(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        Measure(text, fileName);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }

    private static void Measure(string text, string fileName)
    {
        var parser = new Parser(new StringReader(text));
        // Nodes counted so far, aliases expanded; for each anchor, the nodes it expands to.
        long nodes = 0;
        var anchors = new Dictionary<AnchorName, long>();
        var open = new Stack<(AnchorName Anchor, long Start)>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    // Anchors are per document.
                    anchors.Clear();
                    break;
                case Scalar scalar:
                    nodes++;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor] = 1;
                    }

                    break;
                case NodeEvent { Start: var mark } node and (SequenceStart or MappingStart):
                    nodes++;
                    if (open.Count >= MaxDepth)
                    {
                        throw new DvcFormatException(fileName, (int)mark.Line, "", $"nested deeper than {MaxDepth} levels; refused.");
                    }

                    open.Push((node.Anchor, nodes));
                    break;
                case SequenceEnd or MappingEnd:
                    var (anchor, start) = open.Pop();
                    if (!anchor.IsEmpty)
                    {
                        anchors[anchor] = nodes - start + 1;
                    }

                    break;
                case AnchorAlias alias:
                    // An alias of a node still open would name itself: a cycle that no expansion ends.
                    if (!anchors.TryGetValue(alias.Value, out var size))
                    {
                        throw new DvcFormatException(fileName, (int)alias.Start.Line, "", $"alias *{alias.Value} names no anchor before it (or the node it is in); refused.");
                    }

                    nodes += size;
                    break;
            }

            if (nodes > MaxNodes)
            {
                throw new DvcFormatException(fileName, (int)parser.Current!.Start.Line, "",
                    $"more than {MaxNodes:N0} values once its aliases (*name) are expanded; refused (an alias bomb, or a file far larger than any DVC file).");
            }
        }
    }
}
