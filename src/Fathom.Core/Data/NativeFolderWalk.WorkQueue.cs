namespace Fathom.Data;

internal static partial class NativeFolderWalk
{
    /// <summary>
    /// Folders waiting to be listed, shared by the threads listing them: a listed folder adds its subfolders, so the work
    /// is known only as it is done. Plain threads and a monitor rather than <c>Parallel.For</c>: its first use jitted
    /// its worker and set up its event source, a few milliseconds of a status that has 150 in all.
    /// </summary>
    private sealed class WorkQueue(List<FolderListing> folders, IgnoreCheck isIgnored)
    {
        private readonly Queue<FolderListing> _pending = new(folders);
        private readonly int _topLevel = folders.Count;
        private int _outstanding = folders.Count;
        private bool _stopped;
        private bool _failed;
        private Exception? _error;

        /// <summary>Lists every folder on this thread and <paramref name="threads"/> - 1 more; false when any failed.</summary>
        public bool Run(int threads)
        {
            for (var i = 1; i < Math.Min(threads, _topLevel); i++)
            {
                new Thread(Work, 256 * 1024) { IsBackground = true, Name = "fathom folder listing" }.Start();
            }

            Work();
            lock (_pending)
            {
                if (_error is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
                }

                return !_failed;
            }
        }

        private void Work()
        {
            var buffer = new byte[DirentBufferSize];
            while (true)
            {
                FolderListing folder;
                lock (_pending)
                {
                    while (_pending.Count == 0 && _outstanding > 0 && !_stopped)
                    {
                        Monitor.Wait(_pending);
                    }

                    if (_stopped || _pending.Count == 0)
                    {
                        return;
                    }

                    folder = _pending.Dequeue();
                }

                bool listed;
                Exception? error = null;
                try
                {
                    listed = TryListOne(folder, isIgnored, buffer);
                }
                catch (Exception e)
                {
                    // Handed to the thread that started the walk: an exception on this thread would end the process.
                    listed = false;
                    error = e;
                }

                lock (_pending)
                {
                    if (!listed)
                    {
                        _failed = true;
                        _stopped = true;
                        _error ??= error;
                    }
                    else
                    {
                        foreach (var subfolder in folder.Subfolders)
                        {
                            _pending.Enqueue(subfolder);
                        }

                        _outstanding += folder.Subfolders.Count;
                    }

                    _outstanding--;
                    if (_stopped || _outstanding == 0 || _pending.Count > 0)
                    {
                        Monitor.PulseAll(_pending);
                    }
                }
            }
        }
    }
}
