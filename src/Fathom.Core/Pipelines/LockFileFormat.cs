using System.Globalization;
using Fathom.Data;
using Fathom.Storage;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>
/// Reads and writes <c>dvc.lock</c> in DVC's schema 2.0: <c>schema: '2.0'</c>, then per stage <c>cmd</c>, <c>deps</c>
/// (path, hash, md5, size, nfiles, isexec), <c>params</c> and <c>outs</c>, each omitted when empty — the fields and order of
/// DVC's <c>to_single_stage_lockfile</c>.
/// </summary>
internal static class LockFileFormat
{
    public const string FileName = "dvc.lock";

    public static string Format(LockFile lockFile)
    {
        ArgumentNullException.ThrowIfNull(lockFile);
        var w = new YamlBlockWriter();
        w.Scalar(0, "schema", "2.0");
        w.Open(0, "stages");
        foreach (var (name, entry) in lockFile.Stages)
        {
            w.Open(2, name);
            WriteEntry(w, entry, 4);
        }

        return w.ToString();
    }

    /// <summary>One stage entry on its own (a run-cache file holds exactly this).</summary>
    public static string FormatEntry(LockEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var w = new YamlBlockWriter();
        WriteEntry(w, entry, 0);
        return w.ToString();
    }

    private static void WriteEntry(YamlBlockWriter w, LockEntry entry, int b)
    {
        if (entry.CmdIsList)
        {
            w.Open(b, "cmd");
            foreach (var part in entry.Cmd)
            {
                w.Item(b, part);
            }
        }
        else
        {
            w.Scalar(b, "cmd", entry.Cmd.Count == 0 ? "" : entry.Cmd[0]);
        }

        Files(w, "deps", entry.Deps, b);
        if (entry.Params.Count > 0)
        {
            w.Open(b, "params");
            foreach (var (file, values) in entry.Params)
            {
                w.Open(b + 2, file);
                foreach (var (key, value) in values)
                {
                    w.Value(b + 4, key, value);
                }
            }
        }

        Files(w, "outs", entry.Outs, b);
    }

    private static void Files(YamlBlockWriter w, string key, IReadOnlyList<LockedFile> files, int b)
    {
        if (files.Count == 0)
        {
            return;
        }

        w.Open(b, key);
        foreach (var f in files)
        {
            w.Scalar(b + 2, "path", f.Path, dash: true);
            if (f.HashName is { } hashName)
            {
                w.Scalar(b + 2, "hash", hashName);
            }

            if (f.Md5 is { } md5)
            {
                w.Scalar(b + 2, "md5", md5);
            }

            if (f.Size is { } size)
            {
                w.Scalar(b + 2, "size", size);
            }

            if (f.FileCount is { } nfiles)
            {
                w.Scalar(b + 2, "nfiles", (long)nfiles);
            }

            // dvc-data's Meta.to_dict puts isexec after size and nfiles, and only when true.
            if (f.IsExecutable)
            {
                w.Scalar(b + 2, "isexec", true);
            }
        }
    }

    /// <summary>Reads a lock file; an empty file is an empty lock. Errors name the file, line and field.</summary>
    public static LockFile Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lockFile = new LockFile();
        var root = PipelineYaml.Load(text, fileName);
        if (root is null)
        {
            return lockFile;
        }

        if (root is not YamlMappingNode map)
        {
            throw new DvcFormatException(fileName, Line(root), "", "expected a mapping with 'schema' and 'stages'.");
        }

        var schema = map.Children.FirstOrDefault(c => Name(c.Key) == "schema").Value;
        if (schema is null)
        {
            throw new DvcFormatException(fileName, Line(map), "schema", "missing: this looks like a DVC 1.x lock file; run 'dvc repro' once with DVC 2+ or delete it.");
        }

        if (schema is not YamlScalarNode { Value: "2.0" })
        {
            throw new DvcFormatException(fileName, Line(schema), "schema", $"invalid schema version '{(schema as YamlScalarNode)?.Value}' (expected '2.0').");
        }

        var stages = map.Children.FirstOrDefault(c => Name(c.Key) == "stages").Value;
        if (stages is null || (stages is YamlScalarNode s && string.IsNullOrEmpty(s.Value)))
        {
            return lockFile;
        }

        if (stages is not YamlMappingNode stageMap)
        {
            throw new DvcFormatException(fileName, Line(stages), "stages", "expected a mapping of stage names to entries.");
        }

        foreach (var (keyNode, value) in stageMap.Children)
        {
            var name = Name(keyNode);
            lockFile.Set(name, ParseEntry(value, fileName, $"stages.{name}"));
        }

