using System.Buffers;
using Fathom.Reviews;

namespace Fathom.Monitoring;

/// <summary>
/// What the monitor compares of one scored review besides its score: its length in words and the share of its words
/// the training data never held, both counted on the cleaned text the model itself sees.
/// </summary>
internal readonly record struct ReviewTraits(int Words, double OutOfVocabularyRate)
{
    /// <summary>Measures one raw review against the training vocabulary (null: no vocabulary, the rate is NaN).</summary>
    public static ReviewTraits Of(string text, TrainingVocabulary? vocabulary)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Cleaned into pooled buffers, not a new string: the prediction log measures every sampled review.
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, text.Length * 2));
        try
        {
            var cleaned = buffer.AsSpan(text.Length, text.Length);
            cleaned = cleaned[..ReviewCleaner.Clean(text, buffer.AsSpan(0, text.Length), cleaned)];
            var words = 0;
            var unknown = 0;
            foreach (var range in cleaned.Split(' '))
            {
                var word = cleaned[range];
                if (word.IsEmpty)
                {
                    continue;
                }

                words++;
                if (vocabulary is not null && !vocabulary.Contains(word))
                {
                    unknown++;
                }
            }

            var rate = vocabulary is null ? double.NaN : words == 0 ? 0 : (double)unknown / words;
            return new ReviewTraits(words, rate);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
