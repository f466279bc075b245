namespace Fathom.Testing;

/// <summary>The repository's bundled IMDB sample (samples/imdb), found from the test's output folder.</summary>
internal static class RepositorySamples
{
    public static string Imdb { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "imdb");
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/imdb not found above the test output folder.");
    }
}
