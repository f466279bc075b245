using Fathom.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>Loads one YAML document with positions kept, turning syntax errors into <c>file:line: …</c> messages.</summary>
internal static partial class PipelineYaml
{
    /// <summary>The root node, or null for an empty document.</summary>
    public static YamlNode? Load(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryLoadCanonical(text) is { } canonical)
        {
            return canonical;
        }

        return LoadFull(text, fileName);
    }

    /// <summary>Loads with YamlDotNet whatever the shape: the reference the canonical reader must agree with.</summary>
    internal static YamlNode? LoadFull(string text, string fileName)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text, fileName);
        }
        catch (YamlException e)
        {
            throw new DvcFormatException(fileName, (int)e.Start.Line, "", $"invalid YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's representation model throws these (not YamlException) for some malformed nodes, e.g. an
            // alias used as a key; they must still read as a file error, not a crash.
            throw new DvcFormatException(fileName, text.Count(c => c == '\n'), "", $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return null;
        }

        return stream.Documents[0].RootNode;
    }
}
