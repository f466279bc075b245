using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Keeps cached stage outputs out of git as <c>dvc repro</c> does: <c>/name</c> in the <c>.gitignore</c> beside each
/// output (outputs with <c>cache: false</c> stay visible to git, since git is what versions them).
/// </summary>
internal static class OutputGitignore
{
    /// <summary>Adds the entry unless present; returns true when the file changed.</summary>
    public static bool Add(string repositoryRoot, string fullPath)
    {
        var full = PipelineGraph.Normalize(fullPath);
        var folder = Path.GetDirectoryName(full)!;
        // Only inside the repository: an output elsewhere has no .gitignore of ours to go in.
        if (!PipelineGraph.Overlaps(PipelineGraph.Normalize(repositoryRoot), folder))
        {
            return false;
        }

        var path = Path.Combine(folder, ".gitignore");
        var entry = "/" + Path.GetFileName(full);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        if (existing.Split('\n').Any(l => l.TrimEnd('\r') == entry))
        {
            return false;
        }

        var separator = existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : "";
        AtomicFile.WriteAllText(path, existing + separator + entry + "\n");
        return true;
    }
}
