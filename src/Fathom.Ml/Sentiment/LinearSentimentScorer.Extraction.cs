using System.Collections;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;

namespace Fathom.Sentiment;

/// <summary>Reading the parameters out of the ML.NET transformer chain that <see cref="SentimentTrainer"/> builds.</summary>
/// <remarks>
/// ML.NET keeps the n-gram dictionary, the IDF weights, the tokenizer's separators and the normaliser's settings
/// private, so they are read by reflection (field names of Microsoft.ML 5.0, pinned in Directory.Packages.props).
/// Anything not exactly the expected shape — another transform, another trainer, skip-grams, a field renamed by an
/// ML.NET upgrade — is not guessed at: <see cref="TryCreate"/> returns null with the reason, and the model scores
/// with ML.NET's engine. The vocabulary and the linear weights come through public API.
/// </remarks>
internal sealed partial class LinearSentimentScorer
{
    private const int MaxNgramLength = 3;

    /// <summary>Builds a scorer from the model's transformer chain, or returns null and says why the chain is not one it can read.</summary>
    public static LinearSentimentScorer? TryCreate(ITransformer transformer, DataViewSchema inputSchema, out string? unsupportedReason)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(inputSchema);
        try
        {
            unsupportedReason = null;
            return new LinearSentimentScorer(Extract(transformer, inputSchema));
        }
        catch (UnsupportedModelException e)
        {
            unsupportedReason = e.Message;
            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or TargetInvocationException or AmbiguousMatchException or IndexOutOfRangeException or InvalidOperationException)
        {
            // ML.NET's internals read by reflection turned out other than expected: not this scorer's model.
            unsupportedReason = $"reading its parameters failed ({e.GetType().Name}: {e.Message})";
            return null;
        }
    }

    /// <summary>
    /// Texts that exercise the parameters: runs of vocabulary words (so most unigram and many n-gram slots fire),
    /// the dictionary's own n-grams in sequence, unknown words, blanks. The model load scores them with both
    /// engines and keeps this one only if they agree.
    /// </summary>
    public IEnumerable<string> ProbeTexts()
    {
        yield return "";
        yield return "   ";
        yield return "qqxz zzvq unknownwordsonly";
        var terms = _terms;
        if (terms.Length == 0)
        {
            yield break;
        }

        for (var probe = 0; probe < 8; probe++)
        {
            var words = Enumerable.Range(0, 40 + (probe * 20)).Select(i => terms[(int)(((long)i * 7919 + (probe * 104729)) % terms.Length)]);
            yield return string.Join(' ', words) + (probe % 2 == 0 ? " <br /> The END!" : "");
        }

        var bigrams = _probeBigrams.Select(pair => $"{Term((int)(pair >> 32))} {Term((int)(uint)pair)}");
        yield return string.Join(" . ", bigrams);
        yield return string.Join(' ', Enumerable.Repeat(terms[0], 50));
    }

    private string Term(int key) => key >= 1 && key <= _terms.Length ? _terms[key - 1] : "qqxz";

    private static Parameters Extract(ITransformer transformer, DataViewSchema inputSchema)
    {
        var steps = new List<ITransformer>();
        Flatten(transformer, steps);
        if (steps.Count != 6
            || steps[0] is not CustomMappingTransformer<ReviewTextRow, CleanTextRow> cleaning
            || steps[1] is not WordTokenizingTransformer tokenizer
            || steps[2] is not ValueToKeyMappingTransformer
            || steps[3] is not NgramExtractingTransformer ngrams
            || steps[4] is not LpNormNormalizingTransformer normalizer
            || steps[5] is not ISingleFeaturePredictionTransformer<object> predictor)
        {
            throw new UnsupportedModelException(
                $"the model's steps are {string.Join(" → ", steps.Select(s => s.GetType().Name))}, not cleaning → tokenizer → keys → n-grams → Lp norm → binary classifier");
        }

        if (Read<string>(cleaning, "_contractName") != ReviewCleaningMapping.ContractName)
        {
            throw new UnsupportedModelException($"the cleaning step is '{Read<string>(cleaning, "_contractName")}', not {ReviewCleaningMapping.ContractName}");
        }

        // Each step must read the previous step's output: the chain is one line from CleanText to the classifier.
        var tokens = SingleColumn(tokenizer, nameof(CleanTextRow.CleanText));
        var keys = SingleColumn(steps[2], tokens);
        var ngramColumn = SingleColumn(ngrams, keys);
        var features = SingleColumn(normalizer, ngramColumn);
        if (predictor.FeatureColumnName != features)
        {
            throw new UnsupportedModelException($"the classifier reads '{predictor.FeatureColumnName}', not the normalised '{features}'");
        }

        var separators = Read<char[]>(Single(Read<object>(tokenizer, "_columns")), "SeparatorsArray");
        var terms = Terms(transformer.GetOutputSchema(inputSchema), keys);
        var vocabulary = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (var i = 0; i < terms.Length; i++)
        {
            if (!vocabulary.TryAdd(terms[i], i + 1))
            {
                throw new UnsupportedModelException($"the vocabulary holds '{terms[i]}' twice");
            }
        }

        var (ngramLength, unigrams, bigrams, trigrams, idf) = Ngrams(ngrams, terms.Length);
        var (scale, calibrator, weights, bias) = Classifier(normalizer, predictor.Model, idf.Length);
        return new Parameters(vocabulary, separators, ngramLength, unigrams, bigrams, trigrams, terms, idf, weights, bias, scale, calibrator);
    }

    private static void Flatten(ITransformer transformer, List<ITransformer> steps)
    {
        if (transformer is TransformerChain<ITransformer> chain)
        {
            foreach (var step in chain)
            {
                Flatten(step, steps);
            }
        }
        else if (transformer.GetType().IsGenericType && transformer.GetType().GetGenericTypeDefinition() == typeof(TransformerChain<>))
        {
            foreach (var step in (IEnumerable<ITransformer>)transformer)
            {
                Flatten(step, steps);
            }
        }
        else
        {
            steps.Add(transformer);
        }
    }

    private static string[] Terms(DataViewSchema schema, string keyColumn)
    {
        var column = schema.GetColumnOrNull(keyColumn) ?? throw new UnsupportedModelException($"no '{keyColumn}' column");
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
        {
            throw new UnsupportedModelException($"the '{keyColumn}' keys carry no vocabulary");
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    private static (int Length, int[] Unigrams, Dictionary<ulong, int> Bigrams, Dictionary<UInt128, int> Trigrams, double[] Idf) Ngrams(NgramExtractingTransformer ngrams, int keyCount)
    {
        var info = Single(Read<object>(ngrams, "_transformInfos"));
        var length = Read<int>(info, "NgramLength");
        var skip = Read<int>(info, "SkipLength");
        var weighting = Read<NgramExtractingEstimator.WeightingCriteria>(info, "Weighting");
        if (length is < 1 or > MaxNgramLength || skip != 0)
        {
            throw new UnsupportedModelException($"n-grams of length {length} with {skip} skips (this scorer reads 1 to {MaxNgramLength}, no skips)");
        }

        if (weighting is not (NgramExtractingEstimator.WeightingCriteria.TfIdf or NgramExtractingEstimator.WeightingCriteria.Tf))
        {
            throw new UnsupportedModelException($"n-gram weighting {weighting} (this scorer reads TF-IDF and TF)");
        }

        var pool = Single(Read<object>(ngrams, "_ngramMaps"));
        var count = Read<int>(pool, "Count");
        var getById = pool.GetType().GetMethod("GetById", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(int), typeof(uint[]).MakeByRefType()])
            ?? throw new UnsupportedModelException("ML.NET's n-gram dictionary has no GetById(int, ref uint[])");
        double[] idf;
        if (weighting == NgramExtractingEstimator.WeightingCriteria.TfIdf)
        {
            var all = (double[])Single(Read<object>(ngrams, "_invDocFreqs"));
            if (all.Length < count)
            {
                throw new UnsupportedModelException($"{all.Length} IDF weights for {count} n-grams");
            }

            idf = all[..count];
        }
        else
        {
            idf = [.. Enumerable.Repeat(1.0, count)];
        }

        var unigrams = Enumerable.Repeat(-1, keyCount + 1).ToArray();
        var bigrams = new Dictionary<ulong, int>(NgramKeyComparer.Instance);
        var trigrams = new Dictionary<UInt128, int>(NgramKeyComparer.Instance);
        var arguments = new object?[] { 0, new uint[length] };
        for (var slot = 0; slot < count; slot++)
        {
            arguments[0] = slot;
            var n = (int)getById.Invoke(pool, arguments)!;
            var gram = (uint[])arguments[1]!;
            if (gram.Take(n).Any(k => k > keyCount))
            {
                throw new UnsupportedModelException($"n-gram {slot} names a key beyond the vocabulary's {keyCount}");
            }

            switch (n)
            {
                case 1:
                    unigrams[gram[0]] = slot;
                    break;
                case 2:
                    bigrams[((ulong)gram[0] << 32) | gram[1]] = slot;
                    break;
                case 3:
                    trigrams[(((UInt128)gram[0] << 64) | ((UInt128)gram[1] << 32)) | gram[2]] = slot;
                    break;
                default:
                    throw new UnsupportedModelException($"n-gram {slot} has length {n}");
            }
        }

        return (length, unigrams, bigrams, trigrams, idf);
    }

    private static (float Scale, ICalibrator Calibrator, float[] Weights, float Bias) Classifier(LpNormNormalizingTransformer normalizer, object model, int features)
    {
        var options = Single(Read<object>(normalizer, "_columns"));
        if (Read<LpNormNormalizingEstimatorBase.NormFunction>(options, "Norm") != LpNormNormalizingEstimatorBase.NormFunction.L2
            || Read<bool>(options, "EnsureZeroMean"))
        {
            throw new UnsupportedModelException("the normaliser is not a plain L2 norm (another norm, or zero mean)");
        }

        // A calibrated linear model: probability = calibrator(bias + w·x), whatever the trainer (L-BFGS or SDCA).
        var type = model.GetType();
        var subModel = Read<object>(model, "SubModel");
        if (subModel.GetType() != typeof(LinearBinaryModelParameters) || Read<object>(model, "Calibrator") is not ICalibrator calibrate)
        {
            throw new UnsupportedModelException($"the classifier is {type.Name}, not a calibrated linear binary model");
        }

        var linear = (LinearBinaryModelParameters)subModel;
        if (linear.Weights.Count != features)
        {
            throw new UnsupportedModelException($"{linear.Weights.Count} weights for {features} n-gram features");
        }

        return (Read<float>(options, "Scale"), calibrate, [.. linear.Weights], linear.Bias);
    }

    /// <summary>The one output column of a one-to-one transform, checked to read <paramref name="input"/>.</summary>
    private static string SingleColumn(ITransformer step, string input)
    {
        var pairs = Read<(string Output, string Input)[]>(step, "ColumnPairs");
        if (pairs.Length != 1 || pairs[0].Input != input)
        {
            throw new UnsupportedModelException($"{step.GetType().Name} maps {string.Join(", ", pairs.Select(p => $"{p.Input}→{p.Output}"))}, not one column from '{input}'");
        }

        return pairs[0].Output;
    }

    private static object Single(object collection)
    {
        var items = ((IEnumerable)collection).Cast<object>().ToList();
        return items.Count == 1 ? items[0] : throw new UnsupportedModelException($"{items.Count} columns in one step, not 1");
    }

    /// <summary>A field or property by name, public or not, declared on the type or a base type.</summary>
    private static T Read<T>(object target, string name)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            var value = type.GetField(name, Any) is { } field ? field.GetValue(target)
                : type.GetProperty(name, Any) is { } property ? property.GetValue(target)
                : null;
            if (value is T typed)
            {
                return typed;
            }

            if (value is not null)
            {
                throw new UnsupportedModelException($"{target.GetType().Name}.{name} is a {value.GetType().Name}, not a {typeof(T).Name}");
            }
        }

        throw new UnsupportedModelException($"ML.NET's {target.GetType().Name} has no {name} (another ML.NET version?)");
    }

    private sealed class UnsupportedModelException(string message) : Exception(message);
}
