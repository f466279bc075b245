// A run's page: overview (status, times, who, where its code came from), params, metrics with history charts,
// tags, and its artifacts with previews and downloads.
import { get, histories } from './api.js';
import { h, clear, empty, formatTime, formatDuration, formatNumber } from './dom.js';
import { chartPanel, colorOf } from './chart.js';
import { artifactsBrowser } from './artifacts.js';

export async function runPage(main, runId) {
  const { run } = await get('runs/get', { run_id: runId });
  const { info, data } = run;
  const tags = Object.fromEntries((data.tags ?? []).map((t) => [t.key, t.value]));
  const name = info.run_name || info.run_id;
  document.title = `${name} · Fathom`;

  const commit = tags['mlflow.source.git.commit'];
  const overview = h('dl', { class: 'overview' },
    item('Run ID', h('span', { class: 'mono' }, info.run_id)),
    item('Status', h('span', { class: `status-${info.status}` }, info.status), info.lifecycle_stage === 'deleted' ? ' (deleted)' : ''),
    item('Started', formatTime(info.start_time)),
    item('Ended', formatTime(info.end_time)),
    item('Duration', formatDuration(info.start_time, info.end_time)),
    item('User', tags['mlflow.user'] ?? info.user_id ?? '—'),
    item('Source', tags['mlflow.source.name'] ?? '—', tags['mlflow.source.type'] ? ` (${tags['mlflow.source.type']})` : ''),
    item('Git commit', commit ? h('span', { class: 'mono', title: commit }, commit.slice(0, 12)) : '—', tags['mlflow.source.git.branch'] ? ` on ${tags['mlflow.source.git.branch']}` : ''),
    tags['mlflow.source.git.repoURL'] ? item('Repository', tags['mlflow.source.git.repoURL']) : null,
    tags['mlflow.parentRunId'] ? item('Parent run', h('a', { href: `#/runs/${encodeURIComponent(tags['mlflow.parentRunId'])}` }, tags['mlflow.parentRunId'])) : null,
    item('Artifacts', h('span', { class: 'mono' }, info.artifact_uri ?? '—')));

  const params = (data.params ?? []).slice().sort((a, b) => a.key.localeCompare(b.key));
  const metrics = (data.metrics ?? []).slice().sort((a, b) => a.key.localeCompare(b.key));
  const tagList = (data.tags ?? []).slice().sort((a, b) => a.key.localeCompare(b.key));

  const charts = h('div', { class: 'chart-grid', id: 'metric-charts' });
  const shown = new Set();
  const showChart = (key) => {
    if (shown.has(key)) { charts.querySelector(`[data-metric="${CSS.escape(key)}"]`)?.scrollIntoView({ block: 'nearest' }); return; }
    shown.add(key);
    const panel = chartPanel(key, async () => {
      const byRun = await histories([info.run_id], key);
      return [{ name, color: colorOf(0), points: byRun.get(info.run_id) ?? [] }];
    });
    panel.dataset.metric = key;
    charts.append(panel);
  };
  metrics.slice(0, 4).forEach((m) => showChart(m.key));

  clear(main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Experiments'), ' / ',
      experimentLink(info.experiment_id), ' / run'),
    h('h1', { tabindex: '-1' }, name),
    h('nav', { class: 'sections', 'aria-label': 'Sections of this run' },
      ['Overview', 'Parameters', 'Metrics', 'Tags', 'Artifacts'].map((s) => h('a', { href: `#/runs/${encodeURIComponent(runId)}`, onclick: (e) => { e.preventDefault(); document.getElementById(`section-${s}`)?.scrollIntoView(); } }, s))),
    h('section', { id: 'section-Overview', 'aria-labelledby': 'h-overview' }, h('h2', { id: 'h-overview' }, 'Overview'), overview),
    h('section', { id: 'section-Parameters' }, h('h2', {}, `Parameters (${params.length})`),
      params.length ? keyValueTable(params, 'Parameter') : empty('This run has no parameters.')),
    h('section', { id: 'section-Metrics' }, h('h2', {}, `Metrics (${metrics.length})`),
      metrics.length
        ? [h('div', { class: 'table-wrap' }, h('table', { id: 'metrics-table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Metric'), h('th', {}, 'Last value'), h('th', {}, 'Step'), h('th', {}, 'Logged'), h('th', {}, ''))),
            h('tbody', {}, metrics.map((m) => h('tr', {}, h('td', {}, m.key), h('td', { class: 'num' }, formatNumber(m.value)), h('td', { class: 'num' }, m.step ?? 0),
              h('td', {}, formatTime(m.timestamp)), h('td', {}, h('button', { type: 'button', onclick: () => showChart(m.key), 'aria-label': `Chart ${m.key}` }, 'Chart'))))))),
          charts]
        : empty('This run has logged no metrics.')),
    h('section', { id: 'section-Tags' }, h('h2', {}, `Tags (${tagList.length})`),
      tagList.length ? keyValueTable(tagList, 'Tag') : empty('This run has no tags.')),
    h('section', { id: 'section-Artifacts' }, h('h2', {}, 'Artifacts'), artifactsBrowser(info.run_id)));
}

// The experiment's name once it is known; its id until then (or if it cannot be read).
export function experimentLink(id) {
  const a = h('a', { href: `#/experiments/${encodeURIComponent(id)}` }, `Experiment ${id}`);
  get('experiments/get', { experiment_id: id }).then(({ experiment }) => { a.textContent = experiment.name; }, () => {});
  return a;
}

function item(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

function keyValueTable(rows, what) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', {}, what), h('th', {}, 'Value'))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { class: 'mono' }, r.key), h('td', { title: r.value }, r.value))))));
}

