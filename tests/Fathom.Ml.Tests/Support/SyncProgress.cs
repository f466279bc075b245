namespace Fathom.Support;

/// <summary>Reports on the calling thread (under a lock), unlike <see cref="Progress{T}"/>, so a test sees every report before it asserts.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _lock = new();

    public void Report(T value)
    {
        lock (_lock)
        {
            report(value);
        }
    }
}
