using Amazon.Runtime;
using Amazon.S3;

namespace Fathom.Storage;

/// <summary>How to reach an S3-compatible service: endpoint, region and credentials.</summary>
internal sealed record S3Settings(string? Endpoint, string Region, string? AccessKey, string? SecretKey, string? SessionToken)
{
    /// <summary>A named profile of the AWS shared credentials file, used when no key pair is given.</summary>
    public string? Profile { get; init; }

    /// <summary>Where the shared credentials file is, when not at the AWS default (~/.aws/credentials).</summary>
    public string? CredentialPath { get; init; }

    /// <summary>Plain HTTP to the endpoint (DVC's <c>use_ssl = false</c>).</summary>
    public bool UseHttp { get; init; }

    /// <summary>
    /// Reads the variables MLflow and the AWS tools use; a custom endpoint (MinIO, Ceph, ECS, GCS) comes from
    /// <c>MLFLOW_S3_ENDPOINT_URL</c>, else <c>AWS_ENDPOINT_URL_S3</c>, else <c>AWS_ENDPOINT_URL</c>.
    /// </summary>
    public static S3Settings FromEnvironment() => new(
        FirstSet("MLFLOW_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
        FirstSet("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1",
        FirstSet("AWS_ACCESS_KEY_ID"),
        FirstSet("AWS_SECRET_ACCESS_KEY"),
        FirstSet("AWS_SESSION_TOKEN"));

    public AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config
        {
            // The SDK's default flexible checksums (trailing CRC headers) are not understood by every S3-compatible
            // server; send and check them only when the operation requires it, as older SDKs did.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            AuthenticationRegion = Region,
            UseHttp = UseHttp,
        };
        if (Endpoint is not null)
        {
            config.ServiceURL = Endpoint;
            config.ForcePathStyle = true; // custom endpoints rarely have wildcard DNS for virtual-host buckets
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(Region);
        }

        if (AccessKey is not null)
        {
            return new AmazonS3Client(SessionToken is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, SessionToken), config);
        }

        if (Profile is not null || CredentialPath is not null)
        {
            var profile = Profile ?? "default";
            var chain = new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain(CredentialPath);
            return chain.TryGetAWSCredentials(profile, out var credentials)
                ? new AmazonS3Client(credentials, config)
                : throw new ArgumentException($"AWS profile '{profile}' not found{(CredentialPath is null ? "" : $" in {CredentialPath}")}; check the remote's 'profile' and 'credentialpath'.");
        }

        return new AmazonS3Client(config);
    }

    private static string? FirstSet(params string[] names) =>
        names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
