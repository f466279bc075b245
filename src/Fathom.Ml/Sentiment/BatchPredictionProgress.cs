namespace Fathom.Sentiment;

/// <summary>Batch prediction progress: files scored and written so far, and files that could not be read.</summary>
internal sealed record BatchPredictionProgress(long FilesDone, long FilesFailed);
