using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

internal static partial class PipelineYaml
{
    /// <summary>
    /// Lines of the nodes the canonical reader built: YamlDotNet keeps a node's position in a property only its own
    /// loader can set. Weak, so a node's line lives exactly as long as the node.
    /// </summary>
    private static readonly ConditionalWeakTable<YamlNode, StrongBox<int>> CanonicalLines = [];

    /// <summary>The 1-based line a node starts on, whichever reader built it.</summary>
    public static int Line(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        // Looked up first: a node built by hand has YamlDotNet's empty mark, which claims line 1.
        return CanonicalLines.TryGetValue(node, out var line) ? line.Value : (int)node.Start.Line;
    }

    /// <summary>
    /// Reads the block-style YAML that <c>dvc.yaml</c>, <c>dvc.lock</c> and <c>params.yaml</c> are written in (Fathom's
    /// and DVC's writers, and what people type): nested <c>key: value</c> mappings, <c>- item</c> sequences (also at
    /// their key's indentation and with a mapping starting on the dash line), plain and single-quoted one-line scalars,
    /// empty <c>[]</c>/<c>{}</c>, blank lines and whole-line comments. YamlDotNet's parser costs a no-change
    /// <c>repro</c> tens of milliseconds at first use (its tag patterns are compiled regular expressions, emitted and
    /// jitted at run time); this builds the same nodes without it. On anything outside the subset (flow collections,
    /// block and double-quoted scalars, anchors, tags, folded lines, tabs, trailing comments, duplicate keys) it
    /// returns null and the full reader decides, so syntax errors are still reported by YamlDotNet with their line.
    /// </summary>
    internal static YamlNode? TryLoadCanonical(string text)
    {
        var lines = CanonicalLine.Split(text);
        if (lines is null || lines.Count == 0 || lines[0].Indent != 0)
        {
            return null;
        }

        var reader = new CanonicalReader(lines);
        var root = reader.Block(0);
        return reader.AtEnd ? root : null;
    }

    private static T Located<T>(T node, int line)
        where T : YamlNode
    {
        CanonicalLines.AddOrUpdate(node, new StrongBox<int>(line));
        return node;
    }

    /// <summary>
    /// One non-blank, non-comment line: its indentation, the text after it and its 1-based number. A class, not a struct:
    /// a list of a struct of our own is not precompiled by ReadyToRun and would be jitted at start-up.
    /// </summary>
    private sealed record CanonicalLine(int Indent, string Text, int Number)
    {
        /// <summary>The content lines, or null when a character outside the subset appears (tab, CR, a document marker).</summary>
        public static List<CanonicalLine>? Split(string text)
        {
            var lines = new List<CanonicalLine>();
            var number = 0;
            var start = 0;
            while (start < text.Length)
            {
                var end = text.IndexOf('\n', start);
                var line = text.AsSpan(start, (end < 0 ? text.Length : end) - start);
                start = end < 0 ? text.Length : end + 1;
                number++;
                if (line.ContainsAny('\t', '\r'))
                {
                    return null;
                }

                var content = line.TrimStart(' ');
                if (content.IsEmpty || content[0] == '#')
                {
                    continue;
                }

                if (content.StartsWith("---") || content.StartsWith("..."))
                {
                    return null;
                }

                // Nesting grows by at least one column a level: past the limit, the full reader measures and refuses.
                if (line.Length - content.Length >= Data.BoundedYaml.MaxDepth)
                {
                    return null;
                }

                lines.Add(new CanonicalLine(line.Length - content.Length, content.TrimEnd(' ').ToString(), number));
            }

            return lines;
        }
    }

    private sealed class CanonicalReader(List<CanonicalLine> lines)
    {
        private int _next;
        private bool _failed;

        public bool AtEnd => !_failed && _next == lines.Count;

        /// <summary>The mapping or sequence whose first line is the next one, at exactly <paramref name="indent"/>.</summary>
        public YamlNode? Block(int indent)
        {
            if (_next >= lines.Count || lines[_next].Indent != indent)
            {
                return Fail<YamlNode>();
            }

            return IsItem(lines[_next].Text) ? Sequence(indent) : Mapping(indent);
        }

