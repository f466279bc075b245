namespace Fathom.Data;

/// <summary>A file that moved without changing: deleted at <see cref="OldPath"/> and added with the same md5 at <see cref="NewPath"/>.</summary>
internal sealed record DiffRename(string OldPath, string NewPath, string Md5);
