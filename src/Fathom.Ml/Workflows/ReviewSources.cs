using Fathom.Reviews;

namespace Fathom.Workflows;

/// <summary>Turns the paths users give into the train and test sets, following the IMDB layout's conventions.</summary>
internal static class ReviewSources
{
    /// <summary>
    /// The training path's <c>train</c> split when it has one (else all of it), and the test path, or else
    /// the training path's <c>test</c> split when it has one.
    /// </summary>
    public static (string Path, string? Split, string? TestPath, string? TestSplit) Resolve(string dataPath, string? testPath)
    {
        if (!File.Exists(dataPath) && !Directory.Exists(dataPath))
        {
            throw new FileNotFoundException($"Training data '{dataPath}' does not exist: give a review folder or a *.jsonl.gz file.", dataPath);
        }

        if (testPath is not null && !File.Exists(testPath) && !Directory.Exists(testPath))
        {
            throw new FileNotFoundException($"Test data '{testPath}' does not exist: give a review folder or a *.jsonl.gz file.", testPath);
        }

        var hasTrain = Directory.Exists(Path.Combine(dataPath, "train"));
        var hasTest = Directory.Exists(Path.Combine(dataPath, "test"));
        return testPath is not null
            ? (dataPath, hasTrain ? "train" : null, testPath, Directory.Exists(Path.Combine(testPath, "test")) ? "test" : null)
            : (dataPath, hasTrain ? "train" : null, hasTrain && hasTest ? dataPath : null, hasTrain && hasTest ? "test" : null);
    }

    /// <summary>The folder to hash for lineage: the split folder when one is used, so the hash names exactly the data read.</summary>
    public static string HashTarget(string path, string? split) =>
        split is not null && Directory.Exists(Path.Combine(path, split)) ? Path.Combine(path, split) : path;

    public static List<Review> ReadAll(string path, string? split, List<ReviewReadError> errors) =>
        ReviewReader.Read(path, split, errors.Add).ToList();
}
