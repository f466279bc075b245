namespace Fathom.Testing;

/// <summary>
/// Paths an attacker writes into data (a <c>.dvc</c> file, a <c>dvc.yaml</c>, a folder manifest, a bucket listing, an
/// artifact request) to reach outside the folder they belong in. Each place a path comes from data is tested with all
/// of them. <c>{outside}</c> stands for a folder outside that root, given by the test.
/// </summary>
public static class HostilePaths
{
    /// <summary>The name of the link a test plants inside the root (see <see cref="PlantLinks"/>), leading to the outside folder.</summary>
    public const string LinkedFolder = "linked";

    /// <summary>Lexically hostile: refused before the disk is looked at, wherever they come from.</summary>
    public static readonly string[] Lexical =
    [
        "",
        ".",
        "a/..",
        "../escape.txt",
        "a/../../escape.txt",
        "../../../../../../../../../../escape.txt",
        "{outside}/escape.txt",
        "..\\escape.txt",
        "a\\..\\..\\escape.txt",
        "C:/escape.txt",
        "C:\\escape.txt",
        "x\0/escape.txt",
        ".git/hooks/post-checkout",
        ".GIT/hooks/post-checkout",
        ".Git./hooks/post-checkout",
        "GIT~1/hooks/post-checkout",
        "sub/.git/hooks/post-checkout",
        ".git",
        ".dvc/config",
        ".DVC/cache/files/md5/ab/cdef",
        "sub\\.git\\config",
    ];

    /// <summary>
    /// The lexical ones that leave their folder in every reading (no <c>.git</c> or <c>.dvc</c>, which are ordinary names
    /// where they are not metadata, as in an artifact store), plus the URL-encoded forms a request may carry.
    /// </summary>
    public static readonly string[] Escaping =
    [
        "../escape.txt",
        "a/../../escape.txt",
        "../../../../../../../../../../escape.txt",
        "/tmp/escape.txt",
        "..\\escape.txt",
        "a\\..\\..\\escape.txt",
        "C:/escape.txt",
        "C:\\escape.txt",
        "x\0/escape.txt",
        "a/..",
        "%2e%2e/escape.txt",
        "%252e%252e%252fescape.txt",
    ];

    /// <summary>Hostile only because of what is on disk: a link planted inside the root that leads out of it.</summary>
    public static readonly string[] ThroughLinks =
    [
        LinkedFolder + "/escape.txt",
        LinkedFolder + "/deeper/escape.txt",
    ];

    /// <summary>Every hostile path as theory data, <c>{outside}</c> still to be replaced.</summary>
    public static TheoryData<string> All() => [.. Lexical, .. ThroughLinks];

    /// <summary>The escaping ones as theory data.</summary>
    public static TheoryData<string> EscapingOnly() => [.. Escaping];

    /// <summary>The lexical ones as theory data.</summary>
    public static TheoryData<string> LexicalOnly() => [.. Lexical];

    /// <summary>The path with <c>{outside}</c> replaced.</summary>
    public static string For(string path, string outside) => path.Replace("{outside}", outside, StringComparison.Ordinal);

    /// <summary>Plants <see cref="LinkedFolder"/> in <paramref name="root"/>, a link to <paramref name="outside"/>.</summary>
    public static void PlantLinks(string root, string outside) =>
        Directory.CreateSymbolicLink(Path.Combine(root, LinkedFolder), outside);

    /// <summary>Every file under <paramref name="outside"/>: what an escape would have left there.</summary>
    public static string[] FilesIn(string outside) =>
        Directory.Exists(outside) ? Directory.GetFiles(outside, "*", SearchOption.AllDirectories) : [];
}