        return lockFile;
    }

    /// <summary>Reads one stage entry written by <see cref="FormatEntry"/>.</summary>
    public static LockEntry ParseEntry(string text, string fileName) =>
        ParseEntry(PipelineYaml.Load(text, fileName) ?? throw new DvcFormatException(fileName, 1, "", "empty entry."), fileName, "");

    private static LockEntry ParseEntry(YamlNode node, string fileName, string field)
    {
        if (node is not YamlMappingNode map)
        {
            throw new DvcFormatException(fileName, Line(node), field, "expected a mapping with 'cmd'.");
        }

        List<string> cmd = [];
        var cmdIsList = false;
        List<LockedFile> deps = [], outs = [];
        var parameters = new List<KeyValuePair<string, IReadOnlyList<KeyValuePair<string, object?>>>>();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = Name(keyNode);
            switch (key)
            {
                case "cmd" when value is YamlScalarNode scalar:
                    cmd = [scalar.Value ?? ""];
                    break;
                case "cmd" when value is YamlSequenceNode list:
                    cmdIsList = true;
                    cmd = list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new DvcFormatException(fileName, Line(c), $"{field}.cmd", "expected a list of strings.")).ToList();
                    break;
                case "cmd":
                    throw new DvcFormatException(fileName, Line(value), $"{field}.cmd", "expected a string or a list of strings.");
                case "deps":
                    deps = ParseFiles(value, fileName, $"{field}.deps");
                    break;
                case "outs":
                    outs = ParseFiles(value, fileName, $"{field}.outs");
                    break;
                case "params" when value is YamlMappingNode files:
                    foreach (var (fileKey, keys) in files.Children)
                    {
                        if (keys is not YamlMappingNode keyMap)
                        {
                            throw new DvcFormatException(fileName, Line(keys), $"{field}.params.{Name(fileKey)}", "expected a mapping of keys to values.");
                        }

                        parameters.Add(new(Name(fileKey), keyMap.Children.Select(k => new KeyValuePair<string, object?>(Name(k.Key), PipelineValues.FromYaml(k.Value))).ToList()));
                    }

                    break;
                case "params":
                    throw new DvcFormatException(fileName, Line(value), $"{field}.params", "expected a mapping of params files.");
            }
        }

        return new LockEntry(cmd, cmdIsList, deps, parameters, outs);
    }

    private static List<LockedFile> ParseFiles(YamlNode node, string fileName, string field)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(fileName, Line(node), field, "expected a list.");
        }

        var files = new List<LockedFile>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new DvcFormatException(fileName, Line(list.Children[i]), $"{field}[{i}]", "expected a mapping with 'path'.");
            }

            string? path = null, md5 = null, hash = null;
            var pathLine = 0;
            var isexec = false;
            long? size = null;
            int? nfiles = null;
            foreach (var (k, v) in entry.Children)
            {
                var text = (v as YamlScalarNode)?.Value;
                switch (Name(k))
                {
                    case "path":
                        path = text;
                        pathLine = Line(v);
                        break;
                    case "md5":
                        md5 = string.IsNullOrEmpty(text) ? null : text.ToLowerInvariant();
                        if (md5 is not null && !DvcHash.IsObjectId(md5))
                        {
                            throw new DvcFormatException(fileName, Line(v), $"{field}[{i}].md5", $"expected 32 hex digits, optionally followed by '.dir' (got '{text}').");
                        }

                        break;
                    case "hash":
                        hash = text;
                        break;
                    case "isexec":
                        isexec = text is "true" or "True" or "TRUE";
                        break;
                    case "size":
                        size = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
                            : throw new DvcFormatException(fileName, Line(v), $"{field}[{i}].size", $"expected a non-negative integer (got '{text}').");
                        break;
                    case "nfiles":
                        nfiles = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                            : throw new DvcFormatException(fileName, Line(v), $"{field}[{i}].nfiles", $"expected a non-negative integer (got '{text}').");
                        break;
                }
            }

            files.Add(new LockedFile(path ?? throw new DvcFormatException(fileName, Line(entry), $"{field}[{i}].path", "required field is missing."), md5, size, nfiles, hash, isexec) { Line = pathLine });
        }

        return files;
    }

    private static string Name(YamlNode node) => (node as YamlScalarNode)?.Value ?? "";

    private static int Line(YamlNode node) => PipelineYaml.Line(node);

    /// <summary>Loads the lock file next to a <c>dvc.yaml</c>; none yet is an empty lock.</summary>
    public static LockFile Load(string path, string displayName) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), displayName) : new LockFile();

    /// <summary>
    /// Loads the lock file of a pipeline whose <paramref name="stages"/> are known, refusing (with file, line and field)
    /// an out of one of them that <paramref name="paths"/> refuses: outs recorded in a lock file are restored by repro's
    /// run cache and compared with the workspace, so they must be where the stage's own outs may be. Entries of stages
    /// the <c>dvc.yaml</c> no longer has are never used, and not checked.
    /// </summary>
    public static LockFile Load(string path, string displayName, IEnumerable<PipelineStage> stages, PathConfinement paths)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(paths);
        var lockFile = Load(path, displayName);
        foreach (var stage in stages)
        {
            if (lockFile.Get(stage.Name) is not { } entry)
            {
                continue;
            }

            for (var i = 0; i < entry.Outs.Count; i++)
            {
                if (paths.Confine(entry.Outs[i].Path, stage.Wdir).Refusal is { } refusal)
                {
                    throw new DvcFormatException(displayName, entry.Outs[i].Line, $"stages.{stage.Name}.outs[{i}].path", $"'{entry.Outs[i].Path}' {refusal}.");
                }
            }
        }

        return lockFile;
    }

    /// <summary>Writes atomically (temp file + rename), so an interrupted run never leaves half a lock file.</summary>
    public static void Save(string path, LockFile lockFile) => AtomicFile.WriteAllText(path, Format(lockFile));

}
