using System.Globalization;
using Fathom.Config;
using Fathom.Sentiment;

namespace Fathom.Workflows;

/// <summary>
/// The <c>train</c> section of a Hydra-style config (the reference template's <c>conf/base/pipelines.yml</c>), mapped onto
/// <c>fathom train</c>: <c>data_path</c> → <c>--data</c>, <c>test_data_path</c> → <c>--test</c>, <c>val_split</c> →
/// <c>validation_fraction</c>, <c>optimiser</c> → <c>trainer</c> (lbfgs or sdca), and the trainer's own keys by their names.
/// Unset keys keep the trainer's defaults; explicit flags (<c>--data</c>, <c>--set</c>) win over the config.
/// </summary>
internal sealed class TrainingConfig
{
    /// <summary>The section's key.</summary>
    public const string Section = "train";

    public string? DataPath { get; init; }

    public string? TestDataPath { get; init; }

    public double? ValSplit { get; init; }

    public int? Seed { get; init; }

    public string? Optimiser { get; init; }

    public int? NgramLength { get; init; }

    public int? MaxNgrams { get; init; }

    [ConfigKey("l2")]
    public double? L2 { get; init; }

    [ConfigKey("l1")]
    public double? L1 { get; init; }

    public double? Tolerance { get; init; }

    public int? MaxIterations { get; init; }

    public bool? TextIsClean { get; init; }

    /// <summary>
    /// <paramref name="options"/> with the section's settings applied, each checked by the trainer's own rules; a
    /// refusal names the key and the file and line it was set at.
    /// </summary>
    public static SentimentTrainingOptions Apply(SentimentTrainingOptions options, ConfigMap resolved)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolved);
        var section = ConfigBinder.Bind<TrainingConfig>(resolved, Section);
        var settings = new (string ConfigKey, string OptionKey, object? Value)[]
        {
            ("val_split", "validation_fraction", section.ValSplit),
            ("seed", "seed", section.Seed),
            ("optimiser", "trainer", section.Optimiser),
            ("ngram_length", "ngram_length", section.NgramLength),
            ("max_ngrams", "max_ngrams", section.MaxNgrams),
            ("l2", "l2", section.L2),
            ("l1", "l1", section.L1),
            ("tolerance", "tolerance", section.Tolerance),
            ("max_iterations", "max_iterations", section.MaxIterations),
            ("text_is_clean", "text_is_clean", section.TextIsClean),
        };
        foreach (var (configKey, optionKey, value) in settings)
        {
            if (value is null)
            {
                continue;
            }

            var text = value switch
            {
                bool b => b ? "true" : "false",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString()!,
            };
            try
            {
                options = options.Apply([(optionKey, text)]);
            }
            catch (ArgumentException e)
            {
                var where = ConfigOverrides.Select(resolved, [Section, configKey])?.Source;
                throw new ConfigException(where, $"{Section}.{configKey}", e.Message);
            }
        }

        return options;
    }

    /// <summary>The data paths the section names, for when <c>--data</c>/<c>--test</c> are not given.</summary>
    public static (string? Data, string? Test) Paths(ConfigMap resolved)
    {
        var section = ConfigBinder.Bind<TrainingConfig>(resolved, Section);
        return (section.DataPath, section.TestDataPath);
    }
}
