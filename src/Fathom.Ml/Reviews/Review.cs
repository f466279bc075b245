namespace Fathom.Reviews;

/// <summary>One review as read from a folder file or a JSON line.</summary>
/// <param name="Id">The id from <c>&lt;id&gt;_&lt;rating&gt;.txt</c>; unique only within one split and label.</param>
/// <param name="Rating">The star rating 1–10.</param>
/// <param name="Label">The label, or null for an unlabelled review.</param>
/// <param name="Text">The review text as stored (raw or already cleaned, depending on the source).</param>
/// <param name="SourcePath">Where it came from: the file, or <c>file.jsonl.gz:line</c>.</param>
/// <param name="Split">The split folder it came from (<c>train</c>, <c>test</c>, …) when known.</param>
internal sealed record Review(int Id, int Rating, ReviewLabel? Label, string Text, string SourcePath, string? Split = null);
