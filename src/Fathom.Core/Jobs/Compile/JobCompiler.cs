using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Turns a polyaxonfile and its params into a <see cref="CompiledJob"/>, as <c>polyaxon run</c> and Polyaxon's compiler
/// do: the operation's component found (<c>pathRef</c> beside the file, or inline), params from the operation and from
/// <c>-P</c> (which win) matched to the declared inputs and parsed by their types, every missing required input listed
/// at once, the run section patched (<c>runPatch</c>), rendered with the context and read again. Nothing runs and
/// nothing is recorded here, so a bad file or param fails before a run exists.
/// </summary>
internal static partial class JobCompiler
{
    /// <summary>
    /// Compiles <paramref name="document"/>; <paramref name="globals"/> makes the run's globals from its name and its
    /// service ports (the executor decides the paths the job sees); <paramref name="refValues"/> holds the values of the
    /// operation's params with <c>ref</c>, which only a DAG reads (from its upstream runs).
    /// </summary>
    public static CompiledJob Compile(
        PolyaxonDocument document,
        IReadOnlyDictionary<string, string> cliParams,
        Func<string, IReadOnlyList<int>?, JobGlobals> globals,
        DateTimeOffset now,
        IReadOnlyDictionary<string, object?>? refValues = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(cliParams);
        ArgumentNullException.ThrowIfNull(globals);
        var (component, operation) = Resolve(document);
        var values = ResolveParams(component, operation, cliParams, refValues);

        var name = operation?.Name ?? component.Name ?? Path.GetFileNameWithoutExtension(document.File);
        var runNode = component.RunNode;
        if (operation?.RunPatch is { } patch)
        {
            runNode = PolyaxonTemplates.Patch(runNode, patch, "post_merge");
        }

        var ports = component.Run is ServiceRunSpec service ? service.Ports : null;
        var runGlobals = globals(name, ports);
        var context = Context(component, values, runGlobals, now);
        var renderedRun = (ConfigMap)PolyaxonTemplates.RenderNode(runNode, context, "run");
        var run = PolyaxonReader.ReadRendered(renderedRun, component.File);
        TerminationSpec? termination = null;
        if ((operation?.TerminationNode ?? component.TerminationNode) is { } terminationNode)
        {
            var reader = new SpecReader(rendered: true);
            termination = PolyaxonReader.Termination(reader, PolyaxonTemplates.RenderNode(terminationNode, context, "termination"), "termination");
            reader.ThrowIfErrors();
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var io in component.Io)
        {
            var toEnv = operation?.Params.GetValueOrDefault(io.Name)?.ToEnv ?? io.ToEnv;
            if (toEnv is not null && values.TryGetValue(io.Name, out var value) && value is not null)
            {
                environment[toEnv] = IoValues.Python(Display(io, value));
            }
        }

        return new CompiledJob(
            name,
            operation?.Description ?? component.Description,
            operation?.Tags ?? component.Tags,
            component.Inputs.ToDictionary(i => i.Name, i => values.GetValueOrDefault(i.Name), StringComparer.Ordinal),
            component.Outputs.ToDictionary(o => o.Name, o => values.GetValueOrDefault(o.Name), StringComparer.Ordinal),
            run,
            renderedRun,
            termination,
            environment,
            runGlobals,
            component.File);
    }

    /// <summary>The component an operation runs: inline, or the file its <c>pathRef</c> names (relative to the operation's file).</summary>
    public static (ComponentSpec Component, OperationSpec? Operation) Resolve(PolyaxonDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Component is { } component)
        {
            return (component, null);
        }

        var operation = document.Operation!;
        if (operation.Component is { } inline)
        {
            return (inline, operation);
        }

        if (operation.HubRef is { } hub)
        {
            throw new ConfigException(operation.Source, "hubRef",
                $"'{hub}' is a component of Polyaxon's Component Hub, which Fathom cannot reach (it runs offline); save the component beside this file and name it with pathRef.");
        }

        if (operation.UrlRef is { } url)
        {
            throw new ConfigException(operation.Source, "urlRef",
                $"'{url}' would be downloaded, which Fathom does not do when it runs; save the component beside this file and name it with pathRef.");
        }

        if (operation.DagRef is { } dagRef)
        {
            throw new ConfigException(operation.Source, "dagRef", $"'{dagRef}' names a component of a DAG, which only an operation inside run.operations can use.");
        }

        var relative = operation.PathRef!;
        var baseFolder = Path.GetDirectoryName(Path.GetFullPath(document.File)) ?? ".";
        var path = Path.GetFullPath(Path.Combine(baseFolder, relative));
        if (!File.Exists(path))
        {
            throw new ConfigException(operation.Source, "pathRef", $"'{relative}' does not exist (looked for {path}).");
        }

        var target = PolyaxonReader.ReadFile(path, Path.Combine(Path.GetDirectoryName(document.File) ?? "", relative));
        return target.Component is { } referenced
            ? (referenced, operation)
            : throw new ConfigException(operation.Source, "pathRef", $"'{relative}' is an operation; pathRef must name a component file.");
    }
}
