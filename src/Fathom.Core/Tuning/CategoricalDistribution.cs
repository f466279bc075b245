namespace Fathom.Tuning;

/// <summary>
/// A categorical parameter (Optuna's <c>CategoricalDistribution</c>): one of the choices, each null, a bool, a long, a
/// double or a string. Internally the index of the choice. Two distributions are equal when their choices are, in order.
/// </summary>
internal sealed record CategoricalDistribution : ParamDistribution
{
    private readonly object?[] _choices;

    public CategoricalDistribution(IEnumerable<object?> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        _choices = [.. choices.Select(Normalise)];
        if (_choices.Length == 0)
        {
            throw new ArgumentException("categorical distribution: 'choices' must hold at least one value.");
        }
    }

    public IReadOnlyList<object?> Choices => _choices;

    public override bool IsSingle => _choices.Length == 1;

    public override double ToInternal(object? external)
    {
        var value = Normalise(external);
        for (var i = 0; i < _choices.Length; i++)
        {
            if (SameChoice(_choices[i], value))
            {
                return i;
            }
        }
        throw new ArgumentException($"{FloatDistribution.Show(external)} is not one of the choices of {this}.");
    }

    public override object? ToExternal(double internalValue) => _choices[(int)internalValue];

    public override bool Contains(double internalValue) =>
        internalValue == Math.Round(internalValue) && internalValue >= 0 && internalValue < _choices.Length;

    public bool Equals(CategoricalDistribution? other) =>
        other is not null && other._choices.Length == _choices.Length
        && _choices.Zip(other._choices).All(p => SameChoice(p.First, p.Second));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var choice in _choices)
        {
            hash.Add(choice);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => "categorical[" + string.Join(", ", _choices.Select(FloatDistribution.Show)) + "]";

    private static bool SameChoice(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => x.Equals(y),
        _ => Equals(a, b),
    };

    private static object? Normalise(object? value) => value switch
    {
        null or bool or long or double or string => value,
        int i => (long)i,
        short s => (long)s,
        float f => (double)f,
        decimal m => (double)m,
        _ => throw new ArgumentException(
            $"categorical distribution: a choice must be null, a bool, an integer, a float or a string, not {value.GetType().Name}."),
    };
}
