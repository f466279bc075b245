using Fathom.Config;

namespace Fathom.Tests.Config;

/// <summary>
/// Hydra's override grammar, case by case. The expected values are Hydra 1.3's, checked against its
/// tests/test_overrides_parser.py and the override grammar docs (basic.md, extended.md).
/// </summary>
public sealed class OverrideGrammarTests
{
    private static ConfigNode Value(string text) => OverrideParser.Parse("key=" + text).Element;

    // Value text, the expected type and its rendering (OmegaConf/Python str).
    [Theory]
    [InlineData("10", "Int", "10")]
    [InlineData("-10", "Int", "-10")]
    [InlineData("+10", "Int", "10")]
    [InlineData("1_000_000", "Int", "1000000")]
    [InlineData("0", "Int", "0")]
    [InlineData("3.14", "Float", "3.14")]
    [InlineData("1.", "Float", "1.0")]
    [InlineData(".5", "Float", "0.5")]
    [InlineData("1e-3", "Float", "0.001")]
    [InlineData("-10e3", "Float", "-10000.0")]
    [InlineData("1_0.5", "Float", "10.5")]
    [InlineData("inf", "Float", "inf")]
    [InlineData("-INF", "Float", "-inf")]
    [InlineData("nan", "Float", "nan")]
    [InlineData("true", "Bool", "True")]
    [InlineData("TrUe", "Bool", "True")]
    [InlineData("false", "Bool", "False")]
    [InlineData("null", "Null", "None")]
    [InlineData("NULL", "Null", "None")]
    [InlineData("abc", "String", "abc")]
    [InlineData("foo-bar_10", "String", "foo-bar_10")]
    [InlineData("abc10", "String", "abc10")]
    [InlineData("10abc", "String", "10abc")]
    [InlineData("0123", "String", "0123")]
    [InlineData("a.b.c", "String", "a.b.c")]
    [InlineData("/data/out", "String", "/data/out")]
    [InlineData("hello world", "String", "hello world")]
    [InlineData("  trimmed  ", "String", "trimmed")]
    [InlineData("trueish", "String", "trueish")]
    [InlineData("infinity", "String", "infinity")]
    [InlineData("${foo.bar}", "String", "${foo.bar}")]
    [InlineData("${oc.env:USER,me}", "String", "${oc.env:USER,me}")]
    [InlineData("http://host:80/x", "String", "http://host:80/x")]
    [InlineData("a\\,b", "String", "a,b")]
    [InlineData("\\(x\\)", "String", "(x)")]
    [InlineData("a\\=b", "String", "a=b")]
    [InlineData("a\\ \\ b", "String", "a  b")]
    [InlineData("c:\\\\path", "String", "c:\\path")]
    [InlineData("'hello world'", "String", "hello world")]
    [InlineData("\"10\"", "String", "10")]
    [InlineData("'true'", "String", "true")]
    [InlineData("'a,b'", "String", "a,b")]
    [InlineData("''", "String", "")]
    [InlineData("'abc\\'def'", "String", "abc'def")]
    [InlineData("\"abc\\\\\\\"def\"", "String", "abc\\\"def")]
    [InlineData("\"abc\\\\\"", "String", "abc\\")]
    [InlineData("'a\\b'", "String", "a\\b")]
    [InlineData("'${x}'", "String", "${x}")]
    public void Primitive_HydraCase_TypedAsHydra(string text, string kind, string rendered)
    {
        var value = Assert.IsType<ConfigScalar>(Value(text));
        Assert.Equal(Enum.Parse<ScalarKind>(kind), value.Kind);
        Assert.Equal(rendered, value.Describe());
    }

    [Fact]
    public void Override_EmptyValue_IsEmptyString()
    {
        var o = OverrideParser.Parse("key=");
        Assert.Equal(OverrideKind.Change, o.Kind);
        Assert.Equal("", ((ConfigScalar)o.Element).Value);
    }

    [Theory]
    [InlineData("[1,2,3]", "[1, 2, 3]")]
    [InlineData("[]", "[]")]
    [InlineData("[ a , b ]", "[a, b]")]
    [InlineData("[1,[a,b],'c,d']", "[1, [a, b], c,d]")]
    [InlineData("{a:10,b:{c:x}}", "{a: 10, b: {c: x}}")]
    [InlineData("{}", "{}")]
    [InlineData("{a: [1, 2]}", "{a: [1, 2]}")]
    [InlineData("[{a:1},{b:2}]", "[{a: 1}, {b: 2}]")]
    public void Container_HydraCase_Parsed(string text, string rendered) => Assert.Equal(rendered, Value(text).Describe());

