using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Fathom.Reviews;

namespace Fathom.Support;

/// <summary>
/// Small labelled review sets made up on the spot, so the tests depend on no data outside the repository: each
/// review mixes neutral movie words with sentiment words that mostly (not always) agree with its label, plus the
/// HTML breaks and punctuation of real IMDB reviews.
/// </summary>
internal static class SyntheticReviews
{
    private static readonly string[] Positive = ["great", "wonderful", "excellent", "loved", "brilliant", "superb", "moving", "best", "enjoyable", "masterpiece"];
    private static readonly string[] Negative = ["awful", "boring", "terrible", "hated", "worst", "dull", "waste", "poor", "horrible", "mess"];
    private static readonly string[] Neutral =
        ["the", "movie", "film", "plot", "actor", "scene", "story", "director", "camera", "music", "and", "was", "this", "with", "ending", "a", "i", "it's"];

    public static List<Review> Generate(int count, int seed, string split = "train")
    {
        var random = new Random(seed);
        var reviews = new List<Review>(count);
        for (var i = 0; i < count; i++)
        {
            var positive = i % 2 == 0;
            var text = new StringBuilder();
            var words = random.Next(20, 45);
            for (var w = 0; w < words; w++)
            {
                string word;
                if (random.NextDouble() < 0.2)
                {
                    var agree = random.NextDouble() < 0.8;
                    var pool = positive == agree ? Positive : Negative;
                    word = pool[random.Next(pool.Length)];
                }
                else
                {
                    word = Neutral[random.Next(Neutral.Length)];
                }

                text.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
                text.Append(random.Next(12) switch
                {
                    0 => ". ",
                    1 => ", ",
                    2 => "<br /><br />",
                    3 => "! ",
                    _ => " ",
                });
            }

            reviews.Add(new Review(
                i / 2, positive ? random.Next(7, 11) : random.Next(1, 5), positive ? ReviewLabel.Positive : ReviewLabel.Negative,
                text.ToString().TrimEnd(), $"synthetic:{i}", split));
        }

        return reviews;
    }

    /// <summary>Writes reviews in the IMDB layout: <c>root/split/{pos,neg}/id_rating.txt</c>.</summary>
    public static void WriteFolder(string root, IEnumerable<Review> reviews)
    {
        foreach (var review in reviews)
        {
            var folder = Path.Combine(root, review.Split ?? "train", ReviewLabels.ToName(review.Label!.Value));
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{review.Id}_{review.Rating}.txt"), review.Text);
        }
    }

    /// <summary>Writes reviews as the data set's gzip-compressed JSON Lines.</summary>
    public static void WriteJsonlGz(string path, IEnumerable<Review> reviews, params string[] extraLines)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip, new UTF8Encoding(false));
        foreach (var review in reviews)
        {
            writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = review.Id,
                ["rating"] = review.Rating,
                ["label"] = review.Label is null ? null : ReviewLabels.ToName(review.Label.Value),
                ["text"] = review.Text,
            }));
        }

        foreach (var line in extraLines)
        {
            writer.WriteLine(line);
        }
    }
}
