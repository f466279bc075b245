namespace Fathom.Data;

/// <summary>One object in <c>status --cloud</c>: <c>new</c> (only in cache), <c>deleted</c> (only in remote), <c>missing</c> (in neither).</summary>
internal sealed record CloudObjectStatus(string Path, string Md5, string State);
