using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace Fathom.Sentiment;

/// <summary>
/// A trained sentiment model ready to score raw reviews: cleaning, featurisation and the classifier are all inside
/// the ML.NET transformer chain, so a raw review goes in and a probability of "positive" comes out.
/// </summary>
/// <remarks>
/// Scores with <see cref="LinearSentimentScorer"/>, which reads the parameters out of the ML.NET chain once and does
/// the same arithmetic directly (about 3× less time per review than a prediction engine; see the Fathom.Ml README),
/// when the chain has the shape the trainer builds and the two agree on probe texts at load. Otherwise — another
/// shape, or <see cref="SentimentScoring.MlNet"/> asked for — it scores with ML.NET, and <see cref="FallbackReason"/>
/// says why, for the caller to show. <c>model.zip</c> stays the single source of truth either way.
/// Thread-safe: ML.NET's <see cref="PredictionEngine{TSrc,TDst}"/> is not, so each call rents one from a pool
/// (one engine per concurrently scoring thread, reused across requests; creating one costs far more than a
/// prediction).
/// </remarks>
internal sealed class SentimentModel : IDisposable
{
    /// <summary>The label for a probability above 0.5.</summary>
    public const string Positive = "positive";

    /// <summary>The label for a probability of 0.5 or less.</summary>
    public const string Negative = "negative";

    private readonly MLContext _mlContext;
    private readonly DataViewSchema _inputSchema;
    private readonly ObjectPool<Scorer> _scorers;
    private readonly LinearSentimentScorer? _linear;
    private bool _disposed;

