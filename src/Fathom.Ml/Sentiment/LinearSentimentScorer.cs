using System.Buffers;
using Fathom.Reviews;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.Calibrators;

namespace Fathom.Sentiment;

/// <summary>
/// Scores a raw review with the parameters of a trained model, read once from its ML.NET transformer chain
/// (<see cref="TryCreate"/>): clean → split on the tokenizer's separators → vocabulary key per token → n-gram slots
/// → TF-IDF → L2 norm → linear score → the model's own calibrator. The same arithmetic as ML.NET's transforms, as
/// plain loops over spans: no prediction engine, no row objects, no string per token.
/// </summary>
/// <remarks>
/// Why: a linear model over a few hundred n-grams is a sparse dot product, yet ML.NET's per-row engine spent most of
/// its ~240 µs per review in cursors, delegates and buffers around it. Where ML.NET rounds to float (each TF-IDF
/// value, the norm), this does too; sums are kept in double and IDFs in float, so scores agree with ML.NET's to about 1e-7, and the
/// model load checks that on probe texts before this scorer is used at all (<see cref="SentimentModel"/>).
/// </remarks>
internal sealed partial class LinearSentimentScorer
{
    // ML.NET's LpNormNormalizingTransformer leaves a vector unscaled when 1/norm falls below this.
    private const float MinScale = 1e-8f;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _keys;
    private readonly SearchValues<char> _separators;
    private readonly int _ngramLength;
    private readonly NgramTable _table;
    private readonly ulong[] _probeBigrams;
    private readonly Dictionary<UInt128, int> _trigramSlots;
    private readonly string[] _terms;
    private readonly double[] _idf;
    private readonly float[] _weights;
    private readonly float _bias;
    private readonly float _normScale;
    private readonly ICalibrator _calibrator;
    private readonly ObjectPool<Scratch> _scratch;

    private LinearSentimentScorer(Parameters parameters)
    {
        _keys = parameters.Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _separators = SearchValues.Create(parameters.Separators);
        _ngramLength = parameters.NgramLength;
        _probeBigrams = [.. parameters.BigramSlots.Keys.Take(300)];
        _trigramSlots = parameters.TrigramSlots;
        _terms = parameters.Terms;
        _idf = parameters.Idf;
        _weights = parameters.Weights;
        _bias = parameters.Bias;
        _normScale = parameters.NormScale;
        _calibrator = parameters.Calibrator;
        var ngrams = parameters.UnigramSlots.Select((slot, key) => (Key: NgramTable.Unigram(key), Slot: slot)).Where(u => u.Slot >= 0)
            .Concat(parameters.BigramSlots.Select(b => (b.Key, Slot: b.Value)))
            .ToList();
        _table = new NgramTable(ngrams, _idf, _weights);
        _scratch = new DefaultObjectPool<Scratch>(new ScratchPolicy(), Environment.ProcessorCount * 4);
    }

    /// <summary>The number of n-gram features (the model's feature vector length).</summary>
    public int FeatureCount => _idf.Length;

    /// <summary>The probability that a raw (uncleaned) review is positive, as the ML.NET model gives it.</summary>
    public float PredictProbability(ReadOnlySpan<char> rawText)
    {
        var scratch = _scratch.Get();
        var probability = _calibrator.PredictProbability(Score(rawText, scratch));
        // Returned only after a clean run: a scratch left half-counted by an exception is dropped, never reused.
        _scratch.Return(scratch);
        return probability;
    }

    private float Score(ReadOnlySpan<char> rawText, Scratch scratch)
    {
        var text = scratch.Chars(rawText.Length);
        var length = ReviewCleaner.Clean(rawText, text.AsSpan(0, rawText.Length), text.AsSpan(rawText.Length, rawText.Length));
        var cleaned = text.AsSpan(rawText.Length, length);

        // Keys in text order; 0 is ML.NET's key for a word outside the vocabulary, and n-grams over it match no slot
        // (unless the dictionary holds one, which the lookups below then find as ML.NET does).
        var keys = scratch.Keys(length / 2 + 1);
        var count = 0;
        while (!cleaned.IsEmpty)
        {
            var end = cleaned.IndexOfAny(_separators);
            var token = end < 0 ? cleaned : cleaned[..end];
            if (!token.IsEmpty)
            {
                keys[count++] = _keys.TryGetValue(token, out var key) ? key : 0;
            }

            cleaned = end < 0 ? default : cleaned[(end + 1)..];
        }

        scratch.Reset(count * _ngramLength);
        for (var i = 0; i < count; i++)
        {
            var first = keys[i];
            if (_table.Find(NgramTable.Unigram(first)) is >= 0 and var unigram)
            {
                ref readonly var entry = ref _table[unigram];
                scratch.Add(unigram, entry.Idf, entry.Weight);
            }

            if (_ngramLength < 2 || i + 1 >= count)
            {
                continue;
            }

            if (_table.Find(NgramTable.Bigram(first, keys[i + 1])) is >= 0 and var bigram)
            {
                ref readonly var entry = ref _table[bigram];
                scratch.Add(bigram, entry.Idf, entry.Weight);
            }

            if (_ngramLength >= 3 && i + 2 < count
                && _trigramSlots.TryGetValue(((UInt128)NgramTable.Bigram(first, keys[i + 1]) << 32) | (uint)keys[i + 2], out var slot))
            {
                scratch.Add(_table.Capacity + slot, _idf[slot], _weights[slot]);
            }
        }

        // TF-IDF as ML.NET stores it (float of count × idf), then the L2 norm of those floats.
        var (sumOfSquares, dot, any) = scratch.Sums();
        if (!any)
        {
            return _bias;
        }

        var norm = MathF.Sqrt((float)sumOfSquares);
        var scale = _normScale;
        if (norm > 0)
        {
            scale /= norm;
        }

        if (scale < MinScale)
        {
            scale = 1;
        }

        return _bias + (float)(dot * scale);
    }

