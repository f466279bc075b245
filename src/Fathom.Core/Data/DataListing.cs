namespace Fathom.Data;

/// <summary>A tracked output or, inside a tracked folder, one of its files, as <c>ls</c> lists them.</summary>
internal sealed record DataListing(string Path, string Md5, long? Size, int? FileCount, string? DvcFile);
