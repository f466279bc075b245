namespace Fathom.Tracking;

/// <summary>MLflow's CreateRun rules on names, shared by every store.</summary>
internal static class RunCreation
{
    /// <summary>
    /// The run's name (given, from the <c>mlflow.runName</c> tag, or generated) and its tags with the name tag set;
    /// a name and a name tag that differ are refused, as MLflow refuses them.
    /// </summary>
    public static (string RunName, List<Tag> Tags) Resolve(CreateRunRequest request, Random random)
    {
        ArgumentNullException.ThrowIfNull(request);
        var nameTag = request.Tags.LastOrDefault(t => t.Key == SystemTags.RunName)?.Value;
        if (request.RunName is not null && nameTag is not null && request.RunName != nameTag)
        {
            throw TrackingException.Invalid(
                $"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='{request.RunName}', mlflow.runName='{nameTag}').");
        }

        var runName = string.IsNullOrEmpty(request.RunName ?? nameTag) ? RunNames.Generate(random) : (request.RunName ?? nameTag)!;
        var tags = request.Tags.Where(t => t.Key != SystemTags.RunName).Append(new Tag(SystemTags.RunName, runName)).ToList();
        TrackingValidation.ValidateTags(tags);
        return (runName, [.. TrackingValidation.LimitValues([], tags, TrackingValidation.TruncateLongValues).Tags]);
    }
}
