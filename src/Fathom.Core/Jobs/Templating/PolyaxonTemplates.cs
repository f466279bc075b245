using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Renders the string values of a spec section as Polyaxon's parser does: a value holding <c>{{</c> or <c>{%</c> is
/// rendered with the run's context, and rendered again while that changes it (a param's value may itself be a
/// template), up to <see cref="MaxPasses"/> times. A whole value that renders to <c>None</c> becomes null, as Python's
/// <c>ast.literal_eval</c> makes it (so <c>workingDir: "{{ OPTIONAL_DIR }}"</c> with no value means no working dir);
/// other text stays text, read by the field's type afterwards. Errors name the file, line and field.
/// </summary>
/// <remarks>
/// Why an evaluator of our own: the package feed has no Jinja for .NET, and its Liquid engines (Fluid, DotLiquid)
/// differ where Polyaxon files rely on Jinja — <c>a or b</c> and <c>x if c else y</c> in an output, <c>f(args)</c>
/// filter syntax, Python's rendering of lists (<c>['a', 'b']</c>) and booleans (<c>True</c>), <c>None</c> printed.
/// </remarks>
internal static class PolyaxonTemplates
{
    public const int MaxPasses = 10;

    /// <summary>Renders one template string (repeatedly, until stable).</summary>
    public static string Render(string text, IReadOnlyDictionary<string, object?> context)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var pass = 0; pass < MaxPasses && SpecReader.IsTemplate(text); pass++)
        {
            var rendered = JinjaRenderer.Render(JinjaParser.Parse(text), context);
            if (rendered == text)
            {
                break;
            }

            text = rendered;
        }

        return text;
    }

    /// <summary>The node with every string rendered; <paramref name="path"/> names it in errors.</summary>
    public static ConfigNode RenderNode(ConfigNode node, IReadOnlyDictionary<string, object?> context, string path)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(context);
        switch (node)
        {
            case ConfigScalar { Kind: ScalarKind.String, Value: string text } scalar when SpecReader.IsTemplate(text):
                string rendered;
                try
                {
                    rendered = Render(text, context);
                }
                catch (TemplateException e)
                {
                    throw new ConfigException(scalar.Source, path, e.Message);
                }

                return rendered == "None" ? ConfigScalar.Null(scalar.Source) : ConfigScalar.Of(rendered, scalar.Source);
            case ConfigList list:
                return new ConfigList([.. list.Items.Select((item, i) => RenderNode(item, context, $"{path}[{i}]"))], list.Source);
            case ConfigMap map:
                return new ConfigMap([.. map.Entries.Select(e => e with { Value = RenderNode(e.Value, context, SpecReader.Join(path, e.Key)) })], map.Source);
            default:
                return node;
        }
    }

    /// <summary>
    /// <paramref name="patch"/> laid over <paramref name="target"/> (an operation's <c>runPatch</c>): mappings merge key by
    /// key, anything else is replaced; with <c>pre_merge</c> the target's own values win, with <c>isnull</c> only its
    /// missing or null values are filled, with <c>replace</c> each patched top-level key is replaced whole.
    /// </summary>
    public static ConfigMap Patch(ConfigMap target, ConfigMap patch, string strategy)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(patch);
        var result = target;
        foreach (var entry in patch.Entries)
        {
            var existing = target.TryGet(entry.Key);
            var value = (strategy, existing, entry.Value) switch
            {
                (_, null or ConfigScalar { Kind: ScalarKind.Null }, _) => entry.Value,
                ("replace", _, _) => entry.Value,
                ("isnull" or "pre_merge", not ConfigMap, _) => existing,
                (_, ConfigMap a, ConfigMap b) => Patch(a, b, strategy),
                ("pre_merge" or "isnull", _, _) => existing,
                _ => entry.Value,
            };
            result = result.With(entry.Key, value, entry.KeySource);
        }

        return result;
    }
}
