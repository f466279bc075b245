using Fathom.Storage;
using Fathom.Testing;

namespace Fathom.Tests;

public sealed class LocalArtifactStoreTests : ArtifactStoreCompliance
{
    protected override IArtifactStore CreateStore() =>
        new LocalArtifactStore(Path.Combine(Path.GetTempPath(), "fathom-local-store", Guid.NewGuid().ToString("N")));
}
