using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Fathom.Data;

/// <summary>
/// <c>.dvcignore</c> rules (gitignore syntax) plus DVC's built-in ignores (<c>.git</c>, <c>.hg</c>, <c>.dvc</c>). As in
/// git and DVC, a <c>.dvcignore</c> may sit in any folder: its patterns are relative to that folder and come after
/// (so override) those of the folders above it. Folder files are read on first need. Supported: <c>*</c>, <c>?</c>,
/// <c>[…]</c>, <c>**</c>, a leading or inner <c>/</c> anchoring to the ignore file's folder, a trailing <c>/</c> for
/// folders only, <c>!</c> re-includes, <c>#</c> comments, <c>\</c> escapes.
/// </summary>
internal sealed class DvcIgnore
{
    public const string FileName = ".dvcignore";

    private static readonly string[] BuiltIn = [".git/", ".git", ".hg/", ".dvc/"];

    private readonly List<Rule> _rules;
    private readonly string? _repositoryRoot;
    private readonly ConcurrentDictionary<string, List<Rule>?> _folders = new(StringComparer.Ordinal);

    private DvcIgnore(List<Rule> rules, string? repositoryRoot)
    {
        _rules = rules;
        _repositoryRoot = repositoryRoot;
    }

    public static DvcIgnore Empty { get; } = Parse("");

    public static DvcIgnore Load(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, FileName);
        return new DvcIgnore(Compile(File.Exists(path) ? File.ReadAllText(path) : "", builtIn: true), repositoryRoot);
    }

    /// <summary>Rules of a root <c>.dvcignore</c> given as text; no other files are read.</summary>
    public static DvcIgnore Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new DvcIgnore(Compile(text, builtIn: true), null);
    }

    /// <summary>
    /// True when every rule that applies under <paramref name="folder"/> (repository-relative) is unanchored, so a file
    /// or folder name alone decides (cheaper for big walks; see <see cref="IsNameIgnored"/>).
    /// </summary>
    public bool MatchesNamesOnlyUnder(string folder) => RuleSetsAbove(folder).All(set => set.Rules.All(r => !r.Anchored));

    /// <summary>
    /// The rules that decide names under <paramref name="folder"/>, gathered once for a big walk, when
    /// <see cref="MatchesNamesOnlyUnder"/> says names decide.
    /// </summary>
    public NameRules NameRulesUnder(string folder) => new([.. RuleSetsAbove(folder).Select(set => set.Rules)]);

    /// <summary>Whether a name under <paramref name="folder"/> is ignored, when <see cref="MatchesNamesOnlyUnder"/> says names decide.</summary>
    public bool IsNameIgnored(string folder, string name, bool isDirectory)
    {
        var ignored = false;
        foreach (var (_, rules) in RuleSetsAbove(folder))
        {
            ignored = Apply(rules, name, isDirectory, ignored);
        }

        return ignored;
    }

    /// <summary>Whether a path (relative to the repository root, '/'-separated) is ignored; the last matching rule wins.</summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var slash = relativePath.LastIndexOf('/');
        var ignored = false;
        foreach (var (folder, rules) in RuleSetsAbove(slash < 0 ? "" : relativePath[..slash]))
        {
            ignored = Apply(rules, folder.Length == 0 ? relativePath : relativePath[(folder.Length + 1)..], isDirectory, ignored);
        }

        return ignored;
    }

    /// <summary>Whether a path or any of its parent folders is ignored (git cannot re-include inside an ignored folder).</summary>
    public bool IsIgnoredWithParents(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
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

    private static bool Apply(List<Rule> rules, ReadOnlySpan<char> path, bool isDirectory, bool ignored)
    {
        foreach (var rule in rules)
        {
            if ((!rule.DirectoryOnly || isDirectory) && (rule.Literal is { } literal ? EndsWithName(path, literal) : rule.Pattern!.IsMatch(path)))
            {
                ignored = !rule.Negated;
            }
        }

        return ignored;
    }

    /// <summary>The rule sets of the root and of each folder down to <paramref name="folder"/>, outermost first.</summary>
    private IEnumerable<(string Folder, List<Rule> Rules)> RuleSetsAbove(string folder)
    {
        yield return ("", _rules);
        if (_repositoryRoot is null || folder.Length == 0)
        {
            yield break;
        }

        var end = 0;
        while (end >= 0)
        {
            end = folder.IndexOf('/', end + 1);
            var current = end < 0 ? folder : folder[..end];
            if (FolderRules(current) is { } rules)
            {
                yield return (current, rules);
            }
        }
    }

    private List<Rule>? FolderRules(string folder) => _folders.GetOrAdd(folder, f =>
    {
        var path = Path.Combine(_repositoryRoot!, f.Replace('/', Path.DirectorySeparatorChar), FileName);
        return File.Exists(path) ? Compile(File.ReadAllText(path), builtIn: false) : null;
    });

    private static List<Rule> Compile(string text, bool builtIn)
    {
        var rules = new List<Rule>();
        foreach (var raw in (builtIn ? BuiltIn : []).Concat(text.Split('\n')))
        {
            if (Compile(raw) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    private static bool EndsWithName(ReadOnlySpan<char> path, string name) =>
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
        // A plain name (the built-ins; "*.csv" is not one) is matched without a Regex: building one costs start-up time.
        if (!anchored && line.IndexOfAny(['*', '?', '[', '\\']) < 0)
        {
            return new Rule(null, negated, directoryOnly, anchored, line);
        }

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
        return new Rule(new Regex(regex.ToString(), RegexOptions.CultureInvariant), negated, directoryOnly, anchored, null);
    }

    /// <summary>Rule sets that decide by name alone, outermost first; a name is matched without allocating a string.</summary>
    internal sealed class NameRules(List<Rule>[] sets)
    {
        public bool IsIgnored(ReadOnlySpan<char> name, bool isDirectory)
        {
            var ignored = false;
            foreach (var rules in sets)
            {
                ignored = Apply(rules, name, isDirectory, ignored);
            }

            return ignored;
        }
    }

    internal sealed record Rule(Regex? Pattern, bool Negated, bool DirectoryOnly, bool Anchored, string? Literal);
}
