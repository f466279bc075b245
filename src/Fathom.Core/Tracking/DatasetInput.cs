namespace Fathom.Tracking;

/// <summary>A data set used as a run's input, with input tags such as <c>mlflow.data.context</c>.</summary>
public sealed record DatasetInput(Dataset Dataset, IReadOnlyList<Tag> Tags);
