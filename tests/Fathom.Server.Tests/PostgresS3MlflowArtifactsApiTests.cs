using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>The artifact proxy over the production pair: PostgreSQL and an S3 bucket.</summary>
[Collection(PostgresS3Group.Name)]
public sealed class PostgresS3MlflowArtifactsApiTests(PostgresS3Backend backend) : MlflowArtifactsApiCompliance(backend);
