namespace Fathom.Tracking;

/// <summary>A key/value tag on a run or an experiment; the last write wins.</summary>
public sealed record Tag(string Key, string Value);