    [Theory]
    [InlineData("key=value", "Change", "key", null)]
    [InlineData("+key=value", "Add", "key", null)]
    [InlineData("++key=value", "ForceAdd", "key", null)]
    [InlineData("~key", "Delete", "key", null)]
    [InlineData("~key=value", "Delete", "key", null)]
    [InlineData("a.b.c=1", "Change", "a.b.c", null)]
    [InlineData("a.0.b=1", "Change", "a.0.b", null)]
    [InlineData("$db=1", "Change", "$db", null)]
    [InlineData("hydra/launcher=joblib", "Change", "hydra/launcher", null)]
    [InlineData("db@backup=mysql", "Change", "db", "backup")]
    [InlineData("db@=mysql", "Change", "db", "")]
    [InlineData("server/db@a.b=mysql", "Change", "server/db", "a.b")]
    [InlineData("tags[2]=x", "Change", "tags.2", null)]
    [InlineData("tags+=[a,b]", "Extend", "tags", null)]
    [InlineData("tags-=a", "Remove", "tags", null)]
    [InlineData("~tags[0]", "Delete", "tags.0", null)]
    public void Key_HydraAndListForms_Parsed(string input, string kind, string key, string? package)
    {
        var o = OverrideParser.Parse(input);
        Assert.Equal((Enum.Parse<OverrideKind>(kind), key, package), (o.Kind, o.Key, o.Package));
        Assert.Equal(input, o.Input);
    }

    [Theory]
    [InlineData("key=1,2,3", "1,2,3")]
    [InlineData("key=a, b ,c", "a,b,c")]
    [InlineData("key=\"a,b\",\"c,d\"", "a\\,b,c\\,d")]
    [InlineData("key=[a,b],[c,d]", "[a,b],[c,d]")]
    [InlineData("key={a:1},{a:2}", "{a:1},{a:2}")]
    [InlineData("key=choice(1,2)", "1,2")]
    [InlineData("key=choice(a)", "a")]
    [InlineData("key=choice(str(1,2))", "'1','2'")]
    [InlineData("key=sort(3,1,2)", "1,2,3")]
    [InlineData("key=sort(c,a,b,reverse=true)", "c,b,a")]
    [InlineData("key=str(1,2)", "'1','2'")]
    [InlineData("key=int(1.5,2.7)", "1,2")]
    public void ChoiceSweep_HydraCase_Values(string input, string values)
    {
        var sweep = Assert.IsType<ChoiceSweep>(OverrideParser.Parse(input).Value);
        Assert.Equal(values, string.Join(',', sweep.Choices.Select(SweepValues.ToOverrideText)));
    }

    [Theory]
    [InlineData("range(5)", "0,1,2,3,4")]
    [InlineData("range(1,5)", "1,2,3,4")]
    [InlineData("range(0,10,3)", "0,3,6,9")]
    [InlineData("range(-5,step=-1)", "0,-1,-2,-3,-4")]
    [InlineData("range(start=1,stop=3)", "1,2")]
    [InlineData("range(0,1,0.25)", "0.0,0.25,0.5,0.75")]
    [InlineData("range(0,10,3.3)", "0.0,3.3,6.6,9.9")]
    [InlineData("range(0.1,0.4,0.1)", "0.1,0.2,0.3")]
    [InlineData("float(range(1,3))", "1.0,2.0")]
    [InlineData("sort(range(1,4),reverse=true)", "3,2,1")]
    [InlineData("range(5,1)", "")]
    public void RangeSweep_HydraCase_StopExclusive(string text, string values)
    {
        var range = Assert.IsType<RangeSweep>(OverrideParser.Parse("key=" + text).Value);
        Assert.Equal(values, string.Join(',', SweepValues.RangeValues(range).Select(SweepValues.ToOverrideText)));
    }