    internal SentimentModel(MLContext mlContext, ITransformer transformer, DataViewSchema inputSchema, SentimentScoring scoring = SentimentScoring.Auto)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(inputSchema);
        _mlContext = mlContext;
        Transformer = transformer;
        _inputSchema = inputSchema;
        // Engines beyond the retained count are created and dropped under bursts; 4 per core covers the server's
        // concurrency without holding many idle engines.
        // The provider hands out a disposing pool for IDisposable items: Dispose() frees the retained engines.
        _scorers = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }.Create(new ScorerPolicy(this));
        if (scoring == SentimentScoring.MlNet)
        {
            FallbackReason = "ML.NET's engine was asked for";
            return;
        }

        _linear = LinearSentimentScorer.TryCreate(transformer, inputSchema, out var unsupported);
        FallbackReason = unsupported is null ? Disagreement(_linear!) : $"the direct scorer does not read this model: {unsupported}";
        if (FallbackReason is not null)
        {
            _linear = null;
        }
    }

    /// <summary>Which engine scores: "linear" (the direct scorer) or "ML.NET".</summary>
    public string Engine => _linear is null ? "ML.NET" : "linear";

    /// <summary>Why the direct scorer is not used (null when it is): scoring is correct either way, only slower.</summary>
    public string? FallbackReason { get; }

    /// <summary>The ML.NET transformer chain: raw <c>Text</c> in, <c>Probability</c> out.</summary>
    internal ITransformer Transformer { get; }

    /// <summary>The label of a probability: <see cref="Positive"/> when above 0.5, else <see cref="Negative"/>.</summary>
    public static string SentimentOf(float probability) => probability > 0.5f ? Positive : Negative;

    /// <summary>Loads a model saved by <see cref="Save(Stream)"/> (an ML.NET <c>model.zip</c>).</summary>
    public static SentimentModel Load(Stream modelZip, SentimentScoring scoring = SentimentScoring.Auto)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        var mlContext = CreateContext(seed: null);
        var transformer = mlContext.Model.Load(modelZip, out var inputSchema);
        return new SentimentModel(mlContext, transformer, inputSchema, scoring);
    }

    /// <summary>An ML.NET context that can load this assembly's custom cleaning step.</summary>
    internal static MLContext CreateContext(int? seed)
    {
        var mlContext = new MLContext(seed);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(ReviewCleaningMapping).Assembly);
        return mlContext;
    }

    /// <summary>Writes the model as an ML.NET model zip.</summary>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _mlContext.Model.Save(Transformer, _inputSchema, destination);
    }

    /// <summary>
    /// Scores a few texts until the scoring path is compiled and its buffers exist, so a server's first requests
    /// do not pay for that; a few ms. With ML.NET's engine it also creates one pooled engine per core.
    /// </summary>
    public void WarmUp()
    {
        string[] texts = _linear is null ? ["a good movie", "a bad movie"] : [.. _linear.ProbeTexts()];
        Parallel.For(0, Environment.ProcessorCount * 8, _ => PredictProbabilities(texts, new float[texts.Length]));
    }

    /// <summary>The probability that a raw review is positive.</summary>
    public float PredictProbability(string rawText)
    {
        ArgumentNullException.ThrowIfNull(rawText);
        if (_linear is not null)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _linear.PredictProbability(rawText);
        }

        var scorer = _scorers.Get();
        try
        {
            return scorer.Score(rawText);
        }
        finally
        {
            _scorers.Return(scorer);
        }
    }

    /// <summary>Scores a batch with one pooled engine; <paramref name="probabilities"/> must be at least as long as <paramref name="texts"/>.</summary>
    public void PredictProbabilities(ReadOnlySpan<string> texts, Span<float> probabilities)
    {
        if (probabilities.Length < texts.Length)
        {
            throw new ArgumentException($"Need room for {texts.Length} probabilities, got {probabilities.Length}.", nameof(probabilities));
        }

        if (_linear is not null)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = 0; i < texts.Length; i++)
            {
                probabilities[i] = _linear.PredictProbability(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
            }

            return;
        }

        var scorer = _scorers.Get();
        try
        {
            for (var i = 0; i < texts.Length; i++)
            {
                probabilities[i] = scorer.Score(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
            }
        }
        finally
        {
            _scorers.Return(scorer);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        (_scorers as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Scores the direct scorer's probe texts with both engines; a difference over 1e-5 (rounding is ~1e-7) means the
    /// direct scorer misreads this model, so it is not used. Costs one prediction engine and a few ms at load.
    /// </summary>
    private string? Disagreement(LinearSentimentScorer linear)
    {
        var scorer = _scorers.Get();
        try
        {
            foreach (var text in linear.ProbeTexts())
            {
                var expected = scorer.Score(text);
                var actual = linear.PredictProbability(text);
                if (!(Math.Abs(expected - actual) <= 1e-5))
                {
                    return $"the direct scorer gave {actual} where ML.NET gives {expected} on a probe text of {text.Length} chars";
                }
            }

            return null;
        }
        finally
        {
            _scorers.Return(scorer);
        }
    }

    private Scorer CreateScorer()
    {
        // Building an engine walks the shared transformer chain; serialise it rather than rely on ML.NET's
        // undocumented thread-safety there. It happens only a few times per model.
        lock (_mlContext)
        {
            return new Scorer(_mlContext.Model.CreatePredictionEngine<ReviewTextRow, SentimentScoreRow>(Transformer, _inputSchema));
        }
    }

    /// <summary>One prediction engine with its reusable input and output rows; used by one thread at a time.</summary>
    private sealed class Scorer(PredictionEngine<ReviewTextRow, SentimentScoreRow> engine) : IDisposable
    {
        private readonly ReviewTextRow _input = new();
        private SentimentScoreRow _output = new();

        public float Score(string text)
        {
            _input.Text = text;
            engine.Predict(_input, ref _output);
            return _output.Probability;
        }

        public void Dispose() => engine.Dispose();
    }

    private sealed class ScorerPolicy(SentimentModel model) : PooledObjectPolicy<Scorer>
    {
        public override Scorer Create() => model.CreateScorer();

        public override bool Return(Scorer obj) => true;
    }
}
