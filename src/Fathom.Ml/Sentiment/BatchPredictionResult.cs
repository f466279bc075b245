using Fathom.Reviews;

namespace Fathom.Sentiment;

/// <summary>What a batch prediction did.</summary>
/// <param name="FilesScored">Lines written, one per scored file.</param>
/// <param name="Failed">Files that could not be read, with the reason; they have no line in the output.</param>
/// <param name="Duration">Wall time from the first file listed to the last line flushed.</param>
internal sealed record BatchPredictionResult(long FilesScored, IReadOnlyList<ReviewReadError> Failed, TimeSpan Duration);
