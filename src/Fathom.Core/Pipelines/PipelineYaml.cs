using Fathom.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>Loads one YAML document with positions kept, turning syntax errors into <c>file:line: …</c> messages.</summary>
internal static class PipelineYaml
{
    /// <summary>The root node, or null for an empty document.</summary>
    public static YamlNode? Load(string text, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new DvcFormatException(fileName, (int)e.Start.Line, "", $"invalid YAML: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new DvcFormatException(fileName, text.Count(c => c == '\n'), "", $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return null;
        }

        return stream.Documents[0].RootNode;
    }
}
