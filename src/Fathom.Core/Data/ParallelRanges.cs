using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Fathom.Data;

/// <summary>
/// Runs a synchronous body over a list in a few contiguous ranges per worker. Callers sort the list by destination
/// folder, so workers create files in different folders at once: two threads creating and renaming in one folder
/// queue on that folder's lock in the kernel, which on a checkout of 20,000 small files costs more system time than the
/// copies. Synchronous on purpose: a local copy of 4 KiB finishes before an async hop would pay for itself.
/// </summary>
internal static class ParallelRanges
{
    // A few ranges per worker keep the load balanced when one range is slower, while neighbours stay far apart.
    private const int RangesPerWorker = 4;

    public static void ForEach<T>(IReadOnlyList<T> items, int jobs, Action<T> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(body);
        if (items.Count == 0)
        {
            return;
        }

        var size = Math.Max(1, (items.Count + (jobs * RangesPerWorker) - 1) / (jobs * RangesPerWorker));
        try
        {
            Parallel.ForEach(Partitioner.Create(0, items.Count, size), new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    body(items[i]);
                }
            });
        }
        catch (AggregateException e)
        {
            // The first failure itself (a DataException keeps its exit code), not a bundle of them.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
