using Fathom.Endpoints;
using Fathom.Tracking;

namespace Fathom.Testing;

public abstract partial class ModelRegistryCompliance
{
    /// <summary>
    /// Whether the backend keeps endpoints: the SQL stores do, beside the registry; a REST client does not (the CLI
    /// reaches a server's endpoints through its endpoints API, which the server answers from its own store).
    /// </summary>
    protected virtual bool KeepsEndpoints => true;

    private IEndpointStore? Endpoints => _registry as IEndpointStore;

    [SkippableFact]
    public async Task Endpoints_CreateListGetDelete_KeepEveryFieldAndRefuseADuplicateName()
    {
        SkipIfUnavailable();
        if (!KeepsEndpoints)
        {
            Assert.Null(Endpoints);
            return;
        }

        var canary = new EndpointRecord("canary", "models:/m/3", "local", 2, 8091, "v3=90,v4=10", "alice", 0, 0);
        var created = await Endpoints!.CreateEndpointAsync(canary, Ct);
        await Endpoints.CreateEndpointAsync(new EndpointRecord("api", "models:/m@champion", "local", 1, 8090, null, null, 0, 0), Ct);

        var duplicate = await RefusedAsync(() => Endpoints.CreateEndpointAsync(canary, Ct));
        var listed = await Endpoints.ListEndpointsAsync(Ct);
        var read = await Endpoints.GetEndpointAsync("canary", Ct);
        var deleted = await Endpoints.DeleteEndpointAsync("canary", Ct);
        var again = await Endpoints.DeleteEndpointAsync("canary", Ct);

        Assert.True(created.CreationTime > 0);
        Assert.Equal(ErrorCode.ResourceAlreadyExists, duplicate.Code);
        Assert.Equal(["api", "canary"], listed.Select(e => e.Name));
        Assert.Equal(created, read);
        Assert.Equal((true, false), (deleted, again));
        Assert.Null(await Endpoints.GetEndpointAsync("canary", Ct));
    }
}
