namespace Fathom.Sentiment;

public sealed class SentimentTrainingOptionsTests
{
    [Fact]
    public void Apply_ValidKeyValues_SetsEachOption()
    {
        var options = new SentimentTrainingOptions().Apply(
            ["seed=7", "validation_fraction=0.25", "ngram_length=3", "max_ngrams=1000", "trainer=SDCA", "l2=0.5", "l1=0.01",
             "tolerance=1e-5", "max_iterations=20", "text_is_clean=true"]);

        Assert.Equal(
            new SentimentTrainingOptions
            {
                Seed = 7,
                ValidationFraction = 0.25,
                NgramLength = 3,
                MaxNgrams = 1000,
                Trainer = SentimentTrainerKind.Sdca,
                L2Regularization = 0.5f,
                L1Regularization = 0.01f,
                Tolerance = 1e-5f,
                MaxIterations = 20,
                TextIsClean = true,
            },
            options);
    }

    [Fact]
    public void ToParameters_AppliedBack_GivesTheSameOptions()
    {
        var options = new SentimentTrainingOptions { Seed = 3, L2Regularization = 0.03f, Trainer = SentimentTrainerKind.Sdca };

        var roundTripped = new SentimentTrainingOptions().Apply(options.ToParameters().Select(p => (p.Key, p.Value)));

        Assert.Equal(options, roundTripped);
        Assert.Equal(SentimentTrainingOptions.Keys.Order(StringComparer.Ordinal), options.ToParameters().Keys);
    }

    [Theory]
    [InlineData("learning_rate", "0.1", "Unknown training option 'learning_rate'")]
    [InlineData("seed", "abc", "Invalid value 'abc' for training option 'seed': expected an integer")]
    [InlineData("validation_fraction", "1", "Invalid value '1' for training option 'validation_fraction': expected a number >= 0 and < 1")]
    [InlineData("ngram_length", "9", "Invalid value '9' for training option 'ngram_length': expected an integer from 1 to 5")]
    [InlineData("l2", "-1", "Invalid value '-1' for training option 'l2': expected a number >= 0")]
    [InlineData("tolerance", "0", "Invalid value '0' for training option 'tolerance': expected a number > 0")]
    [InlineData("trainer", "adam", "Invalid value 'adam' for training option 'trainer': expected lbfgs or sdca")]
    public void Apply_BadKeyOrValue_ThrowsNamingItAndListingValidKeys(string key, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new SentimentTrainingOptions().Apply([(key, value)]));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Valid keys: seed, validation_fraction, ngram_length,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_StringWithoutEquals_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new SentimentTrainingOptions().Apply(["seed"]));

        Assert.Contains("'seed' is not key=value", error.Message, StringComparison.Ordinal);
    }
}
