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
/// value, the norm), this does too; sums are kept in double, so scores agree with ML.NET's to about 1e-7, and the
/// model load checks that on probe texts before this scorer is used at all (<see cref="SentimentModel"/>).
/// </remarks>
internal sealed partial class LinearSentimentScorer
{
    // ML.NET's LpNormNormalizingTransformer leaves a vector unscaled when 1/norm falls below this.
    private const float MinScale = 1e-8f;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _keys;
    private readonly SearchValues<char> _separators;
    private readonly int _ngramLength;
    private readonly int[] _unigramSlots;
    private readonly Dictionary<ulong, int> _bigramSlots;
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
        _unigramSlots = parameters.UnigramSlots;
        _bigramSlots = parameters.BigramSlots;
        _trigramSlots = parameters.TrigramSlots;
        _terms = parameters.Terms;
        _idf = parameters.Idf;
        _weights = parameters.Weights;
        _bias = parameters.Bias;
        _normScale = parameters.NormScale;
        _calibrator = parameters.Calibrator;
        var slots = _idf.Length;
        _scratch = new DefaultObjectPool<Scratch>(new ScratchPolicy(slots), Environment.ProcessorCount * 4);
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

        for (var i = 0; i < count; i++)
        {
            var first = keys[i];
            if ((uint)first < (uint)_unigramSlots.Length && _unigramSlots[first] >= 0)
            {
                scratch.Add(_unigramSlots[first]);
            }

            if (_ngramLength < 2 || i + 1 >= count)
            {
                continue;
            }

            var pair = ((ulong)(uint)first << 32) | (uint)keys[i + 1];
            if (_bigramSlots.TryGetValue(pair, out var slot))
            {
                scratch.Add(slot);
            }

            if (_ngramLength >= 3 && i + 2 < count && _trigramSlots.TryGetValue(((UInt128)pair << 32) | (uint)keys[i + 2], out slot))
            {
                scratch.Add(slot);
            }
        }

        // TF-IDF as ML.NET stores it (float of count × idf), then the L2 norm of those floats.
        double sumOfSquares = 0;
        double dot = 0;
        foreach (var slot in scratch.Touched)
        {
            var value = (float)(scratch.Counts[slot] * _idf[slot]);
            sumOfSquares += (double)value * value;
            dot += (double)value * _weights[slot];
        }

        var any = scratch.Touched.Length > 0;
        scratch.Clear();
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

    /// <summary>One scoring call's buffers: n-gram counts by slot (dense, reset through the touched list), keys, chars.</summary>
    private sealed class Scratch(int slots)
    {
        private readonly int[] _counts = new int[slots];
        private int[] _touched = new int[512];
        private int _touchedCount;
        private int[] _keys = new int[512];
        private char[] _chars = new char[8192];

        public ReadOnlySpan<int> Touched => _touched.AsSpan(0, _touchedCount);

        public int[] Counts => _counts;

        public void Add(int slot)
        {
            if (_counts[slot]++ == 0)
            {
                if (_touchedCount == _touched.Length)
                {
                    Array.Resize(ref _touched, _touched.Length * 2);
                }

                _touched[_touchedCount++] = slot;
            }
        }

        public void Clear()
        {
            foreach (var slot in Touched)
            {
                _counts[slot] = 0;
            }

            _touchedCount = 0;
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

    private sealed class ScratchPolicy(int slots) : PooledObjectPolicy<Scratch>
    {
        public override Scratch Create() => new(slots);

        // A scratch that grew for a very long review keeps its buffers; they are bounded by the longest review scored.
        public override bool Return(Scratch obj) => true;
    }
}
