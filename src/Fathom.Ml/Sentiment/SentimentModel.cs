using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace Fathom.Sentiment;

/// <summary>
/// A trained sentiment model ready to score raw reviews: cleaning, featurisation and the classifier are all inside
/// the ML.NET transformer chain, so a raw review goes in and a probability of "positive" comes out.
/// </summary>
/// <remarks>
/// Thread-safe: ML.NET's <see cref="PredictionEngine{TSrc,TDst}"/> is not, so each call rents one from a pool
/// (one engine per concurrently scoring thread, reused across requests; creating one costs far more than a
/// prediction). Scoring through the pool was measured fast enough for the serving target (see the Fathom.Ml
/// README), so the model is not re-implemented by hand outside ML.NET, which keeps <c>model.zip</c> the single
/// source of truth.
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

    internal SentimentModel(MLContext mlContext, ITransformer transformer, DataViewSchema inputSchema)
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
    }

    /// <summary>The ML.NET transformer chain: raw <c>Text</c> in, <c>Probability</c> out.</summary>
    internal ITransformer Transformer { get; }

    /// <summary>The label of a probability: <see cref="Positive"/> when above 0.5, else <see cref="Negative"/>.</summary>
    public static string SentimentOf(float probability) => probability > 0.5f ? Positive : Negative;

    /// <summary>Loads a model saved by <see cref="Save(Stream)"/> (an ML.NET <c>model.zip</c>).</summary>
    public static SentimentModel Load(Stream modelZip)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        var mlContext = CreateContext(seed: null);
        var transformer = mlContext.Model.Load(modelZip, out var inputSchema);
        return new SentimentModel(mlContext, transformer, inputSchema);
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

    /// <summary>The probability that a raw review is positive.</summary>
    public float PredictProbability(string rawText)
    {
        ArgumentNullException.ThrowIfNull(rawText);
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

    public void Dispose() => (_scorers as IDisposable)?.Dispose();

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
