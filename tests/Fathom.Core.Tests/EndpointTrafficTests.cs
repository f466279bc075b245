using CsCheck;
using Fathom.Endpoints;
using Fathom.Tracking;

namespace Fathom.Tests;

/// <summary>Canary splits: what <c>--traffic</c> accepts, how each refusal names the field, and where requests land.</summary>
public sealed class EndpointTrafficTests
{
    [Theory]
    [InlineData("v3=90,v4=10", "v3=90,v4=10")]
    [InlineData(" 3 = 90% , V4=10 ", "v3=90,v4=10")]
    [InlineData("v1=50,v2=25,v3=25", "v1=50,v2=25,v3=25")]
    public void Parse_WellFormedSplits_AreKeptInCanonicalForm(string text, string canonical) =>
        Assert.Equal(canonical, EndpointTraffic.Format(EndpointTraffic.Parse(text, "--traffic")));

    [Theory]
    [InlineData("v3=90,v4=20", "--traffic: the shares add up to 110%; they must add up to 100.")]
    [InlineData("v3=100", "--traffic: version 3 gets 100%; each share must be between 1 and 99.")]
    [InlineData("v3=90", "--traffic: a split needs at least two versions, e.g. v3=90,v4=10.")]
    [InlineData("v3=50,v3=50", "--traffic: version 3 is named twice.")]
    [InlineData("v3:90,v4=10", "--traffic: 'v3:90' is not VERSION=PERCENT; write e.g. v3=90,v4=10.")]
    [InlineData("vx=90,v4=10", "--traffic: 'vx=90' is not VERSION=PERCENT; write e.g. v3=90,v4=10.")]
    [InlineData("v0=90,v4=10", "--traffic: 'v0=90' is not VERSION=PERCENT; write e.g. v3=90,v4=10.")]
    public void Parse_Mistakes_AreRefusedNamingTheField(string text, string message)
    {
        var error = Assert.Throws<TrackingException>(() => EndpointTraffic.Parse(text, "--traffic"));
        Assert.Equal((ErrorCode.InvalidParameterValue, message), (error.Code, error.Message));
    }

    [Fact]
    public void Pick_ASession_AlwaysLandsOnTheSameVersion_AndSessionsSpreadByTheShares()
    {
        var split = EndpointTraffic.Parse("v3=90,v4=10", "traffic");
        Gen.String.Sample(session =>
        {
            var first = EndpointTraffic.Pick(split, session, new Random(1));
            return Enumerable.Range(2, 5).All(seed => EndpointTraffic.Pick(split, session, new Random(seed)) == first);
        });

        var canary = Enumerable.Range(0, 10_000).Count(i => EndpointTraffic.Pick(split, "user-" + i, Random.Shared) == 4);
        Assert.InRange(canary, 800, 1200);
    }

    [Fact]
    public void Pick_WithoutASession_DrawsByTheShares()
    {
        var split = EndpointTraffic.Parse("v1=70,v2=30", "traffic");
        var random = new Random(42);

        var second = Enumerable.Range(0, 10_000).Count(_ => EndpointTraffic.Pick(split, null, random) == 2);

        Assert.InRange(second, 2700, 3300);
    }
}
