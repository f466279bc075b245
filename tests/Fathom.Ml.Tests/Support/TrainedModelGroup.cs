namespace Fathom.Support;

/// <summary>The test classes that share <see cref="TrainedModelFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedModelGroup : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "Trained model";
}
