namespace Fathom.Sentiment;

/// <summary>
/// The n-gram dictionary as one open-addressing table: a unigram or bigram (vocabulary keys packed in a
/// <c>ulong</c>) → its feature slot, with the slot's IDF and weight stored beside it, so scoring one n-gram costs
/// one probe into one array (usually one cache line) instead of a dictionary's buckets, entries and two more arrays.
/// The entry's index is the n-gram's identity while a review is counted.
/// </summary>
/// <remarks>
/// Why: scoring is bound by memory latency, not arithmetic — a review looks up a few hundred n-grams scattered over
/// hundreds of thousands of entries, so entries are 16 bytes (the IDF as a float: it moves a score by ~1e-8) and the
/// load factor stays between 0.35 and 0.7, where linear probing keeps runs short.
/// Unigram k is stored as <c>0xFFFFFFFF_0000_0000 | k</c> (no vocabulary key is 0xFFFFFFFF, so it never collides
/// with a bigram), and <see cref="Empty"/> marks a free entry.
/// </remarks>
internal sealed class NgramTable
{
    private const ulong Empty = ulong.MaxValue;
    private const ulong UnigramTag = 0xFFFFFFFFUL << 32;

    private readonly Entry[] _entries;
    private readonly int _mask;

    public NgramTable(IReadOnlyCollection<(ulong Key, int Slot)> ngrams, double[] idf, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(ngrams);
        var capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(ngrams.Count * 10 / 7) + 1));
        _entries = new Entry[capacity];
        _mask = capacity - 1;
        Array.Fill(_entries, new Entry { Key = Empty });
        foreach (var (key, slot) in ngrams)
        {
            var i = Index(key);
            while (_entries[i].Key != Empty)
            {
                i = (i + 1) & _mask;
            }

            _entries[i] = new Entry { Key = key, Idf = (float)idf[slot], Weight = weights[slot] };
        }
    }

    /// <summary>The key of unigram <paramref name="key"/>.</summary>
    public static ulong Unigram(int key) => UnigramTag | (uint)key;

    /// <summary>The key of bigram (<paramref name="first"/>, <paramref name="second"/>).</summary>
    public static ulong Bigram(int first, int second) => ((ulong)(uint)first << 32) | (uint)second;

    /// <summary>The entry of an n-gram, or -1 when the dictionary does not hold it.</summary>
    public int Find(ulong key)
    {
        var i = Index(key);
        while (true)
        {
            var found = _entries[i].Key;
            if (found == key)
            {
                return i;
            }

            if (found == Empty)
            {
                return -1;
            }

            i = (i + 1) & _mask;
        }
    }

    public ref readonly Entry this[int entry] => ref _entries[entry];

    /// <summary>Entries in the table: n-gram identities from here on are free for other uses.</summary>
    public int Capacity => _entries.Length;

    private int Index(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & _mask;

    /// <summary>One n-gram: its packed key, IDF and linear weight (16 bytes).</summary>
    internal struct Entry
    {
        public ulong Key;
        public float Idf;
        public float Weight;
    }
}
