using System.Text;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Fathom.Data;

internal static partial class DvcFileFormat
{
    /// <summary>
    /// Rewrites a file read from disk the way DVC does (<c>dvc/stage/serialize.py</c> re-parses the old text and
    /// applies only the differences): fields keep their order and text unless their value changed, fields DVC's
    /// state no longer has are dropped, new fields go after the existing ones (so a 2.x entry gains <c>hash: md5</c>
    /// after its <c>path</c>), and a changed number of outputs replaces the list.
    /// </summary>
    private static string FormatOver(DvcFile file, DvcFileLayout layout)
    {
        var sb = new StringBuilder(layout.Header);
        foreach (var field in layout.Fields)
        {
            sb.Append(field.Text);
            if (field.Key != "outs")
            {
                continue;
            }

            for (var i = 0; i < file.Outs.Count; i++)
            {
                if (file.Outs.Count == layout.Outs.Count)
                {
                    AppendMerged(sb, file.Outs[i], layout.Outs[i], layout.EntryPrefix, layout.FieldIndent);
                }
                else
                {
                    AppendOutput(sb, file.Outs[i]);
                }
            }
        }

        return sb.ToString();
    }

    private static void AppendMerged(StringBuilder sb, DvcOutput output, IReadOnlyList<YamlField> old, string entryPrefix, string fieldIndent)
    {
        var managed = ManagedFields(output);
        var first = true;
        void Append(string text)
        {
            sb.Append(first ? entryPrefix : fieldIndent).Append(text);
            first = false;
        }

        foreach (var field in old)
        {
            var index = Array.FindIndex(managed, m => m.Key == field.Key);
            if (index < 0)
            {
                Append(field.Text);
                continue;
            }

            var (key, text, value) = managed[index];
            if (text is null)
            {
                continue;
            }

            Append(SameValue(key, field.Value, value) ? field.Text : $"{key}: {text}\n");
        }

        foreach (var (key, text, _) in managed)
        {
            if (text is not null && !old.Any(f => f.Key == key))
            {
                Append($"{key}: {text}\n");
            }
        }
    }

    // md5s are read lower-cased and booleans in any case, so those compare without case.
    private static bool SameValue(string key, string? old, string? value) =>
        old is not null && value is not null && string.Equals(old, value, key is "md5" or "isexec" or "cache" ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Cuts the text into fields; null for what the merge cannot reproduce faithfully (flow style, keys sharing a line).</summary>
    private static DvcFileLayout? ReadLayout(string text, YamlMappingNode root)
    {
        if (root.Style == MappingStyle.Flow || root.Children.Count == 0)
        {
            return null;
        }

        var keys = root.Children.Keys.ToList();
        var fields = new List<YamlField>();
        var outs = new List<IReadOnlyList<YamlField>>();
        string entryPrefix = "- ", fieldIndent = "  ";
        for (var i = 0; i < keys.Count; i++)
        {
            var start = Index(keys[i]);
            var end = i + 1 < keys.Count ? LineStart(text, Index(keys[i + 1])) : text.Length;
            if (end <= start)
            {
                return null;
            }

            var key = (keys[i] as YamlScalarNode)?.Value ?? "";
            var value = root.Children[keys[i]];
            if (key != "outs")
            {
                fields.Add(new YamlField(key, EndLine(text[start..end]), (value as YamlScalarNode)?.Value));
                continue;
            }

            if (value is not YamlSequenceNode { Style: not SequenceStyle.Flow } sequence || sequence.Children.Count == 0)
            {
                return null;
            }

            fields.Add(new YamlField(key, text[start..LineStart(text, Index(sequence.Children[0]))], null));
            for (var j = 0; j < sequence.Children.Count; j++)
            {
                if (sequence.Children[j] is not YamlMappingNode { Style: not MappingStyle.Flow } entry || entry.Children.Count == 0)
                {
                    return null;
                }

                var entryEnd = j + 1 < sequence.Children.Count ? LineStart(text, Index(sequence.Children[j + 1])) : end;
                var entryFields = ReadFields(text, entry, entryEnd);
                if (entryFields is null)
                {
                    return null;
                }

                outs.Add(entryFields);
                if (j == 0)
                {
                    var entryKeys = entry.Children.Keys.ToList();
                    entryPrefix = text[LineStart(text, Index(entryKeys[0]))..Index(entryKeys[0])];
                    fieldIndent = entryKeys.Count > 1 ? text[LineStart(text, Index(entryKeys[1]))..Index(entryKeys[1])] : new string(' ', entryPrefix.Length);
                }
            }
        }

        return new DvcFileLayout(text[..LineStart(text, Index(keys[0]))], fields, outs, entryPrefix, fieldIndent);
    }

    private static List<YamlField>? ReadFields(string text, YamlMappingNode mapping, int end)
    {
        var keys = mapping.Children.Keys.ToList();
        var fields = new List<YamlField>();
        for (var i = 0; i < keys.Count; i++)
        {
            var start = Index(keys[i]);
            var fieldEnd = i + 1 < keys.Count ? LineStart(text, Index(keys[i + 1])) : end;
            if (fieldEnd <= start)
            {
                return null;
            }

            fields.Add(new YamlField((keys[i] as YamlScalarNode)?.Value ?? "", EndLine(text[start..fieldEnd]), (mapping.Children[keys[i]] as YamlScalarNode)?.Value));
        }

        return fields;
    }

    private static int Index(YamlNode node) => (int)node.Start.Index;

    private static int LineStart(string text, int index) => index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;

    private static string EndLine(string text) => text.EndsWith('\n') ? text : text + "\n";
}
