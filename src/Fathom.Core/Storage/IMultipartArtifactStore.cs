namespace Fathom.Storage;

/// <summary>
/// An artifact store that takes one file in parts (MLflow's <c>MultipartUploadMixin</c>, which its artifact proxy
/// serves as <c>mpu/create|complete|abort</c>): a client sends the parts separately, at once and in any order, and the
/// file appears whole, at once, only when the upload is completed; until then readers see the previous file or none.
/// </summary>
/// <remarks>
/// An unknown upload (never created, completed, aborted, or created for another path) is a
/// <see cref="FileNotFoundException"/>; a completion naming a part that was not uploaded, whose ETag differs, or parts
/// out of order, and a part number outside 1..<see cref="MaxParts"/>, are <see cref="ArgumentException"/>s (S3's
/// NoSuchUpload, InvalidPart, InvalidPartOrder).
/// </remarks>
internal interface IMultipartArtifactStore
{
    /// <summary>S3's limit on the parts of one upload, kept by every store.</summary>
    public const int MaxParts = 10_000;

    /// <summary>Starts an upload of the file at <paramref name="artifactPath"/> and returns its id.</summary>
    Task<string> CreateMultipartUploadAsync(string artifactPath, CancellationToken cancellationToken);

    /// <summary>Stores part <paramref name="partNumber"/> (replacing an earlier one of that number) and returns its ETag.</summary>
    Task<string> UploadPartAsync(string artifactPath, string uploadId, int partNumber, Stream content, CancellationToken cancellationToken);

    /// <summary>Joins the parts, in ascending part-number order, into the file and ends the upload.</summary>
    Task CompleteMultipartUploadAsync(string artifactPath, string uploadId, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken);

    /// <summary>Ends the upload and drops its parts; the file is left as it was.</summary>
    Task AbortMultipartUploadAsync(string artifactPath, string uploadId, CancellationToken cancellationToken);
}

/// <summary>A part as its uploader names it on completion: its number and the ETag its upload answered.</summary>
internal sealed record UploadedPart(int PartNumber, string ETag);
