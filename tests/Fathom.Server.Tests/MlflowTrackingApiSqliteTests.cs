using Fathom.Server.Tests.Backends;

namespace Fathom.Server.Tests;

/// <summary>The tracking API's cross-backend suite over SQLite and a local artifacts folder.</summary>
public sealed class MlflowTrackingApiSqliteTests(SqliteFolderBackend backend) : MlflowTrackingApiCompliance(backend), IClassFixture<SqliteFolderBackend>;