    /// <summary>The model's parameters in the shapes the scorer reads.</summary>
    private sealed record Parameters(
        Dictionary<string, int> Vocabulary,
        char[] Separators,
        int NgramLength,
        int[] UnigramSlots,
        Dictionary<ulong, int> BigramSlots,
        Dictionary<UInt128, int> TrigramSlots,
        string[] Terms,
        double[] Idf,
        float[] Weights,
        float Bias,
        float NormScale,
        ICalibrator Calibrator);

    /// <summary>
    /// One scoring call's buffers: the review's distinct n-grams in a small open-addressing table keyed by identity (it
    /// stays in the core's cache, where a dense count per slot would not), with their counts, IDF and weight; keys; chars.
    /// </summary>
    private sealed class Scratch
    {
        private int[] _slots = new int[1024];
        private int[] _counts = new int[1024];
        private double[] _idf = new double[1024];
        private float[] _weight = new float[1024];
        private int[] _used = new int[512];
        private int _usedCount;
        private int _mask = 1023;
        private int[] _keys = new int[512];
        private char[] _chars = new char[8192];

        public Scratch() => Array.Fill(_slots, -1);

        /// <summary>Empties the table and makes room for <paramref name="ngrams"/> distinct n-grams.</summary>
        public void Reset(int ngrams)
        {
            for (var i = 0; i < _usedCount; i++)
            {
                _slots[_used[i]] = -1;
            }

            _usedCount = 0;
            if (ngrams * 2 > _slots.Length)
            {
                var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)ngrams * 2);
                _slots = new int[size];
                Array.Fill(_slots, -1);
                _counts = new int[size];
                _idf = new double[size];
                _weight = new float[size];
                _used = new int[size / 2];
                _mask = size - 1;
            }
        }

        public void Add(int ngram, double idf, float weight)
        {
            var i = (int)(((uint)ngram * 0x9E3779B97F4A7C15UL) >> 32) & _mask;
            while (true)
            {
                var found = _slots[i];
                if (found == ngram)
                {
                    _counts[i]++;
                    return;
                }

                if (found < 0)
                {
                    _slots[i] = ngram;
                    _counts[i] = 1;
                    _idf[i] = idf;
                    _weight[i] = weight;
                    _used[_usedCount++] = i;
                    return;
                }

                i = (i + 1) & _mask;
            }
        }

        public (double SumOfSquares, double Dot, bool Any) Sums()
        {
            double sumOfSquares = 0;
            double dot = 0;
            for (var u = 0; u < _usedCount; u++)
            {
                var i = _used[u];
                var value = (float)(_counts[i] * _idf[i]);
                sumOfSquares += (double)value * value;
                dot += (double)value * _weight[i];
            }

            return (sumOfSquares, dot, _usedCount > 0);
        }

        public int[] Keys(int atMost)
        {
            if (_keys.Length < atMost)
            {
                _keys = new int[atMost];
            }

            return _keys;
        }

        /// <summary>Room for the lowercased text and the cleaned text, one after the other.</summary>
        public char[] Chars(int textLength)
        {
            if (_chars.Length < textLength * 2)
            {
                _chars = new char[textLength * 2];
            }

            return _chars;
        }
    }

    private sealed class ScratchPolicy : PooledObjectPolicy<Scratch>
    {
        public override Scratch Create() => new();

        // A scratch that grew for a very long review keeps its buffers; they are bounded by the longest review scored.
        public override bool Return(Scratch obj) => true;
    }
}
