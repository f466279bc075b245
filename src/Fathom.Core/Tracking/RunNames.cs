namespace Fathom.Tracking;

/// <summary>Readable run names of the form <c>adjective-noun-number</c>, as MLflow generates when none is given.</summary>
internal static class RunNames
{
    private static readonly string[] Adjectives =
    [
        "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fast", "gentle", "glad",
        "honest", "keen", "lively", "lucky", "merry", "nimble", "quiet", "rare", "sharp", "silent", "smooth", "steady",
        "swift", "tidy", "vast", "warm", "wise", "zesty",
    ];

    private static readonly string[] Nouns =
    [
        "badger", "bear", "crane", "deer", "dolphin", "eagle", "falcon", "fox", "frog", "gull", "hare", "heron", "lark",
        "lynx", "mole", "moth", "newt", "otter", "owl", "panda", "quail", "raven", "seal", "shrew", "skunk", "sloth",
        "snail", "stork", "trout", "wolf",
    ];

    public static string Generate(Random random) =>
        $"{Adjectives[random.Next(Adjectives.Length)]}-{Nouns[random.Next(Nouns.Length)]}-{random.Next(1000)}";
}
