namespace Fathom.Sentiment;

/// <summary>What a training run produced: the model, its metrics, the data counts and where the time went.</summary>
/// <param name="Model">The trained model; the caller owns (disposes) it.</param>
/// <param name="Metrics"><c>val_accuracy</c>, <c>val_f1</c>, <c>val_roc_auc</c>, <c>val_log_loss</c> and, with a test set, the same with <c>test_</c>.</param>
/// <param name="TrainCount">Reviews the classifier was fitted on (training reviews minus the validation share).</param>
/// <param name="ValidationCount">Reviews held out for the <c>val_*</c> metrics.</param>
/// <param name="TestCount">Test reviews evaluated (0 without a test set).</param>
/// <param name="UnlabeledCount">Reviews without a label, skipped.</param>
/// <param name="PrepareDuration">Cleaning and splitting.</param>
/// <param name="FitDuration">Featuriser fitting, featurisation and classifier training.</param>
/// <param name="EvaluateDuration">Scoring the validation and test sets.</param>
/// <param name="Options">The options the run used.</param>
internal sealed record SentimentTrainingResult(
    SentimentModel Model,
    IReadOnlyDictionary<string, double> Metrics,
    int TrainCount,
    int ValidationCount,
    int TestCount,
    int UnlabeledCount,
    TimeSpan PrepareDuration,
    TimeSpan FitDuration,
    TimeSpan EvaluateDuration,
    SentimentTrainingOptions Options)
{
    /// <summary>Preparation, fitting and evaluation together.</summary>
    public TimeSpan TotalDuration => PrepareDuration + FitDuration + EvaluateDuration;
}
