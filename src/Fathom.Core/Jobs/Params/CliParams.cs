namespace Fathom.Jobs;

/// <summary>
/// <c>-P NAME=VALUE</c> arguments as <c>polyaxon run</c> reads them: split on the first <c>=</c> (the value may hold
/// more), the value kept as the raw string typed — it is parsed later by the input's type, so <c>-P lr=0.1</c> is a
/// float for a <c>float</c> input and the text "0.1" for a <c>str</c> one.
/// </summary>
internal static class CliParams
{
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"Invalid format for -P parameter: '{argument}'. Use -P name=value.");
            }

            var name = argument[..equals].Trim();
            if (!values.TryAdd(name, argument[(equals + 1)..]))
            {
                throw new FormatException($"Repeated parameter: '{name}'; give each -P once.");
            }
        }

        return values;
    }
}
