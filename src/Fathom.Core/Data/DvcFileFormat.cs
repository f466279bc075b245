using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Data;

/// <summary>
/// Reads and writes <c>.dvc</c> files. The writer produces DVC 3.x's exact text (ruamel.yaml block style, fields in
/// the order DVC's <c>Output.dumpd</c> emits them: md5, size, nfiles, isexec, hash, path); the reader accepts 3.x and
/// legacy 2.x entries and names file, line and field on malformed input.
/// </summary>
internal static partial class DvcFileFormat
{
    public static string Format(DvcFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Layout is { } layout)
        {
            return FormatOver(file, layout);
        }

        var sb = new StringBuilder();
        if (file.WorkingDirectory is { Length: > 0 } wdir && wdir != ".")
        {
            sb.Append("wdir: ").Append(YamlScalar.Quote(wdir)).Append('\n');
        }

        sb.Append("outs:\n");
        foreach (var o in file.Outs)
        {
            AppendOutput(sb, o);
        }

        return sb.ToString();
    }

    private static void AppendOutput(StringBuilder sb, DvcOutput output)
    {
        var first = true;
        foreach (var (key, text, _) in ManagedFields(output))
        {
            if (text is not null)
            {
                sb.Append(first ? "- " : "  ").Append(key).Append(": ").Append(text).Append('\n');
                first = false;
            }
        }
    }

    /// <summary>The output fields Fathom writes, in DVC's order: YAML text and plain value, both null when the field is omitted.</summary>
    private static (string Key, string? Text, string? Value)[] ManagedFields(DvcOutput o) =>
    [
        ("md5", string.IsNullOrEmpty(o.Md5) ? null : o.Md5, o.Md5),
        ("size", o.Size?.ToString(CultureInfo.InvariantCulture), o.Size?.ToString(CultureInfo.InvariantCulture)),
        ("nfiles", o.FileCount?.ToString(CultureInfo.InvariantCulture), o.FileCount?.ToString(CultureInfo.InvariantCulture)),
        ("isexec", o.IsExecutable ? "true" : null, o.IsExecutable ? "true" : null),
        ("hash", o.HashName, o.HashName),
        ("path", YamlScalar.Quote(o.Path), o.Path),
        ("cache", o.Cache ? null : "false", o.Cache ? null : "false"),
    ];

    public static DvcFile Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCanonical(text) ?? ParseYaml(text, fileName);
    }

    /// <summary>The full reader: any YAML, with file, line and field on malformed input.</summary>
    internal static DvcFile ParseYaml(string text, string fileName)
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
        catch (InvalidOperationException e)
        {
            // YamlDotNet reports some unterminated flow collections this way, without a position.
            throw new DvcFormatException(fileName, text.Count(c => c == '\n'), "", $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var line = stream.Documents.Count == 0 ? 1 : (int)stream.Documents[0].RootNode.Start.Line;
            throw new DvcFormatException(fileName, line, "", "expected a mapping with an 'outs' list.");
        }

        string? wdir = null;
        IReadOnlyList<DvcOutput>? outs = null;
        List<int> lines = [];
        foreach (var (keyNode, value) in root.Children)
        {
            switch ((keyNode as YamlScalarNode)?.Value)
            {
                case "outs":
                    outs = ParseOuts(value, fileName, lines);
                    break;
                case "wdir":
                    wdir = Scalar(value, fileName, "wdir");
                    break;
            }
        }

        return outs is null
            ? throw new DvcFormatException(fileName, (int)root.Start.Line, "outs", "required field is missing.")
            : new DvcFile(outs, wdir, ReadLayout(text, root)) { PathLines = lines };
    }

    private static List<DvcOutput> ParseOuts(YamlNode node, string fileName, List<int> lines)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new DvcFormatException(fileName, (int)node.Start.Line, "outs", "expected a list of outputs.");
        }

        var outs = new List<DvcOutput>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var field = $"outs[{i}]";
            if (sequence.Children[i] is not YamlMappingNode entry)
            {
                throw new DvcFormatException(fileName, (int)sequence.Children[i].Start.Line, field, "expected a mapping with 'path' and 'md5'.");
            }

            string? path = null, md5 = null, hashName = null;
            long? size = null;
            int? nfiles = null;
            bool isExec = false, cache = true, push = true;
            string? remote = null;
            foreach (var (keyNode, value) in entry.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                var name = $"{field}.{key}";
                switch (key)
                {
                    case "path":
                        path = Scalar(value, fileName, name);
                        if (path.Length == 0)
                        {
                            throw new DvcFormatException(fileName, (int)value.Start.Line, name, "must not be empty.");
                        }

                        lines.Add((int)value.Start.Line);
                        break;
                    case "md5":
                        md5 = Scalar(value, fileName, name).ToLowerInvariant();
                        if (md5.Length > 0 && !DvcHash.IsObjectId(md5))
                        {
                            throw new DvcFormatException(fileName, (int)value.Start.Line, name, $"expected 32 hex digits, optionally followed by '.dir' (got '{md5}').");
                        }

                        md5 = md5.Length == 0 ? null : md5;
                        break;
                    case "size":
                        size = Integer(value, fileName, name);
                        break;
                    case "nfiles":
                        nfiles = (int)Math.Min(int.MaxValue, Integer(value, fileName, name));
                        break;
                    case "hash":
                        hashName = Scalar(value, fileName, name);
                        if (hashName != "md5")
                        {
                            throw new DvcFormatException(fileName, (int)value.Start.Line, name, $"unsupported hash '{hashName}' (DVC 3.x writes 'md5').");
                        }

                        break;
                    case "isexec":
                        isExec = Boolean(value, fileName, name);
                        break;
                    case "cache":
                        cache = Boolean(value, fileName, name);
                        break;
                    case "push":
                        push = Boolean(value, fileName, name);
                        break;
                    case "remote":
                        remote = Scalar(value, fileName, name);
                        if (remote.Length == 0)
                        {
                            throw new DvcFormatException(fileName, (int)value.Start.Line, name, "must name a remote of .dvc/config.");
                        }

                        break;
                }
            }

            if (path is null)
            {
                throw new DvcFormatException(fileName, (int)entry.Start.Line, $"{field}.path", "required field is missing.");
            }

            outs.Add(new DvcOutput(path, md5, size, nfiles, isExec, hashName, cache) { Remote = remote, Push = push });
        }

        return outs;
    }

    private static string Scalar(YamlNode node, string fileName, string field) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new DvcFormatException(fileName, (int)node.Start.Line, field, "expected a single value.");

    private static long Integer(YamlNode node, string fileName, string field)
    {
        var text = Scalar(node, fileName, field);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DvcFormatException(fileName, (int)node.Start.Line, field, $"expected a non-negative integer (got '{text}').");
    }

    private static bool Boolean(YamlNode node, string fileName, string field) =>
        Scalar(node, fileName, field).ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            var other => throw new DvcFormatException(fileName, (int)node.Start.Line, field, $"expected true or false (got '{other}')."),
        };
}
