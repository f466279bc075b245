namespace Fathom.Data;

/// <summary>
/// One changed output in <c>status</c>: DVC's states <c>modified</c>, <c>deleted</c>, <c>new</c>, <c>not in cache</c>; the
/// <c>.dvc</c> file and the output's path as DVC prints them, from the current folder.
/// </summary>
internal sealed record OutputStatus(string DvcFile, string Path, string State);
