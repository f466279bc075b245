namespace Fathom.Server.Tests.Security;

/// <summary>One hostile request: exactly what goes on the wire, and a line that says how it was made.</summary>
internal sealed record Probe(string Method, string Target, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, bool Chunked, string Recipe);
