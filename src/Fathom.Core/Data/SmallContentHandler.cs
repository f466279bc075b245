namespace Fathom.Data;

/// <summary>Receives a small file's md5 and bytes while they are still in memory.</summary>
internal delegate void SmallContentHandler(string md5, ReadOnlySpan<byte> content);
