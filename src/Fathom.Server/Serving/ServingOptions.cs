using Fathom.Monitoring;

namespace Fathom.Serving;

/// <summary>How <c>fathom serve</c> listens and what it accepts.</summary>
internal sealed class ServingOptions
{
    /// <summary>Address to bind; loopback by default so nothing is exposed by accident.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to bind; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Longest review text accepted, in characters (IMDB's longest review is about 14,000).</summary>
    public int MaxReviewLength { get; init; } = 100_000;

    /// <summary>Most reviews accepted in one request.</summary>
    public int MaxReviewsPerRequest { get; init; } = 10_000;

    /// <summary>Whether requests are measured and <c>/metrics</c> is served (Prometheus text format).</summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Whether requests of fewer than <see cref="MicroBatchMaxReviews"/> reviews are scored together with others.</summary>
    public bool MicroBatch { get; init; }

    /// <summary>How long a batch that holds a request waits for more before it is scored; zero takes only what is queued.</summary>
    public TimeSpan MicroBatchWait { get; init; } = TimeSpan.Zero;

    /// <summary>The most reviews scored in one micro-batch; larger requests are scored alone.</summary>
    public int MicroBatchMaxReviews { get; init; } = 64;

    /// <summary>Where sampled predictions are logged for <c>fathom monitor report</c>, or null for no log.</summary>
    public PredictionLogOptions? PredictionLog { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        PredictionLog?.Validate();
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"--port must be between 0 and 65535 (got {Port}).");
        }

        if (MaxReviewLength < 1)
        {
            throw new ArgumentException($"--max-review-length must be at least 1 (got {MaxReviewLength}).");
        }

        if (MicroBatchWait < TimeSpan.Zero || MicroBatchWait > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"--micro-batch-wait-us must be between 0 and 1000000 (got {MicroBatchWait.TotalMicroseconds}).");
        }

        if (MicroBatchMaxReviews < 2)
        {
            throw new ArgumentException($"--micro-batch-max must be at least 2 (got {MicroBatchMaxReviews}).");
        }

        if (MaxReviewsPerRequest < 1)
        {
            throw new ArgumentException($"--max-reviews must be at least 1 (got {MaxReviewsPerRequest}).");
        }
    }
}
