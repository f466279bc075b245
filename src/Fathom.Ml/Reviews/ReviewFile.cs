namespace Fathom.Reviews;

/// <summary>A review file found in the folder layout, described by its place in the layout before it is read.</summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="RelativePath">Its path in the layout, <c>train/pos/0_9.txt</c> (always with the split folder and '/').</param>
/// <param name="Split">The split folder's name.</param>
/// <param name="Label">From the label folder.</param>
/// <param name="Id">From the file name.</param>
/// <param name="Rating">From the file name.</param>
internal sealed record ReviewFile(string Path, string RelativePath, string Split, ReviewLabel Label, int Id, int Rating);