        private YamlSequenceNode? Sequence(int indent)
        {
            var sequence = Located(new YamlSequenceNode(), lines[_next].Number);
            while (!_failed && _next < lines.Count && lines[_next].Indent == indent && IsItem(lines[_next].Text))
            {
                var line = lines[_next];
                var rest = line.Text[1..].TrimStart(' ');
                if (rest.Length == 0 || IsItem(rest))
                {
                    // An item on the following lines or a nested "- - x": both are rare enough for the full reader.
                    return Fail<YamlSequenceNode>();
                }

                if (SplitKey(rest, out _, out _))
                {
                    if (line.Text.Length - rest.Length != 2)
                    {
                        return Fail<YamlSequenceNode>();
                    }


                    // "- key: value" opens a mapping whose keys stand two columns right of the dash.
                    lines[_next] = line with { Indent = indent + 2, Text = rest };
                    if (Mapping(indent + 2) is not { } item)
                    {
                        return Fail<YamlSequenceNode>();
                    }

                    sequence.Add(item);
                    continue;
                }

                _next++;
                if (Scalar(rest, line.Number) is not { } scalar)
                {
                    return Fail<YamlSequenceNode>();
                }

                sequence.Add(scalar);
            }

            return _failed ? null : sequence;
        }

        private YamlMappingNode? Mapping(int indent)
        {
            var mapping = Located(new YamlMappingNode(), lines[_next].Number);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (!_failed && _next < lines.Count && lines[_next].Indent == indent && !IsItem(lines[_next].Text))
            {
                var line = lines[_next++];
                if (!SplitKey(line.Text, out var key, out var value) || !IsPlain(key) || !keys.Add(key))
                {
                    return Fail<YamlMappingNode>();
                }

                var keyNode = Located(new YamlScalarNode(key) { Style = ScalarStyle.Plain }, line.Number);
                YamlNode? valueNode;
                if (value.Length > 0)
                {
                    valueNode = Scalar(value, line.Number);
                }
                else if (_next < lines.Count && (lines[_next].Indent > indent || (lines[_next].Indent == indent && IsItem(lines[_next].Text))))
                {
                    valueNode = Block(lines[_next].Indent);
                }
                else
                {
                    // "key:" with nothing under it is an empty plain scalar, which YAML resolves to null.
                    valueNode = Located(new YamlScalarNode("") { Style = ScalarStyle.Plain }, line.Number);
                }

                if (valueNode is null)
                {
                    return Fail<YamlMappingNode>();
                }

                mapping.Add(keyNode, valueNode);
            }

            // A deeper line right after a scalar value is a folded continuation (or an error): the full reader's call.
            return _failed || (_next < lines.Count && lines[_next].Indent > indent) ? Fail<YamlMappingNode>() : mapping;
        }

        private static YamlNode? Scalar(string text, int line)
        {
            switch (text)
            {
                case "[]":
                    return Located(new YamlSequenceNode { Style = SequenceStyle.Flow }, line);
                case "{}":
                    return Located(new YamlMappingNode { Style = MappingStyle.Flow }, line);
            }

            if (text[0] == '\'')
            {
                return SingleQuoted(text) is { } value ? Located(new YamlScalarNode(value) { Style = ScalarStyle.SingleQuoted }, line) : null;
            }

            return IsPlain(text) ? Located(new YamlScalarNode(text) { Style = ScalarStyle.Plain }, line) : null;
        }

        private T? Fail<T>()
            where T : class
        {
            _failed = true;
            return null;
        }
    }

    private static bool IsItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

    /// <summary>Splits <c>key: value</c> or <c>key:</c> at the first ": " (or the final ':'), as YAML does for a plain key.</summary>
    private static bool SplitKey(string text, out string key, out string value)
    {
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0)
        {
            key = text[..colon];
            value = text[(colon + 2)..].TrimStart(' ');
            return true;
        }

        if (text.Length > 1 && text[^1] == ':')
        {
            key = text[..^1];
            value = "";
            return true;
        }

        key = value = "";
        return false;
    }

    /// <summary>
    /// A one-line plain scalar whose text is its value: no indicator in front, no ": " or " #" inside (those would
    /// make it a mapping or start a comment), no trailing ':'.
    /// </summary>
    private static bool IsPlain(string text)
    {
        if (text.Length == 0 || text[^1] == ':' || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal))
        {
            return false;
        }

        return text[0] switch
        {
            '[' or ']' or '{' or '}' or ',' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' => false,
            '-' or '?' or ':' => text.Length > 1 && text[1] != ' ',
            _ => true,
        };
    }

    /// <summary>The value of a one-line single-quoted scalar (<c>''</c> is a quote), or null when it is not one.</summary>
    private static string? SingleQuoted(string text)
    {
        if (text.Length < 2 || text[^1] != '\'')
        {
            return null;
        }

        // A lone quote inside would end the scalar early: then it is not one scalar at all.
        var inner = text[1..^1];
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] != '\'')
            {
                continue;
            }

            if (i + 1 >= inner.Length || inner[i + 1] != '\'')
            {
                return null;
            }

            i++;
        }

        return inner.Replace("''", "'", StringComparison.Ordinal);
    }
}
