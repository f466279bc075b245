using System.Text;
using Fathom.Data;

namespace Fathom.Monitoring;

/// <summary>
/// The words of the training reviews (after cleaning) seen at least twice: what "out of vocabulary" is measured
/// against. Kept beside the model as one word per line, sorted, so it diffs and compresses well.
/// </summary>
internal sealed class TrainingVocabulary
{
    public const string FileName = "monitoring_vocabulary.txt";

    // A word seen once is mostly a typo or a name; counting those as known would hide a real vocabulary shift.
    private const int MinimumCount = 2;

    private readonly HashSet<string> _words;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private TrainingVocabulary(HashSet<string> words)
    {
        _words = words;
        _lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _words.Count;

    public bool Contains(ReadOnlySpan<char> word) => _lookup.Contains(word);

    /// <summary>Counts the words of the cleaned training texts.</summary>
    public static TrainingVocabulary FromCleanTexts(IEnumerable<string> cleanTexts)
    {
        ArgumentNullException.ThrowIfNull(cleanTexts);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var text in cleanTexts)
        {
            var span = text.AsSpan();
            foreach (var range in span.Split(' '))
            {
                var word = span[range];
                if (!word.IsEmpty)
                {
                    lookup[word] = lookup.TryGetValue(word, out var count) ? count + 1 : 1;
                }
            }
        }

        return new TrainingVocabulary(counts.Where(p => p.Value >= MinimumCount).Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
    }

    public static TrainingVocabulary Read(string path)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                words.Add(line);
            }
        }

        return new TrainingVocabulary(words);
    }

    public void Write(string path)
    {
        var text = new StringBuilder();
        foreach (var word in _words.Order(StringComparer.Ordinal))
        {
            text.Append(word).Append('\n');
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }
}
