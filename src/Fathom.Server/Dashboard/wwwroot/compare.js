// Compare two or more runs: their params side by side (rows that differ marked, or only those shown), their last
// metric values, and each metric's histories overlaid on one chart.
import { get, histories } from './api.js';
import { h, clear, empty, formatNumber } from './dom.js';
import { chartPanel, colorOf } from './chart.js';
import { experimentLink } from './run.js';

const MAX_RUNS = 100; // get-history-bulk-interval's limit on run ids

export async function comparePage(main, query) {
  const ids = [...new Set((query.get('runs') ?? '').split(',').filter(Boolean))].slice(0, MAX_RUNS);
  document.title = 'Compare runs · Fathom';
  if (ids.length < 2) {
    clear(main, h('h1', { tabindex: '-1' }, 'Compare runs'), empty('Select two or more runs in an experiment\'s runs table, then choose "Compare selected".', h('a', { href: '#/' }, 'Go to the experiments')));
    return;
  }
  const runs = (await Promise.all(ids.map((id) => get('runs/get', { run_id: id })))).map((r) => r.run);
  const name = (r) => r.info.run_name || r.info.run_id;
  const value = (r, kind, key) => r.data?.[kind]?.find((x) => x.key === key)?.value;
  const keys = (kind) => [...new Set(runs.flatMap((r) => (r.data?.[kind] ?? []).map((x) => x.key)))].sort();

  const onlyDiffs = h('input', { type: 'checkbox' });
  const params = keys('params');
  const paramRows = params.map((k) => {
    const values = runs.map((r) => value(r, 'params', k));
    const differs = new Set(values.map((v) => v ?? '\u0000')).size > 1;
    return h('tr', { class: differs ? 'differs' : '', dataset: { differs: String(differs) } },
      h('th', { scope: 'row', class: 'mono' }, k), values.map((v) => h('td', { title: v ?? '' }, v ?? '—')));
  });
  onlyDiffs.addEventListener('change', () => paramRows.forEach((tr) => { tr.hidden = onlyDiffs.checked && tr.dataset.differs !== 'true'; }));
  const runHeads = () => runs.map((r, i) => h('th', { scope: 'col' }, h('span', { class: 'swatch', style: `background:${colorOf(i)}` }), h('a', { href: `#/runs/${encodeURIComponent(r.info.run_id)}` }, name(r))));

  const metrics = keys('metrics');
  const differing = paramRows.filter((tr) => tr.dataset.differs === 'true').length;
  clear(main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Experiments'), ' / ',
      experimentLink(runs[0].info.experiment_id), ' / compare'),
    h('h1', { tabindex: '-1' }, `Compare ${runs.length} runs`),
    h('h2', {}, `Parameters (${params.length}, ${differing} differ)`),
    params.length
      ? [h('label', {}, onlyDiffs, ' Show only parameters that differ'),
        h('div', { class: 'table-wrap' }, h('table', { id: 'params-diff' }, h('thead', {}, h('tr', {}, h('th', {}, 'Parameter'), runHeads())), h('tbody', {}, paramRows)))]
      : empty('None of these runs has parameters.'),
    h('h2', {}, `Metrics (${metrics.length})`),
    metrics.length
      ? [h('div', { class: 'table-wrap' }, h('table', { id: 'metrics-compare' }, h('thead', {}, h('tr', {}, h('th', {}, 'Metric (last value)'), runHeads())),
          h('tbody', {}, metrics.map((k) => h('tr', {}, h('th', { scope: 'row', class: 'mono' }, k), runs.map((r) => h('td', { class: 'num' }, formatNumber(value(r, 'metrics', k)) || '—'))))))),
        h('div', { class: 'chart-grid', id: 'compare-charts' }, metrics.map((k) => chartPanel(k, async () => {
          const byRun = await histories(ids, k);
          return runs.map((r, i) => ({ name: name(r), color: colorOf(i), points: byRun.get(r.info.run_id) ?? [] })).filter((s) => s.points.length);
        })))]
      : empty('None of these runs has metrics.'));
}
