using System.Globalization;

namespace Fathom.Config;

/// <summary>
/// A node of a config tree: a scalar (<see cref="ConfigScalar"/>), a list (<see cref="ConfigList"/>) or a map
/// (<see cref="ConfigMap"/>), immutable, each carrying the <see cref="SourcePosition"/> it came from so that errors
/// and <c>fathom config show</c> can say where a value was set. Values keep their YAML type, as OmegaConf's do.
/// </summary>
internal abstract record ConfigNode(SourcePosition Source)
{
    /// <summary>
    /// Structural equality of values (positions ignored): what OmegaConf compares for <c>~key=value</c> and what the
    /// property tests compare after a round trip. Int and float are different types (<c>1</c> is not <c>1.0</c>).
    /// </summary>
    public static bool SameValue(ConfigNode? a, ConfigNode? b) => (a, b) switch
    {
        (null, null) => true,
        (ConfigScalar x, ConfigScalar y) => x.Kind == y.Kind && x.Kind switch
        {
            ScalarKind.Null => true,
            ScalarKind.Float => x.AsDouble.Equals(y.AsDouble),
            _ => Equals(x.Value, y.Value),
        },
        (ConfigList x, ConfigList y) => x.Items.Length == y.Items.Length && x.Items.Zip(y.Items).All(p => SameValue(p.First, p.Second)),
        (ConfigMap x, ConfigMap y) => x.Entries.Length == y.Entries.Length
            && x.Entries.All(e => y.TryGet(e.Key) is { } other && SameValue(e.Value, other)),
        _ => false,
    };

    /// <summary>A short rendering for messages: scalars as Python/OmegaConf print them, containers abbreviated.</summary>
    public string Describe() => this switch
    {
        ConfigScalar s => s.Kind switch
        {
            ScalarKind.Null => "None",
            ScalarKind.Bool => (bool)s.Value! ? "True" : "False",
            ScalarKind.Int => ((long)s.Value!).ToString(CultureInfo.InvariantCulture),
            ScalarKind.Float => ConfigScalar.FormatFloat(s.AsDouble),
            _ => (string)s.Value!,
        },
        ConfigList l => "[" + string.Join(", ", l.Items.Select(i => i.Describe())) + "]",
        ConfigMap m => "{" + string.Join(", ", m.Entries.Select(e => e.Key + ": " + e.Value.Describe())) + "}",
        _ => ToString()!,
    };

    /// <summary>The node with every position replaced (e.g. a value copied from an override).</summary>
    public abstract ConfigNode At(SourcePosition source);
}
