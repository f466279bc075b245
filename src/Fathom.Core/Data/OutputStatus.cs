namespace Fathom.Data;

/// <summary>One changed output in <c>status</c>: DVC's states <c>modified</c>, <c>deleted</c>, <c>new</c>, <c>not in cache</c>.</summary>
internal sealed record OutputStatus(string DvcFile, string Path, string State);
