namespace Fathom.Reviews;

/// <summary>A file or line that could not be read, and why; readers report these and go on.</summary>
internal sealed record ReviewReadError(string Path, string Reason);
