namespace Fathom.Storage;

/// <summary>
/// What <see cref="PathConfinement"/> decided about one path: its full path on this system, or why it was refused
/// (a phrase that follows the path, e.g. <c>is outside the repository</c>).
/// </summary>
internal readonly record struct ConfinedPath(string FullPath, string? Refusal)
{
    public bool IsRefused => Refusal is not null;

    public static ConfinedPath Refused(string reason) => new("", reason);
}
