using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Fathom.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly (no Node.js build, nothing fetched at run time), read once at
/// start: each with its content type, a strong ETag from its SHA-256, and brotli and gzip copies made ahead, so a
/// request costs a dictionary look-up and a copy.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "Fathom.Dashboard.wwwroot.";

    private readonly Dictionary<string, DashboardAsset> _assets;

    private DashboardAssets(Dictionary<string, DashboardAsset> assets) => _assets = assets;

    /// <summary>The files by name ("app.js"); the shell is "index.html".</summary>
    public IReadOnlyDictionary<string, DashboardAsset> Files => _assets;

    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    public static DashboardAssets Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            assets[name] = DashboardAsset.Create(name, Read(assembly, resource));
        }

        if (!assets.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("The dashboard's shell (index.html) is not embedded in Fathom.Server.");
        }

        return new DashboardAssets(assets);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>One file as served: the bytes plain, brotli- and gzip-compressed, and its validator.</summary>
internal sealed record DashboardAsset(string Name, string ContentType, string ETag, byte[] Plain, byte[] Brotli, byte[] Gzip)
{
    public static DashboardAsset Create(string name, byte[] plain) =>
        new(name, ContentTypeOf(name), "\"" + Convert.ToHexStringLower(SHA256.HashData(plain))[..20] + "\"", plain,
            Compress(plain, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true)),
            Compress(plain, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true)));

    private static byte[] Compress(byte[] plain, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream();
        using (var compressor = open(output))
        {
            compressor.Write(plain);
        }

        return output.ToArray();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
