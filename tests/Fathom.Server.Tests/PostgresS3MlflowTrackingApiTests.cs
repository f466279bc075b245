using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>The tracking API's cross-backend suite over the production pair: PostgreSQL and an S3 bucket.</summary>
[Collection(PostgresS3Group.Name)]
public sealed class PostgresS3MlflowTrackingApiTests(PostgresS3Backend backend) : MlflowTrackingApiCompliance(backend);
