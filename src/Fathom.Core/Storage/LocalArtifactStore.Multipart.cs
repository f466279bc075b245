using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Fathom.Storage;

/// <summary>
/// Multipart uploads into a folder (MLflow's local repository has none; its clients then send the file in one PUT).
/// Each upload is a staging folder below the root, <c>.fathom-multipart/&lt;id&gt;</c>, holding the path it will write
/// and its parts; the folder is hidden from listings and refused as an artifact path, so no client can read, list or
/// plant parts but through the upload's own calls. Completing writes the file as every upload does (a temporary name,
/// then a rename), then drops the staging folder.
/// </summary>
internal sealed partial class LocalArtifactStore : IMultipartArtifactStore
{
    /// <summary>The folder below the root where unfinished uploads keep their parts.</summary>
    public const string StagingFolder = ".fathom-multipart";

    private const string TargetFile = "target";

    public async Task<string> CreateMultipartUploadAsync(string artifactPath, CancellationToken cancellationToken)
    {
        var target = ArtifactPaths.Normalise(artifactPath);
        // The file's own path is proved now, so an upload that could never complete is refused before any part is sent.
        if (target.Length == 0 || Resolve(target, Confinement()) == _root)
        {
            throw new ArgumentException("An artifact file needs a path below the root.", nameof(artifactPath));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var folder = Staging(id);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, TargetFile), target, cancellationToken);
        return id;
    }

    public async Task<string> UploadPartAsync(string artifactPath, string uploadId, int partNumber, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        CheckPartNumber(partNumber);
        var folder = await OpenUploadAsync(artifactPath, uploadId, cancellationToken);
        var prefix = PartPrefix(partNumber);
        var temp = Path.Combine(folder, prefix + "tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var hash = new XxHash128();
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.Append(buffer.AsSpan(0, read));
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            // The ETag names the part's bytes, so a completion can tell the part it was answered from any later one.
            var etag = Convert.ToHexStringLower(hash.GetCurrentHash());
            File.Move(temp, Path.Combine(folder, prefix + etag), overwrite: true);
            foreach (var older in Directory.EnumerateFiles(folder, prefix + "*").Where(f => Path.GetFileName(f) != prefix + etag && !f.Contains("tmp-", StringComparison.Ordinal)))
            {
                File.Delete(older);
            }

            return $"\"{etag}\"";
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task CompleteMultipartUploadAsync(string artifactPath, string uploadId, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var folder = await OpenUploadAsync(artifactPath, uploadId, cancellationToken);
        if (parts.Count == 0)
        {
            throw new ArgumentException("A multipart upload is completed with at least one part.", nameof(parts));
        }

        var files = new List<string>(parts.Count);
        var previous = 0;
        foreach (var part in parts)
        {
            CheckPartNumber(part.PartNumber);
            if (part.PartNumber <= previous)
            {
                throw new ArgumentException($"The parts must be listed in ascending order of part number; part {part.PartNumber} follows part {previous}.", nameof(parts));
            }

            previous = part.PartNumber;
            var file = Path.Combine(folder, PartPrefix(part.PartNumber) + part.ETag.Trim('"').ToLowerInvariant());
            if (!IsPartName(part.ETag.Trim('"')) || !File.Exists(file))
            {
                throw new ArgumentException($"Part {part.PartNumber} of upload {uploadId} was not uploaded, or its ETag '{part.ETag}' is not the one its upload answered.", nameof(parts));
            }

            files.Add(file);
        }

        await WriteAsync(ArtifactPaths.Normalise(artifactPath), async destination =>
        {
            foreach (var file in files)
            {
                await using var part = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await part.CopyToAsync(destination, cancellationToken);
            }
        }, cancellationToken);
        Directory.Delete(folder, recursive: true);
    }

    public async Task AbortMultipartUploadAsync(string artifactPath, string uploadId, CancellationToken cancellationToken) =>
        Directory.Delete(await OpenUploadAsync(artifactPath, uploadId, cancellationToken), recursive: true);

    private static bool IsStaging(string relative) =>
        relative == StagingFolder || relative.StartsWith(StagingFolder + "/", StringComparison.Ordinal);

    /// <summary>The staging folder of an upload id, confined to the root like every artifact path.</summary>
    private string Staging(string uploadId) =>
        Refuse(Confinement().ConfineBelow(StagingFolder + "/" + uploadId, guardMetadata: false, includeFinal: true), StagingFolder);

    /// <summary>The staging folder of an upload that exists and was created for <paramref name="artifactPath"/>.</summary>
    private async Task<string> OpenUploadAsync(string artifactPath, string uploadId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uploadId);
        var target = ArtifactPaths.Normalise(artifactPath);
        // Ids are what CreateMultipartUploadAsync makes: 32 hex digits, so an id can never name another folder.
        if (uploadId.Length == 32 && IsPartName(uploadId))
        {
            var folder = Staging(uploadId);
            var recorded = Path.Combine(folder, TargetFile);
            if (File.Exists(recorded) && await File.ReadAllTextAsync(recorded, cancellationToken) == target)
            {
                return folder;
            }
        }

        throw new FileNotFoundException($"No multipart upload {uploadId} of '{target}' is under way in {RootUri}.");
    }

    private static void CheckPartNumber(int partNumber)
    {
        if (partNumber is < 1 or > IMultipartArtifactStore.MaxParts)
        {
            throw new ArgumentException($"Part numbers run from 1 to {IMultipartArtifactStore.MaxParts}, got {partNumber}.", nameof(partNumber));
        }
    }

    private static string PartPrefix(int partNumber) => partNumber.ToString("D5", CultureInfo.InvariantCulture) + ".";

    private static bool IsPartName(string text) => text.Length is > 0 and <= 64 && text.All(char.IsAsciiHexDigit);
}
