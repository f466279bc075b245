namespace Fathom.Jobs;

/// <summary>A polyaxonfile as read: a component (run as it is, as <c>polyaxon run -f</c> wraps it) or an operation.</summary>
internal sealed record PolyaxonDocument(ComponentSpec? Component, OperationSpec? Operation, string File)
{
    public string Kind => Component is not null ? "component" : "operation";
}
