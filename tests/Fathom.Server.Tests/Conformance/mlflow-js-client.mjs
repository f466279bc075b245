// Drives a tracking server through the npm "mlflow" package (a Node.js client written against MLflow's REST API
// by someone outside this project) and writes what the client read back to a JSON file for the C# test to check.
// Usage: node mlflow-js-client.mjs <node_modules folder holding mlflow> <server URL> <output file>
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const [modules, endpoint, output] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'mlflow', 'package.json'));
const MLflow = require('mlflow');
const fetch = require('isomorphic-unfetch');

// The client logs every POST body with console.log; keep stdout for this script's own progress only.
console.log = () => {};

const { Experiments, Runs, Metrics, Artifacts } = new MLflow({ endpoint });
const seen = {};
let step = 'start';

async function expectFailure(name, call) {
  try {
    await call();
    seen[name] = { failed: false };
  } catch (e) {
    // The client throws Error(String(Error(JSON.stringify({status, statusText, data})))).
    const text = String(e.message).replace(/^Error: /, '');
    const { status, data } = JSON.parse(text);
    seen[name] = { failed: true, status, error_code: data?.error_code ?? null };
  }
}

try {
  step = 'experiments';
  const { experiment_id } = await Experiments.create({ name: 'js-conformance' });
  await Experiments.update({ experiment_id, new_name: 'js-conformance-renamed' });
  seen.experiment = (await Experiments.get({ experiment_id })).experiment;
  seen.experimentNames = (await Experiments.list()).experiments.map(e => e.name).sort();
  await expectFailure('duplicateExperiment', () => Experiments.create({ name: 'js-conformance-renamed' }));

  step = 'runs';
  const start = 1_700_000_000_000;
  const runIds = [];
  for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
    const { run } = await Runs.create({
      experiment_id,
      user_id: 'node',
      start_time: start + i,
      tags: [{ key: 'mlflow.runName', value: name }, { key: 'team', value: 'nlp' }],
    });
    runIds.push(run.info.run_id);
  }

  const [alpha, beta, gamma] = runIds;
  step = 'logging';
  await Runs.logParameter({ run_id: alpha, key: 'model', value: 'lr' });
  await Runs.logMetric({ run_id: alpha, key: 'loss', value: 0.9, timestamp: start + 10, step: 0 });
  await Runs.logMetric({ run_id: alpha, key: 'loss', value: 0.5, timestamp: start + 11, step: 1 });
  await Runs.logMetric({ run_id: alpha, key: 'loss', value: 0.25, timestamp: start + 12, step: 2 });
  await Runs.setTag({ run_id: alpha, key: 'stage', value: 'draft' });
  await Runs.setTag({ run_id: alpha, key: 'temporary', value: 'yes' });
  await Runs.deleteTag({ run_id: alpha, key: 'temporary' });
  await Runs.logBatch({
    run_id: alpha,
    metrics: [{ key: 'acc', value: 0.91, timestamp: start + 20, step: 3 }],
    params: [{ key: 'epochs', value: '3' }],
    tags: [{ key: 'stage', value: 'final' }],
  });
  await Runs.logBatch({
    run_id: beta,
    metrics: [{ key: 'acc', value: 0.72, timestamp: start + 20, step: 0 }],
    params: [{ key: 'model', value: 'lr' }],
  });
  await Runs.logBatch({
    run_id: gamma,
    metrics: [{ key: 'acc', value: 0.4, timestamp: start + 20, step: 0 }],
    params: [{ key: 'model', value: 'svm' }],
  });
  seen.updated = (await Runs.update({ run_id: alpha, status: 'FINISHED', end_time: start + 100 })).run_info;
  seen.alpha = (await Runs.get({ run_id: alpha })).run;
  seen.lossHistory = (await Metrics.getHistory({ run_id: alpha, metric_key: 'loss' })).metrics;

  step = 'search';
  const byAcc = await Runs.search({
    experiment_ids: [experiment_id],
    filter: "metrics.acc > 0.5 AND params.model = 'lr'",
    order_by: ['metrics.acc DESC'],
  });
  seen.searchLrByAcc = (byAcc.runs ?? []).map(r => r.info.run_name);
  const page1 = await Runs.search({ experiment_ids: [experiment_id], max_results: 2, order_by: ['attributes.start_time ASC'] });
  const page2 = await Runs.search({ experiment_ids: [experiment_id], max_results: 2, order_by: ['attributes.start_time ASC'], page_token: page1.next_page_token });
  seen.pages = [(page1.runs ?? []).map(r => r.info.run_name), (page2.runs ?? []).map(r => r.info.run_name), page2.next_page_token ?? null];
  seen.searchTagLike = ((await Runs.search({ experiment_ids: [experiment_id], filter: "tags.stage LIKE 'fin%'" })).runs ?? []).map(r => r.info.run_name);
  seen.searchStatus = ((await Runs.search({ experiment_ids: [experiment_id], filter: "attributes.status = 'FINISHED'", run_view_type: 'ACTIVE_ONLY' })).runs ?? []).map(r => r.info.run_name);
  await expectFailure('badFilter', () => Runs.search({ experiment_ids: [experiment_id], filter: 'metrics.acc >' }));

  step = 'lifecycle';
  await Runs.delete({ run_id: gamma });
  seen.deletedRuns = ((await Runs.search({ experiment_ids: [experiment_id], run_view_type: 'DELETED_ONLY' })).runs ?? []).map(r => r.info.run_name);
  await Runs.restore({ run_id: gamma });
  seen.restoredRun = (await Runs.get({ run_id: gamma })).run.info.lifecycle_stage;
  await expectFailure('missingRun', () => Runs.get({ run_id: 'f'.repeat(32) }));

  step = 'artifacts';
  // The client can only list artifacts; files go up through the server's artifact proxy, as MLflow's SDKs do.
  const root = alpha && seen.alpha.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
  for (const [file, body] of [['model/MLmodel', 'flavors: {}\n'], ['notes.txt', 'hello']]) {
    const put = await fetch(`${endpoint}/api/2.0/mlflow-artifacts/artifacts/${root}/${file}`, { method: 'PUT', body });
    if (put.status !== 200) throw new Error(`upload ${file}: ${put.status}`);
  }
  seen.artifacts = await Artifacts.list({ run_id: alpha });
  seen.modelArtifacts = await Artifacts.list({ run_id: alpha, path: 'model' });

  step = 'experiment lifecycle';
  await Experiments.delete({ experiment_id });
  seen.deletedExperiments = (await Experiments.list({ view_type: 'DELETED_ONLY' })).experiments.map(e => e.name);
  await Experiments.restore({ experiment_id });
  seen.restoredExperiment = (await Experiments.get({ experiment_id })).experiment.lifecycle_stage;

  writeFileSync(output, JSON.stringify(seen, null, 2));
} catch (e) {
  process.stderr.write(`step '${step}' failed: ${e.stack ?? e}\n`);
  process.exit(1);
}
