using Fathom.Tracking;

namespace Fathom.Cli.Rendering;

/// <summary>The JSON shapes the CLI prints with --json: MLflow's entity shapes, so scripts written for MLflow read them.</summary>
internal static class TrackingJson
{
    public static object Experiment(Experiment e) => new
    {
        experiment_id = e.ExperimentId,
        name = e.Name,
        artifact_location = e.ArtifactLocation,
        lifecycle_stage = e.LifecycleStage,
        creation_time = e.CreationTime,
        last_update_time = e.LastUpdateTime,
        tags = e.Tags.Select(t => new { key = t.Key, value = t.Value }),
    };

    public static object Run(Run r) => new
    {
        info = new
        {
            run_id = r.Info.RunId,
            run_uuid = r.Info.RunId,
            run_name = r.Info.RunName,
            experiment_id = r.Info.ExperimentId,
            user_id = r.Info.UserId,
            status = r.Info.Status.ToWire(),
            start_time = r.Info.StartTime,
            end_time = r.Info.EndTime,
            artifact_uri = r.Info.ArtifactUri,
            lifecycle_stage = r.Info.LifecycleStage,
        },
        data = new
        {
            metrics = r.Metrics.Select(m => new { key = m.Key, value = m.Value, timestamp = m.Timestamp, step = m.Step }),
            @params = r.Params.Select(p => new { key = p.Key, value = p.Value }),
            tags = r.Tags.Select(t => new { key = t.Key, value = t.Value }),
        },
        inputs = new
        {
            dataset_inputs = r.Inputs.Select(i => new
            {
                tags = i.Tags.Select(t => new { key = t.Key, value = t.Value }),
                dataset = new { name = i.Dataset.Name, digest = i.Dataset.Digest, source_type = i.Dataset.SourceType, source = i.Dataset.Source, profile = i.Dataset.Profile },
            }),
        },
    };
}
