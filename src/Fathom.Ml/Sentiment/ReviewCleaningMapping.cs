using Fathom.Reviews;
using Microsoft.ML.Transforms;

namespace Fathom.Sentiment;

/// <summary>
/// The first step of the saved model: <see cref="ReviewCleaner"/> as an ML.NET custom mapping, so that
/// <c>model.zip</c> maps a raw review to a probability on its own. ML.NET stores only the contract name; whoever
/// loads the model must register this assembly (<c>MLContext.ComponentCatalog.RegisterAssembly</c>), which
/// <see cref="SentimentModel.Load(Stream, SentimentScoring)"/> does.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
internal sealed class ReviewCleaningMapping : CustomMappingFactory<ReviewTextRow, CleanTextRow>
{
    /// <summary>Versioned: a change of cleaning rules must get a new name, or old models would silently score differently.</summary>
    public const string ContractName = "Fathom.ReviewCleaner.v1";

    public static void Map(ReviewTextRow input, CleanTextRow output) => output.CleanText = ReviewCleaner.Clean(input.Text ?? "");

    public override Action<ReviewTextRow, CleanTextRow> GetMapping() => Map;
}
