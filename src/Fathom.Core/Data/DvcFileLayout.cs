namespace Fathom.Data;

/// <summary>
/// The text of a parsed <c>.dvc</c> file, cut into its top-level fields and each output's fields, so that rewriting it
/// changes only the values that changed, as DVC's round-trip writer (ruamel.yaml plus <c>apply_diff</c>) does: fields
/// Fathom does not manage (<c>desc</c>, <c>meta</c>, <c>remote</c>, <c>push</c>, …), their order, quoting and comments survive.
/// </summary>
/// <param name="Header">Comment lines before the first key.</param>
/// <param name="Fields">Top-level fields in file order; the <c>outs</c> field's text is only its own line.</param>
/// <param name="Outs">Each output's fields in file order.</param>
/// <param name="EntryPrefix">What precedes an output's first key (<c>"- "</c> as DVC writes it).</param>
/// <param name="FieldIndent">What precedes an output's other keys (<c>"  "</c>).</param>
internal sealed record DvcFileLayout(string Header, IReadOnlyList<YamlField> Fields, IReadOnlyList<IReadOnlyList<YamlField>> Outs, string EntryPrefix, string FieldIndent);
