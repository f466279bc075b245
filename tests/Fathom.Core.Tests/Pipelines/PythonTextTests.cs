using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

public sealed class PythonTextTests
{
    // Expected texts are what Python prints for str(round(x, digits)) and str(value).
    [Theory]
    [InlineData(2.675, 2, "2.67")]
    [InlineData(0.015625, 5, "0.01562")]
    [InlineData(0.123456789, 5, "0.12346")]
    [InlineData(-1e-07, 5, "-0.0")]
    [InlineData(1.0, 5, "1.0")]
    [InlineData(12345.678901, 5, "12345.6789")]
    [InlineData(1e20, 5, "1e+20")]
    public void Str_RoundedFloat_MatchesPython(double value, int digits, string expected) =>
        Assert.Equal(expected, PythonText.Str(value, digits));

    [Fact]
    public void Str_Values_MatchPython()
    {
        Assert.Equal("True", PythonText.Str(true));
        Assert.Equal("7", PythonText.Str(7L));
        Assert.Equal("1e-05", PythonText.Str(1e-05));
        Assert.Equal("it's", PythonText.Str("it's"));
        Assert.Equal("[1, 2.5, 'a', \"it's\", None, False]", PythonText.Str(new List<object?> { 1L, 2.5, "a", "it's", null, false }));
        Assert.Equal("{'depth': 3, 'act': 'relu'}", PythonText.Str(new Dictionary<string, object?> { ["depth"] = 3L, ["act"] = "relu" }));
    }
}
