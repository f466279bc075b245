namespace Fathom.Tracking;

/// <summary>A run parameter: written once, a string like in MLflow.</summary>
public sealed record Param(string Key, string Value);
