using System.Text.Json;
using Fathom.Support;

namespace Fathom.Models;

[Collection(TrainedModelGroup.Name)]
public sealed class ModelFolderTests(TrainedModelFixture fixture)
{
    private static readonly DateTimeOffset Created = new(2024, 1, 31, 12, 0, 1, 250, TimeSpan.Zero);

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_RoundTripsTheManifestAndTheProbabilities()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("artifacts", "model");

        var saved = await SaveAsync(folder, "run123");
        var loaded = await ModelFolder.LoadAsync(folder, CancellationToken.None);
        using var model = loaded.Model;

        Assert.Equal(["MLmodel", "input_example.json", "model.zip"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([folder], Directory.GetDirectories(temp.Combine("artifacts")));
        Assert.Equal(saved.ModelUuid, loaded.Manifest.ModelUuid);
        Assert.Matches("^[0-9a-f]{32}$", saved.ModelUuid);
        Assert.Equal(("model", "run123", Created, "model.zip"), (loaded.Manifest.ArtifactPath, loaded.Manifest.RunId, loaded.Manifest.UtcTimeCreated, loaded.Manifest.ModelFile));
        Assert.Equal(fixture.Result.Metrics, loaded.Manifest.Metrics);
        Assert.Equal(fixture.Result.Options.ToParameters(), loaded.Manifest.TrainingOptions);
        var texts = fixture.Test.Select(r => r.Text).ToArray();
        Assert.Equal(texts.Select(fixture.Model.PredictProbability), texts.Select(model.PredictProbability));
    }

    [Fact]
    public async Task SaveAsync_Manifest_UsesMlflowKeysAndFormats()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("model");

        await SaveAsync(folder, runId: null);

        var manifest = await File.ReadAllTextAsync(Path.Combine(folder, "MLmodel"));
        Assert.StartsWith("artifact_path: model\nflavors:\n  fathom_sentiment:\n", manifest, StringComparison.Ordinal);
        Assert.Contains("  mlnet:\n", manifest, StringComparison.Ordinal);
        Assert.Contains("    model_file: model.zip\n", manifest, StringComparison.Ordinal);
        Assert.Contains($"    mlnet_version: {ModelFolder.MlnetVersion}\n", manifest, StringComparison.Ordinal);
        Assert.Contains("run_id: null\n", manifest, StringComparison.Ordinal);
        Assert.Contains("saved_input_example_info:\n  artifact_path: input_example.json\n  pandas_orient: split\n  type: dataframe\n", manifest, StringComparison.Ordinal);
        Assert.Contains($"  inputs: '{ModelFolder.SignatureInputs}'\n", manifest, StringComparison.Ordinal);
        Assert.Contains("  outputs: '[{\"type\": \"double\", \"name\": \"logit_prob\", \"required\": true}, {\"type\": \"string\", \"name\": \"sentiment\", \"required\": true}]'\n", manifest, StringComparison.Ordinal);
        Assert.EndsWith("utc_time_created: '2024-01-31 12:00:01.250000'\n", manifest, StringComparison.Ordinal);
        using var example = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "input_example.json")));
        Assert.Equal("text", example.RootElement.GetProperty("columns")[0].GetString());
        Assert.Equal(2, example.RootElement.GetProperty("data").GetArrayLength());
        Assert.Null((await ModelFolder.ReadManifestAsync(folder, CancellationToken.None)).RunId);
    }

    [Fact]
    public async Task SaveAsync_FolderNotEmpty_RefusesAndLeavesItAlone()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("model");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "keep.txt"), "x");

        await Assert.ThrowsAsync<IOException>(() => SaveAsync(folder, "r"));

        Assert.Equal([Path.Combine(folder, "keep.txt")], Directory.GetFiles(folder));
        Assert.Equal([folder], Directory.GetDirectories(temp.Path));
    }

    [Theory]
    [InlineData("flavors:", "flavoured:", "field 'flavors' is missing")]
    [InlineData("  mlnet:", "  tensorflow:", "field 'flavors.mlnet' is missing")]
    [InlineData("  fathom_sentiment:", "  other:", "field 'flavors.fathom_sentiment' is missing")]
    [InlineData("    model_file: model.zip\nmetadata:", "    model_file: ../x.zip\nmetadata:", "field 'flavors.mlnet.model_file' must be a path inside the model folder")]
    [InlineData("model_uuid:", "model_id:", "field 'model_uuid' is missing")]
    [InlineData("utc_time_created: '", "utc_time_created: 'yesterday", "field 'utc_time_created' is not a time")]
    [InlineData("\"name\": \"text\"", "\"name\": \"review\"", "field 'signature.inputs' must declare a string column named \"text\"")]
    [InlineData("  inputs: '[", "  inputs: '{[", "field 'signature.inputs' is not a JSON column spec")]
    [InlineData("val_accuracy: ", "val_accuracy: high #", "field 'metadata.metrics.val_accuracy' is not a number")]
    [InlineData("artifact_path: model", "artifact_path: [model", "is not valid YAML")]
    public async Task LoadAsync_CorruptManifest_ThrowsNamingFileAndField(string find, string replace, string expected)
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("model");
        await SaveAsync(folder, "run");
        var manifestPath = Path.Combine(folder, "MLmodel");
        var text = await File.ReadAllTextAsync(manifestPath);
        Assert.Contains(find, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifestPath, ReplaceFirst(text, find, replace));

        var error = await Assert.ThrowsAsync<ModelFolderException>(() => ModelFolder.LoadAsync(folder, CancellationToken.None));

        Assert.StartsWith($"{manifestPath}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(manifestPath, error.FilePath);
    }

    [Fact]
    public async Task LoadAsync_ManifestWithAnAliasBomb_IsRefusedBeforeExpandingIt()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("model");
        await SaveAsync(folder, "run");
        var manifestPath = Path.Combine(folder, "MLmodel");
        var bomb = new System.Text.StringBuilder("bomb:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 10; level++)
        {
            bomb.Append($"  l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 10)).Append("]\n");
        }

        await File.AppendAllTextAsync(manifestPath, bomb.ToString());

        var error = await Assert.ThrowsAsync<ModelFolderException>(() => ModelFolder.LoadAsync(folder, CancellationToken.None));

        Assert.StartsWith($"{manifestPath}: line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("once its aliases (*name) are expanded; refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingManifest_SaysTheFolderIsNotAModel()
    {
        using var temp = new TempFolder();

        var error = await Assert.ThrowsAsync<ModelFolderException>(() => ModelFolder.LoadAsync(temp.Path, CancellationToken.None));

        Assert.Equal($"{Path.Combine(temp.Path, "MLmodel")}: is missing: '{temp.Path}' is not a model folder", error.Message);
    }

    [Fact]
    public async Task LoadAsync_MissingOrCorruptModelFile_NamesTheModelFile()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("model");
        await SaveAsync(folder, "run");
        var modelPath = Path.Combine(folder, "model.zip");

        await File.WriteAllTextAsync(modelPath, "not a zip");
        var corrupt = await Assert.ThrowsAsync<ModelFolderException>(() => ModelFolder.LoadAsync(folder, CancellationToken.None));
        File.Delete(modelPath);
        var missing = await Assert.ThrowsAsync<ModelFolderException>(() => ModelFolder.LoadAsync(folder, CancellationToken.None));

        Assert.StartsWith($"{modelPath}: is not a loadable ML.NET sentiment model", corrupt.Message, StringComparison.Ordinal);
        Assert.Equal($"{modelPath}: is missing (named by flavors.mlnet.model_file in MLmodel)", missing.Message);
    }

    private Task<ModelManifest> SaveAsync(string folder, string? runId) =>
        ModelFolder.SaveAsync(
            fixture.Model, folder, runId, fixture.Result.Metrics, fixture.Result.Options.ToParameters(), new FixedTimeProvider(Created), CancellationToken.None);

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var index = text.IndexOf(find, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, index), replace, text.AsSpan(index + find.Length));
    }
}
