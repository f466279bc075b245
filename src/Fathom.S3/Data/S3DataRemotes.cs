using System.Globalization;
using Fathom.Storage;

namespace Fathom.Data;

/// <summary>
/// Registers <c>s3://</c> and <c>gs://</c> remotes (and sync locations). GCS is reached through its S3
/// interoperability endpoint with HMAC keys, so one client serves both.
/// </summary>
internal static class S3DataRemotes
{
    /// <summary>Where Google serves the S3-compatible XML API.</summary>
    public const string GcsEndpoint = "https://storage.googleapis.com";

    public static BlobStoreResolver Register(BlobStoreResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        return resolver
            .Register("s3", (url, options) => Create(url, options, gcs: false))
            .Register("gs", (url, options) => Create(url, options, gcs: true));
    }

    /// <summary>
    /// The settings DVC's S3 remote takes (<c>endpointurl</c>, <c>region</c>, <c>access_key_id</c>,
    /// <c>secret_access_key</c>, <c>session_token</c>, <c>profile</c>, <c>credentialpath</c>, <c>use_ssl</c>,
    /// <c>jobs</c>), each falling back to the environment the AWS tools read.
    /// </summary>
    public static S3Settings Settings(IReadOnlyDictionary<string, string> options, bool gcs)
    {
        ArgumentNullException.ThrowIfNull(options);
        var environment = S3Settings.FromEnvironment();
        string? Option(string key) => options.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var useSsl = Option("use_ssl") is not { } ssl || !IsFalse(ssl);
        // An AWS endpoint in the environment is for S3, not for Google: gs:// goes to Google unless the remote says otherwise.
        var endpoint = Option("endpointurl") ?? (gcs ? GcsEndpoint : environment.Endpoint);
        if (endpoint is not null && !endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = (useSsl ? "https://" : "http://") + endpoint;
        }

        var accessKey = Option("access_key_id");
        var profile = Option("profile") ?? (Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } p ? p : null);
        // DVC's gs:// credentialpath is a Google service-account key for GCS's JSON API. The S3 interoperability API
        // that Fathom speaks signs with HMAC keys only, so the file is no AWS credentials file and is not read as one.
        var credentialPath = gcs ? null : Option("credentialpath");
        var useEnvironmentKeys = accessKey is null && profile is null && credentialPath is null;
        return new S3Settings(
            endpoint,
            Option("region") ?? (gcs ? "auto" : environment.Region),
            accessKey ?? (useEnvironmentKeys ? environment.AccessKey : null),
            Option("secret_access_key") ?? (useEnvironmentKeys ? environment.SecretKey : null),
            Option("session_token") ?? (useEnvironmentKeys ? environment.SessionToken : null))
        {
            Profile = accessKey is null ? profile : null,
            CredentialPath = accessKey is null ? credentialPath : null,
            UseHttp = !useSsl,
        };
    }

    private static S3BlobStore Create(string url, IReadOnlyDictionary<string, string> options, bool gcs)
    {
        var settings = Settings(options, gcs);
        if (gcs && settings.AccessKey is null && settings.Profile is null && options.TryGetValue("credentialpath", out var serviceAccount))
        {
            throw new DataException(DataErrorKind.InvalidInput,
                $"Remote '{url}': credentialpath ({serviceAccount}) is a Google service-account key, which Fathom cannot use: it reaches GCS through the S3 interoperability API, which takes HMAC keys. " +
                "Create them (gcloud storage hmac create SERVICE_ACCOUNT_EMAIL) and set access_key_id and secret_access_key with 'fathom data remote modify --local', or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.");
        }

        // DVC's default for cloud remotes: 4 transfers per core, as each one mostly waits on the network.
        var jobs = options.TryGetValue("jobs", out var j) && int.TryParse(j, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 4 * Environment.ProcessorCount;
        try
        {
            return new S3BlobStore(settings.CreateClient(), url, jobs, batchDelete: !gcs);
        }
        catch (ArgumentException e)
        {
            throw new DataException(DataErrorKind.InvalidInput, $"Remote '{url}': {e.Message}");
        }
    }

    private static bool IsFalse(string value) => value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" || value.Equals("no", StringComparison.OrdinalIgnoreCase);
}
