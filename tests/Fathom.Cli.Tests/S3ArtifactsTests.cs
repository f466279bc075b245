
namespace Fathom.Cli.Tests;

public sealed class S3ArtifactsTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task TrainThenPredict_ArtifactsInS3_ModelRoundTripsThroughTheBucket()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var environment = new Dictionary<string, string>
        {
            ["FATHOM_ARTIFACTS"] = $"s3://{S3rverFixture.Bucket}/cli-{Guid.NewGuid():N}",
            ["MLFLOW_S3_ENDPOINT_URL"] = s3.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
        };
        var test = Path.Combine(RepositorySamples.Imdb, "test");

        var train = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(3), "train", "--data", Path.Combine(RepositorySamples.Imdb, "train"), "--experiment", "s3");
        var runId = train.StdoutLines[^1];
        var show = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(1), "runs", "show", runId);
        var predict = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(3), "predict", "--model", runId, "--input", test, "--recursive", "--output", _dir.Combine("p.jsonl"));

        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains(environment["FATHOM_ARTIFACTS"], show.Stdout, StringComparison.Ordinal);
        Assert.Contains("model/model.zip", show.Stdout, StringComparison.Ordinal);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal(400, File.ReadAllLines(_dir.Combine("p.jsonl")).Length);
    }
}
