namespace Fathom.Monitoring;

/// <summary>Where the prediction log goes, how much of the traffic it keeps and how much disk it may use.</summary>
internal sealed record PredictionLogOptions(string Folder)
{
    /// <summary>
    /// The share of requests logged (all their reviews), from 0 to 1. A tenth by default: measuring a review (cleaning,
    /// words, vocabulary look-ups) costs about what scoring it does, so logging every request took 40–60 % more server
    /// CPU in the serving bench, and a tenth of the traffic is plenty for deciles and a KS test.
    /// </summary>
    public double SampleRate { get; init; } = 0.1;

    public long MaxFileBytes { get; init; } = 16L << 20;

    /// <summary>Files kept; the oldest beyond this are removed, so the log stays under MaxFiles × MaxFileBytes.</summary>
    public int MaxFiles { get; init; } = 8;

    public void Validate()
    {
        if (SampleRate is < 0 or > 1 || double.IsNaN(SampleRate))
        {
            throw new ArgumentException($"--prediction-sample must be between 0 and 1 (got {SampleRate}).");
        }

        if (MaxFileBytes < 4096 || MaxFiles < 1)
        {
            throw new ArgumentException("--prediction-log-max-mb must be at least 1 and the log must keep at least one file.");
        }
    }
}
