namespace Fathom.Pipelines;

/// <summary>The stages of a <c>dvc.lock</c> in file order (DVC updates entries in place and appends new ones).</summary>
internal sealed class LockFile
{
    private readonly List<KeyValuePair<string, LockEntry>> _stages = [];

    public IReadOnlyList<KeyValuePair<string, LockEntry>> Stages => _stages;

    public LockEntry? Get(string stage)
    {
        foreach (var (name, entry) in _stages)
        {
            if (name == stage)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Replaces a stage's entry where it stands, or appends it (as DVC's <c>Lockfile.dump</c> does).</summary>
    public void Set(string stage, LockEntry entry)
    {
        for (var i = 0; i < _stages.Count; i++)
        {
            if (_stages[i].Key == stage)
            {
                _stages[i] = new(stage, entry);
                return;
            }
        }

        _stages.Add(new(stage, entry));
    }
}
