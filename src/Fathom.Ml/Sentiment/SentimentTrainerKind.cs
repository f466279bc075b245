namespace Fathom.Sentiment;

/// <summary>The linear classifier behind the sentiment model; both are logistic regression, so both give probabilities.</summary>
internal enum SentimentTrainerKind
{
    /// <summary>L-BFGS (OWL-QN when L1 &gt; 0) logistic regression: the default, see <see cref="SentimentTrainer"/>.</summary>
    Lbfgs,

    /// <summary>Stochastic dual coordinate ascent logistic regression.</summary>
    Sdca,
}
