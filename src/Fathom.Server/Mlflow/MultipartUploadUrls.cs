using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// The part URLs a proxy multipart upload hands out, signed by the server as S3 presigns its own. MLflow's client
/// sends each part with a bare <c>requests.put(url)</c>, no credentials, since for S3, GCS and Azure the URL is a
/// presigned one; so here too the URL itself is the permission: an HMAC over the upload, the part number, the file's
/// path and an expiry, under a key that lives as long as the server process. Whoever may start the upload (UPDATE on
/// the path's experiment) gets the URLs; nobody can forge one for another path, upload or part, or use one after it
/// expires. A server restart voids the URLs of uploads under way: their clients fail and abort.
/// </summary>
internal sealed class MultipartUploadUrls(TimeProvider time)
{
    /// <summary>How long a part URL is good for: long enough for a big file's last part over a slow link.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The query string (without '?') that authorises one part of one upload of <paramref name="file"/>.</summary>
    public string Query(string file, string uploadId, int partNumber)
    {
        var expires = time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture,
            $"upload_id={Uri.EscapeDataString(uploadId)}&part_number={partNumber}&expires={expires}&signature={Sign(file, uploadId, partNumber, expires)}");
    }

    /// <summary>
    /// Whether the part request names <paramref name="file"/>, an upload and a part as a URL this server signed and
    /// that has not expired. Throws MLflow's INVALID_PARAMETER_VALUE when the request lacks or garbles a field.
    /// </summary>
    public bool Allows(string file, MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(request);
        var uploadId = request.RequireString("upload_id");
        var partNumber = PartNumber(request);
        var expires = request.RequireInt64("expires");
        var signature = request.RequireString("signature");
        if (expires < time.GetUtcNow().ToUnixTimeSeconds() || uploadId.Any(char.IsControl))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(file, uploadId, partNumber, expires));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>The request's <c>part_number</c>, 1 to 10,000.</summary>
    public static int PartNumber(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var number = request.RequireInt64("part_number");
        return number is >= 1 and <= Storage.IMultipartArtifactStore.MaxParts
            ? (int)number
            : throw TrackingException.Invalid($"Invalid value {number} for parameter 'part_number' supplied: part numbers run from 1 to {Storage.IMultipartArtifactStore.MaxParts}.");
    }

    private string Sign(string file, string uploadId, int partNumber, long expires)
    {
        // Fields joined by a character none of them can hold (paths refuse control characters), so no two differ only in where one ends.
        var message = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{uploadId}\n{partNumber}\n{expires}\n{file}"));
        return Base64Url.EncodeToString(HMACSHA256.HashData(_key, message));
    }
}
