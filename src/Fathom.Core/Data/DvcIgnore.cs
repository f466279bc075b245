using System.Text;
using System.Text.RegularExpressions;

namespace Fathom.Data;

/// <summary>
/// <c>.dvcignore</c> rules (gitignore syntax) of the repository root, plus DVC's built-in ignores (<c>.git</c>,
/// <c>.hg</c>, <c>.dvc</c>). Supported: <c>*</c>, <c>?</c>, <c>[…]</c>, <c>**</c>, a leading or inner <c>/</c> anchoring
/// to the root, a trailing <c>/</c> for folders only, <c>!</c> re-includes, <c>#</c> comments, <c>\</c> escapes.
/// Not yet: <c>.dvcignore</c> files in sub-folders (only the root one is read).
/// </summary>
internal sealed class DvcIgnore
{
    public const string FileName = ".dvcignore";

    private static readonly string[] BuiltIn = [".git/", ".git", ".hg/", ".dvc/"];

    private readonly List<Rule> _rules;

    private DvcIgnore(List<Rule> rules)
    {
        _rules = rules;
        MatchesNamesOnly = rules.All(r => !r.Anchored);
    }

    /// <summary>True when no rule is anchored, so a file or folder name alone decides (cheaper for big walks).</summary>
    public bool MatchesNamesOnly { get; }

    public static DvcIgnore Empty { get; } = Parse("");

    public static DvcIgnore Load(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, FileName);
        return Parse(File.Exists(path) ? File.ReadAllText(path) : "");
    }

    public static DvcIgnore Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = new List<Rule>();
        foreach (var raw in BuiltIn.Concat(text.Split('\n')))
        {
            if (Compile(raw) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return new DvcIgnore(rules);
    }

    /// <summary>Whether a path (relative to the repository root, '/'-separated) is ignored; the last matching rule wins.</summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        var ignored = false;
        foreach (var rule in _rules)
        {
            if ((!rule.DirectoryOnly || isDirectory) && (rule.Literal is { } literal ? EndsWithName(relativePath, literal) : rule.Pattern.IsMatch(relativePath)))
            {
                ignored = !rule.Negated;
            }
        }

        return ignored;
    }

    /// <summary>Whether a path or any of its parent folders is ignored (git cannot re-include inside an ignored folder).</summary>
    public bool IsIgnoredWithParents(string relativePath, bool isDirectory)
    {
        var parts = relativePath.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            if (IsIgnored(string.Join('/', parts[..i]), isDirectory: true))
            {
                return true;
            }
        }

        return IsIgnored(relativePath, isDirectory);
    }

    private static bool EndsWithName(string path, string name) =>
        path.EndsWith(name, StringComparison.Ordinal) && (path.Length == name.Length || path[^(name.Length + 1)] == '/');

    private static Rule? Compile(string raw)
    {
        var line = raw.TrimEnd('\r').Trim();
        if (line.Length == 0 || line[0] == '#')
        {
            return null;
        }

        var negated = false;
        if (line[0] == '!')
        {
            negated = true;
            line = line[1..];
        }
        else if (line.StartsWith("\\#", StringComparison.Ordinal) || line.StartsWith("\\!", StringComparison.Ordinal))
        {
            line = line[1..];
        }

        var directoryOnly = line.EndsWith('/');
        line = line.TrimEnd('/');
        if (line.Length == 0)
        {
            return null;
        }

        // gitignore: a slash at the start or in the middle anchors the pattern to the ignore file's folder.
        var anchored = line.Contains('/', StringComparison.Ordinal);
        line = line.TrimStart('/');
        var regex = new StringBuilder(anchored || line.StartsWith("**", StringComparison.Ordinal) ? "^" : "^(?:.*/)?");
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '*' && i + 1 < line.Length && line[i + 1] == '*')
            {
                var atStart = i == 0 || line[i - 1] == '/';
                var atEnd = i + 2 == line.Length || line[i + 2] == '/';
                if (atStart && atEnd)
                {
                    if (i + 2 == line.Length)
                    {
                        regex.Append(".*");
                    }
                    else
                    {
                        regex.Append("(?:.*/)?");
                        i++;
                    }

                    i++;
                    continue;
                }

                regex.Append("[^/]*");
                i++;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else if (c == '[' && line.IndexOf(']', i + 1) is var close and > 0)
            {
                var body = line[(i + 1)..close];
                if (body.StartsWith('!'))
                {
                    body = "^" + body[1..];
                }

                regex.Append('[').Append(body.Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                regex.Append(Regex.Escape(line[++i].ToString()));
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append('$');
        var literal = !anchored && line.IndexOfAny(['*', '?', '[', '\\']) < 0 ? line : null;
        return new Rule(new Regex(regex.ToString(), RegexOptions.CultureInvariant), negated, directoryOnly, anchored, literal);
    }

    private sealed record Rule(Regex Pattern, bool Negated, bool DirectoryOnly, bool Anchored, string? Literal);
}
