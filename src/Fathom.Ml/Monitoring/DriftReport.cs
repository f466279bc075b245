using System.Text.Json.Serialization;

namespace Fathom.Monitoring;

/// <summary>A drift check: recent traffic against the model's training baseline, feature by feature.</summary>
internal sealed record DriftReport(
    [property: JsonPropertyName("baseline_reviews")] int BaselineReviews,
    [property: JsonPropertyName("recent_reviews")] int RecentReviews,
    [property: JsonPropertyName("since")] DateTimeOffset? Since,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("features")] IReadOnlyList<FeatureDrift> Features)
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Drift = "drift";
    public const string TooFew = "too_few_samples";

    public bool Drifted => Verdict == Drift;

    /// <summary>Compares the two samples; each feature's verdict is the worse of its PSI band and its KS test.</summary>
    public static DriftReport Compare(TrafficSample baseline, TrafficSample recent, DriftThresholds thresholds, DateTimeOffset? since)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(recent);
        ArgumentNullException.ThrowIfNull(thresholds);
        var positive = new[] { 0.5 + 1e-9 }; // two bins: negative (≤ 0.5) and positive, as the API labels them
        var features = new List<FeatureDrift>
        {
            Feature("score", baseline.Scores, recent.Scores, DriftStatistics.QuantileEdges(baseline.Scores), thresholds, ks: true),
            Feature("predicted_positive_rate", baseline.Scores, recent.Scores, positive, thresholds, ks: false),
            Feature("text_length_words", baseline.Words, recent.Words, DriftStatistics.QuantileEdges(baseline.Words), thresholds, ks: true),
        };
        if (baseline.OutOfVocabularyRates.Count > 0 && recent.OutOfVocabularyRates.Count > 0)
        {
            features.Add(Feature("out_of_vocabulary_rate", baseline.OutOfVocabularyRates, recent.OutOfVocabularyRates,
                DriftStatistics.QuantileEdges(baseline.OutOfVocabularyRates), thresholds, ks: true));
        }

        var verdict = recent.Count < thresholds.MinSamples ? TooFew
            : features.Any(f => f.Verdict == Drift) ? Drift
            : features.Any(f => f.Verdict == Warn) ? Warn
            : Ok;
        if (verdict == TooFew)
        {
            features = features.Select(f => f with { Verdict = TooFew }).ToList();
        }

        return new DriftReport(baseline.Count, recent.Count, since, verdict, features);
    }

    private static FeatureDrift Feature(string name, List<double> baseline, List<double> recent, double[] edges, DriftThresholds thresholds, bool ks)
    {
        var psi = recent.Count == 0 ? double.NaN : DriftStatistics.PopulationStabilityIndex(baseline, recent, edges);
        var (d, p) = ks ? DriftStatistics.KolmogorovSmirnov(baseline, recent) : (double.NaN, double.NaN);
        var ksDrift = ks && p < thresholds.KsPValue && d >= thresholds.KsStatistic;
        var verdict = psi >= thresholds.PsiDrift || ksDrift ? Drift : psi >= thresholds.PsiWarn ? Warn : Ok;
        var baselineMean = name == "predicted_positive_rate" ? baseline.Count(s => s > 0.5) / (double)Math.Max(1, baseline.Count) : Mean(baseline);
        var recentMean = name == "predicted_positive_rate" ? recent.Count(s => s > 0.5) / (double)Math.Max(1, recent.Count) : Mean(recent);
        return new FeatureDrift(name, baselineMean, recentMean, psi, ks ? d : null, ks ? p : null, verdict,
            [.. edges], DriftStatistics.Shares(baseline, edges), DriftStatistics.Shares(recent, edges));
    }

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
}

/// <summary>One feature's comparison, with the bins the report draws.</summary>
internal sealed record FeatureDrift(
    [property: JsonPropertyName("feature")] string Name,
    [property: JsonPropertyName("baseline_mean")] double BaselineMean,
    [property: JsonPropertyName("recent_mean")] double RecentMean,
    [property: JsonPropertyName("psi")] double Psi,
    [property: JsonPropertyName("ks_statistic")] double? KsStatistic,
    [property: JsonPropertyName("ks_p_value")] double? KsPValue,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("bin_edges")] IReadOnlyList<double> BinEdges,
    [property: JsonPropertyName("baseline_shares")] IReadOnlyList<double> BaselineShares,
    [property: JsonPropertyName("recent_shares")] IReadOnlyList<double> RecentShares);
