using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Several <c>dvc.yaml</c> files of one repository seen as one DAG, as DVC's repository index does: a stage is
/// addressed by its name when its file is the <c>dvc.yaml</c> of <see cref="BaseFolder"/> (the current folder), else as
/// <c>path/to/dvc.yaml:name</c>, and an out of one file feeds the deps of another.
/// </summary>
internal sealed partial class PipelineSet
{
    private readonly Dictionary<string, (PipelineProject Project, PipelineStage Stage)> _byAddress;

    private PipelineSet(DvcRepository repository, string baseFolder, IReadOnlyList<PipelineProject> projects, PipelineGraph graph, Dictionary<string, (PipelineProject, PipelineStage)> byAddress)
    {
        Repository = repository;
        BaseFolder = baseFolder;
        Projects = projects;
        Graph = graph;
        _byAddress = byAddress;
    }

    public DvcRepository Repository { get; }

    /// <summary>The folder addresses and paths are relative to (the current folder).</summary>
    public string BaseFolder { get; }

    public IReadOnlyList<PipelineProject> Projects { get; }

    /// <summary>The DAG over every stage of every file, stages named by their addresses.</summary>
    public PipelineGraph Graph { get; }

    /// <summary>Every <c>dvc.yaml</c> of the repository holding <paramref name="baseFolder"/>.</summary>
    public static PipelineSet Open(string baseFolder)
    {
        var repository = DvcRepository.Discover(baseFolder);
        return Load(repository, baseFolder, PipelineFiles.Find(repository, repository.Root));
    }

    public static PipelineSet Load(DvcRepository repository, string baseFolder, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(files);
        var fullBase = Path.GetFullPath(baseFolder);
        var projects = new List<PipelineProject>();
        var byAddress = new Dictionary<string, (PipelineProject, PipelineStage)>(StringComparer.Ordinal);
        var addressed = new List<PipelineStage>();
        foreach (var file in files)
        {
            var display = repository.Relative(file);
            var pipeline = PipelineParser.Load(file, display, repository.Paths);
            var project = new PipelineProject(repository, pipeline, PipelineGraph.Build(pipeline, display), display);
            projects.Add(project);
            var prefix = Prefix(fullBase, file);
            foreach (var stage in pipeline.Stages)
            {
                var address = prefix + stage.Name;
                byAddress[address] = (project, stage);
                addressed.Add(stage with { Name = address, Group = stage.Group is null ? null : prefix + stage.Group });
            }
        }

        var name = projects.Count == 1 ? projects[0].DisplayName : "dvc.yaml files";
        var combined = new Pipeline(Path.Combine(fullBase, PipelineParser.FileName), addressed, [], []);
        return new PipelineSet(repository, fullBase, projects, PipelineGraph.Build(combined, name), byAddress);
    }

    /// <summary>The file and the stage (with its own name) behind an address.</summary>
    public (PipelineProject Project, PipelineStage Stage) Locate(string address) => _byAddress[address];

    /// <summary>How a stage of a file is addressed from the base folder.</summary>
    public string Address(PipelineProject project, string stageName)
    {
        ArgumentNullException.ThrowIfNull(project);
        return Prefix(BaseFolder, project.Pipeline.FilePath) + stageName;
    }

    /// <summary>
    /// Every file of the repository as one pipeline rooted at the base folder, for <c>metrics</c> and <c>params</c>:
    /// DVC collects their files from the whole repository index and prints paths relative to the current folder.
    /// </summary>
    public PipelineProject Combined()
    {
        List<PipelineStage> stages = [];
        List<string> metrics = [], paramsFiles = [];
        foreach (var project in Projects)
        {
            stages.AddRange(project.Pipeline.Stages);
            metrics.AddRange(project.Pipeline.Metrics.Select(m => Relative(Path.GetFullPath(m, project.Pipeline.Folder))));
            paramsFiles.AddRange(project.Pipeline.ParamsFiles.Select(p => Relative(Path.GetFullPath(p, project.Pipeline.Folder))));
        }

        var pipeline = new Pipeline(Path.Combine(BaseFolder, PipelineParser.FileName), stages, metrics.Distinct(StringComparer.Ordinal).ToList(), paramsFiles.Distinct(StringComparer.Ordinal).ToList());
        return new PipelineProject(Repository, pipeline, Graph, Projects.Count == 1 ? Projects[0].DisplayName : "dvc.yaml files");
    }

    /// <summary>A path relative to the base folder, '/'-separated, as DVC prints paths.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(BaseFolder, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    // Stages of the base folder's dvc.yaml go by their name alone (DVC's PipelineStage.addressing).
    private static string Prefix(string baseFolder, string file)
    {
        var relative = Path.GetRelativePath(baseFolder, file).Replace(Path.DirectorySeparatorChar, '/');
        return relative == PipelineParser.FileName ? "" : relative + ":";
    }
}