    [Fact]
    public void Interval_Tagged_KeepsBoundsAndTags()
    {
        var sweep = Assert.IsType<IntervalSweep>(OverrideParser.Parse("lr=tag(log, interval(1e-5, 1e-1))").Value);
        Assert.Equal((1e-5, 0.1, false), (sweep.Start, sweep.End, sweep.IsInt));
        Assert.Equal(["log"], sweep.Tags);
        var integer = Assert.IsType<IntervalSweep>(OverrideParser.Parse("depth=int(interval(2, 8))").Value);
        Assert.True(integer.IsInt);
        Assert.IsType<IntervalSweep>(OverrideParser.Parse("x=interval(0,1)").Value);
    }

    [Fact]
    public void Glob_IncludeAndExclude_Parsed()
    {
        var glob = Assert.IsType<GlobSweep>(OverrideParser.Parse("db=glob([s*,w*],exclude=school)").Value);
        Assert.Equal(["s*", "w*"], glob.Include.ToArray());
        Assert.Equal(["school"], glob.Exclude.ToArray());
        Assert.True(BasicSweep.GlobMatch("s*", "sqlite"));
        Assert.False(BasicSweep.GlobMatch("s*", "mysql"));
    }

    [Theory]
    [InlineData("int(3.14)", "3")]
    [InlineData("int('10')", "10")]
    [InlineData("int(true)", "1")]
    [InlineData("float(1)", "1.0")]
    [InlineData("float('1e3')", "1000.0")]
    [InlineData("str(10)", "10")]
    [InlineData("str(true)", "true")]
    [InlineData("str([1,2])", "[1, 2]")]
    [InlineData("bool('false')", "False")]
    [InlineData("bool(0)", "False")]
    [InlineData("bool(value=1)", "True")]
    [InlineData("json_str({a:1,b:[x,'y']})", "{\"a\": 1, \"b\": [\"x\", \"y\"]}")]
    [InlineData("sort([3,1,2])", "[1, 2, 3]")]
    [InlineData("int({a:'1',b:2.5})", "{a: 1, b: 2}")]
    public void Cast_HydraCase_Converted(string text, string rendered) => Assert.Equal(rendered, Value(text).Describe());

    [Fact]
    public void Cast_StringToInt_IsAListOfStrings()
    {
        var list = Assert.IsType<ConfigList>(Value("str([1,2])"));
        Assert.All(list.Items, i => Assert.Equal(ScalarKind.String, ((ConfigScalar)i).Kind));
    }

    // The input, the column of the problem (1-based) and a part of Hydra's message.
    [Theory]
    [InlineData("key=[1,2", 9, "missing ']'")]
    [InlineData("key={a:1", 9, "missing '}'")]
    [InlineData("key=a=b", 6, "extraneous input '='")]
    [InlineData("key=(a)", 5, "mismatched input '('")]
    [InlineData("key", 4, "missing '='")]
    [InlineData("=value", 1, "no viable key")]
    [InlineData("key value", 4, "expecting '='")]
    [InlineData("key='abc", 5, "token recognition error")]
    [InlineData("key=bool(yes)", 5, "ValueError while evaluating 'bool(…)': Cannot cast 'yes' to bool")]
    [InlineData("key=int('10.0')", 5, "invalid literal for int() with base 10: '10.0'")]
    [InlineData("key=choice()", 5, "empty choice is not legal")]
    [InlineData("key=choice(choice(a,b))", 5, "nesting choices is not supported")]
    [InlineData("key=foo(1)", 5, "Unknown function 'foo'")]
    [InlineData("key=tag(log, 1)", 5, "Last argument to tag() must be a choice(), range() or interval(), got int")]
    [InlineData("key=str(interval(0,1))", 5, "Intervals cannot be cast to str")]
    [InlineData("key=range(a=1)", 5, "unexpected keyword argument 'a'")]
    [InlineData("key=choice(a=1,2)", 16, "positional argument follows keyword argument")]
    [InlineData("db@src:dst=mysql", 7, "renaming was removed")]
    [InlineData("server/db.x=1", 10, "a group path")]
    public void Parse_Malformed_ErrorWithColumn(string input, int column, string message)
    {
        var e = Assert.Throws<ConfigException>(() => OverrideParser.Parse(input));
        Assert.StartsWith($"Error parsing override '{input}'", e.Problem, StringComparison.Ordinal);
        Assert.Contains(message, e.Problem, StringComparison.Ordinal);
        Assert.Contains($"at column {column}.", e.Problem, StringComparison.Ordinal);
        Assert.Equal(column, e.Where!.Column);
    }
}
