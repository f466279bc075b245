using System.Text;

namespace Fathom.Data;

/// <summary>
/// <c>.dvc/config</c> in the configobj INI dialect DVC uses: <c>[core]</c>, <c>['remote "name"']</c> sections,
/// 4-space indented <c>key = value</c> lines. Keys are matched case-insensitively (DVC lower-cases them); sections,
/// keys and comments Fathom does not know are kept in place, so a round trip only changes what was set.
/// </summary>
internal sealed class DvcConfig
{
    private readonly List<Section> _sections = [];

    public IEnumerable<string> SectionNames => _sections.Where(s => s.Name is not null).Select(s => s.Name!);

    /// <summary>The names of <c>['remote "name"']</c> sections, in file order.</summary>
    public IEnumerable<string> RemoteNames => SectionNames.Select(RemoteName).OfType<string>();

    public static string RemoteSection(string name) => $"remote \"{name}\"";

    public static DvcConfig Load(string path) => File.Exists(path) ? Parse(File.ReadAllText(path)) : new DvcConfig();

    public static DvcConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var config = new DvcConfig();
        var current = new Section(null);
        config._sections.Add(current);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                if (line.Length > 0)
                {
                    current.Lines.Add(new Line(null, raw.TrimEnd('\r')));
                }

                continue;
            }

            if (line[0] == '[')
            {
                var close = line.LastIndexOf(']');
                if (close < 0)
                {
                    throw new InvalidDataException($".dvc/config:{lineNumber}: section header '{line}' has no closing ']'.");
                }

                var name = line[1..close].Trim();
                if (name.Length >= 2 && name[0] is '\'' or '"' && name[^1] == name[0])
                {
                    name = name[1..^1];
                }

                current = config.GetOrAddSection(name);
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new InvalidDataException($".dvc/config:{lineNumber}: expected 'key = value' (got '{line}').");
            }

            current.Lines.Add(new Line(line[..eq].Trim().ToLowerInvariant(), Unquote(line[(eq + 1)..].Trim())));
        }

        return config;
    }

    public string? Get(string section, string key) =>
        Find(section)?.Lines.LastOrDefault(l => string.Equals(l.Key, key, StringComparison.OrdinalIgnoreCase))?.Value;

    public bool HasSection(string section) => Find(section) is not null;

    public void Set(string section, string key, string value)
    {
        var s = GetOrAddSection(section);
        var index = s.Lines.FindLastIndex(l => string.Equals(l.Key, key, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            s.Lines[index] = new Line(key.ToLowerInvariant(), value);
        }
        else
        {
            s.Lines.Add(new Line(key.ToLowerInvariant(), value));
        }
    }

    /// <summary>Removes a key; an emptied section goes too, as configobj does when DVC unsets the last key.</summary>
    public bool Unset(string section, string key)
    {
        var s = Find(section);
        if (s is null || s.Lines.RemoveAll(l => string.Equals(l.Key, key, StringComparison.OrdinalIgnoreCase)) == 0)
        {
            return false;
        }

        if (s.Lines.All(l => l.Key is null))
        {
            _sections.Remove(s);
        }

        return true;
    }

    public bool RemoveSection(string section) => Find(section) is { } s && _sections.Remove(s);

    public IReadOnlyList<KeyValuePair<string, string>> Entries(string section) =>
        Find(section)?.Lines.Where(l => l.Key is not null).Select(l => KeyValuePair.Create(l.Key!, l.Value)).ToList() ?? [];

    public string Format()
    {
        var sb = new StringBuilder();
        foreach (var section in _sections)
        {
            if (section.Name is not null)
            {
                // configobj wraps a name holding a double quote in single quotes: ['remote "storage"'].
                sb.Append(section.Name.Contains('"', StringComparison.Ordinal) ? $"['{section.Name}']" : $"[{section.Name}]").Append('\n');
            }

            var indent = section.Name is null ? "" : "    ";
            foreach (var line in section.Lines)
            {
                sb.Append(line.Key is null ? line.Value : $"{indent}{line.Key} = {QuoteValue(line.Value)}").Append('\n');
            }
        }

        return sb.ToString();
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, Format());

    private static string? RemoteName(string section) =>
        section.StartsWith("remote \"", StringComparison.OrdinalIgnoreCase) && section.EndsWith('"') && section.Length > 9 ? section[8..^1] : null;

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] is '\'' or '"')
        {
            var close = value.IndexOf(value[0], 1);
            if (close > 0)
            {
                return value[1..close];
            }
        }

        // configobj strips an inline comment that follows whitespace.
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }

    private static string QuoteValue(string value) =>
        value.Length == 0 || value.Contains('#', StringComparison.Ordinal) || value != value.Trim() ? $"\"{value}\"" : value;

    private Section? Find(string name) => _sections.FirstOrDefault(s => s.Name is not null && string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private Section GetOrAddSection(string name)
    {
        if (Find(name) is { } existing)
        {
            return existing;
        }

        // DVC writes [core] before the remote sections (its config packer appends remotes last).
        var section = new Section(name);
        if (string.Equals(name, "core", StringComparison.OrdinalIgnoreCase))
        {
            _sections.Insert(_sections.Count > 0 && _sections[0].Name is null ? 1 : 0, section);
        }
        else
        {
            _sections.Add(section);
        }

        return section;
    }

    private sealed record Line(string? Key, string Value);

    private sealed record Section(string? Name)
    {
        public List<Line> Lines { get; } = [];
    }
}
