using System.Globalization;

namespace Fathom.Sentiment;

/// <summary>
/// Everything that decides a sentiment training run. The defaults are the measured choice for the IMDB data (see
/// <see cref="SentimentTrainer"/>); each can be set from a <c>key=value</c> string (<see cref="Apply(IEnumerable{ValueTuple{string, string}})"/>) with the
/// snake_case keys of <see cref="Keys"/>, which are also the names logged as run params.
/// </summary>
internal sealed record SentimentTrainingOptions
{
    /// <summary>Seeds the train/validation split and the trainer.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Share of the training reviews held out for the <c>val_*</c> metrics; 0 trains on all of them.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Longest word n-gram (1 = unigrams, 2 = unigrams and bigrams, …).</summary>
    public int NgramLength { get; init; } = 2;

    /// <summary>Most n-grams of each length kept in the vocabulary (in order of first appearance in the shuffled data); caps model size.</summary>
    public int MaxNgrams { get; init; } = 300_000;

    /// <summary>The linear classifier.</summary>
    public SentimentTrainerKind Trainer { get; init; } = SentimentTrainerKind.Lbfgs;

    /// <summary>L2 regularisation weight.</summary>
    public float L2Regularization { get; init; } = 0.1f;

    /// <summary>L1 regularisation weight (sparser weights, smaller effective model).</summary>
    public float L1Regularization { get; init; }

    /// <summary>Convergence tolerance of the optimiser.</summary>
    public float Tolerance { get; init; } = 1e-4f;

    /// <summary>Upper bound on optimiser iterations (L-BFGS) or passes (SDCA).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// True when the texts were already cleaned by the data-prep step: training then skips cleaning (cleaning is not
    /// idempotent on chains of single letters). The saved model cleans at scoring time either way.
    /// </summary>
    public bool TextIsClean { get; init; }

    /// <summary>The keys <see cref="Apply(IEnumerable{ValueTuple{string, string}})"/> accepts, in documentation order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "seed", "validation_fraction", "ngram_length", "max_ngrams", "trainer", "l2", "l1", "tolerance", "max_iterations", "text_is_clean",
    ];

    /// <summary>Returns a copy with the given <c>key=value</c> settings applied, later keys winning.</summary>
    /// <exception cref="ArgumentException">A key is unknown or a value is invalid; the message names both and lists the valid keys.</exception>
    public SentimentTrainingOptions Apply(IEnumerable<(string Key, string Value)> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = this;
        foreach (var (key, value) in settings)
        {
            options = options.With(key?.Trim() ?? "", value?.Trim() ?? "");
        }

        return options;
    }

    /// <summary>Parses <c>key=value</c> strings (the CLI's <c>--param</c> form) and applies them.</summary>
    public SentimentTrainingOptions Apply(IEnumerable<string> keyValues)
    {
        ArgumentNullException.ThrowIfNull(keyValues);
        return Apply(keyValues.Select(kv =>
        {
            var equals = kv.IndexOf('=', StringComparison.Ordinal);
            return equals > 0
                ? (kv[..equals], kv[(equals + 1)..])
                : throw new ArgumentException($"Training option '{kv}' is not key=value. Valid keys: {string.Join(", ", Keys)}.", nameof(keyValues));
        }));
    }

    /// <summary>The options as run params (every key, invariant culture), for logging and the model manifest.</summary>
    public IReadOnlyDictionary<string, string> ToParameters() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["validation_fraction"] = ValidationFraction.ToString("R", CultureInfo.InvariantCulture),
        ["ngram_length"] = NgramLength.ToString(CultureInfo.InvariantCulture),
        ["max_ngrams"] = MaxNgrams.ToString(CultureInfo.InvariantCulture),
        ["trainer"] = Trainer.ToString().ToLowerInvariant(),
        ["l2"] = L2Regularization.ToString("R", CultureInfo.InvariantCulture),
        ["l1"] = L1Regularization.ToString("R", CultureInfo.InvariantCulture),
        ["tolerance"] = Tolerance.ToString("R", CultureInfo.InvariantCulture),
        ["max_iterations"] = MaxIterations.ToString(CultureInfo.InvariantCulture),
        ["text_is_clean"] = TextIsClean ? "true" : "false",
    };

    private SentimentTrainingOptions With(string key, string value) => key switch
    {
        "seed" => this with { Seed = ParseInt(key, value, int.MinValue) },
        "validation_fraction" => this with { ValidationFraction = ParseFraction(key, value) },
        "ngram_length" => this with { NgramLength = ParseInt(key, value, 1, 5) },
        "max_ngrams" => this with { MaxNgrams = ParseInt(key, value, 1) },
        "trainer" => this with { Trainer = ParseTrainer(key, value) },
        "l2" => this with { L2Regularization = ParseFloat(key, value, allowZero: true) },
        "l1" => this with { L1Regularization = ParseFloat(key, value, allowZero: true) },
        "tolerance" => this with { Tolerance = ParseFloat(key, value, allowZero: false) },
        "max_iterations" => this with { MaxIterations = ParseInt(key, value, 1) },
        "text_is_clean" => this with { TextIsClean = ParseBool(key, value) },
        _ => throw new ArgumentException($"Unknown training option '{key}'. Valid keys: {string.Join(", ", Keys)}."),
    };

    private static ArgumentException Invalid(string key, string value, string expected) =>
        new($"Invalid value '{value}' for training option '{key}': expected {expected}. Valid keys: {string.Join(", ", Keys)}.");

    private static int ParseInt(string key, string value, int min, int max = int.MaxValue) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw Invalid(key, value, min == int.MinValue ? "an integer" : max == int.MaxValue ? $"an integer >= {min}" : $"an integer from {min} to {max}");

    private static double ParseFraction(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and < 1
            ? parsed
            : throw Invalid(key, value, "a number >= 0 and < 1");

    private static float ParseFloat(string key, string value, bool allowZero) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && float.IsFinite(parsed) && (parsed > 0 || (allowZero && parsed == 0))
            ? parsed
            : throw Invalid(key, value, allowZero ? "a number >= 0" : "a number > 0");

    private static bool ParseBool(string key, string value) =>
        bool.TryParse(value, out var parsed) ? parsed : throw Invalid(key, value, "true or false");

    private static SentimentTrainerKind ParseTrainer(string key, string value) => value.ToLowerInvariant() switch
    {
        "lbfgs" => SentimentTrainerKind.Lbfgs,
        "sdca" => SentimentTrainerKind.Sdca,
        _ => throw Invalid(key, value, "lbfgs or sdca"),
    };
}
