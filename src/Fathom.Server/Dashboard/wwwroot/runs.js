// The runs table of one experiment: MLflow's filter box (the server's error shown, with a caret at the position it
// reports), sorting and paging done by the server (page tokens), a column chooser for params, metrics and tags, and
// selection for compare. Only one page (100 runs) is in the page at a time, so 100,000 runs cost what 100 do.
import { get, post } from './api.js';
import { h, clear, empty, errorBox, loading, formatTime, formatDuration, formatNumber } from './dom.js';

const PAGE_SIZE = 100;
const selection = new Set(); // kept across pages and filters of one visit

export async function runsPage(main, experimentId, query) {
  const filter = query.get('filter') ?? '';
  const order = query.get('order') ?? 'attributes.start_time DESC';
  const chosen = query.has('cols') ? query.get('cols').split(',').filter(Boolean) : null;
  const link = (changes) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) { if (v === null || v === '') q.delete(k); else q.set(k, v); }
    const s = q.toString();
    return `#/experiments/${encodeURIComponent(experimentId)}${s ? `?${s}` : ''}`;
  };

  const title = h('h1', { tabindex: '-1' }, 'Runs');
  const input = h('input', { type: 'search', name: 'filter', value: filter, spellcheck: false, 'aria-label': 'Filter runs (MLflow search syntax)',
    placeholder: "metrics.accuracy > 0.9 and params.model = 'cnn' and tags.team = 'nlp'" });
  const filterError = h('div', { id: 'filter-error', 'aria-live': 'polite' });
  const compare = h('button', { type: 'button', class: 'primary', onclick: () => { location.hash = `#/compare?runs=${[...selection].map(encodeURIComponent).join(',')}`; } });
  const columnsBox = h('details', { class: 'columns' }, h('summary', {}, 'Columns'));
  const body = h('div', {}, loading('Loading runs…'));
  const pager = h('div', { class: 'pager' });
  const updateCompare = () => { compare.textContent = `Compare selected (${selection.size})`; compare.disabled = selection.size < 2; };
  updateCompare();

  clear(main,
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Experiments'), ' / ', h('span', { class: 'mono' }, experimentId)),
    title,
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = link({ filter: input.value.trim() }); } },
      h('span', { class: 'grow' }, input), h('button', { type: 'submit' }, 'Search'),
      filter ? h('button', { type: 'button', onclick: () => { location.hash = link({ filter: null }); } }, 'Clear') : null,
      columnsBox, compare),
    filterError, body, pager);

  get('experiments/get', { experiment_id: experimentId }).then(({ experiment }) => {
    title.textContent = experiment.name;
    document.title = `${experiment.name} · Fathom`;
    if (experiment.lifecycle_stage === 'deleted') title.after(h('p', { class: 'notice' }, 'This experiment is deleted; restore it from the experiments list.'));
  }, (error) => { clear(main, h('h1', {}, 'Experiment ' + experimentId), errorBox(error, 'Could not load the experiment')); });

  const tokens = [null];
  let page = 0;

  async function load() {
    try {
      const res = await post('runs/search', {
        experiment_ids: [experimentId], filter, order_by: [order], max_results: PAGE_SIZE, page_token: tokens[page] ?? undefined,
      });
      tokens[page + 1] = res.next_page_token ?? null;
      show(res.runs ?? [], Boolean(res.next_page_token));
    } catch (error) {
      if (error.code === 'INVALID_PARAMETER_VALUE' && filter) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'filter-error');
        const at = error.position;
        clear(filterError, h('div', { class: 'error', role: 'alert' }, h('strong', {}, 'The filter is not valid'), h('p', {}, error.message),
          at === null ? null : h('pre', { class: 'filter-caret', 'aria-label': `at position ${at}` }, filter, '\n', ' '.repeat(Math.max(0, at)), h('span', { class: 'caret' }, '^'))));
        if (at !== null) { input.focus(); input.setSelectionRange(at, at); }
        clear(body);
      } else {
        clear(body, errorBox(error, 'Could not search the runs'));
      }
    }
  }

  function show(runs, more) {
    if (runs.length === 0) {
      painted('fathom:runs-painted');
      clear(body, empty(filter ? 'No runs match this filter.' : 'No runs in this experiment yet. Log some with an MLflow client or `fathom run`.'));
      clear(pager);
      return;
    }
    const keys = { params: new Set(), metrics: new Set(), tags: new Set() };
    for (const r of runs) for (const kind of ['params', 'metrics', 'tags']) for (const { key } of r.data?.[kind] ?? []) keys[kind].add(key);
    const available = [...[...keys.metrics].sort().map((k) => `metrics.${k}`), ...[...keys.params].sort().map((k) => `params.${k}`),
      ...[...keys.tags].filter((k) => !k.startsWith('mlflow.')).sort().map((k) => `tags.${k}`)];
    const columns = chosen ?? [...available.filter((c) => c.startsWith('metrics.')).slice(0, 6), ...available.filter((c) => c.startsWith('params.')).slice(0, 6)];
    chooser(available, columns);

    const [orderKey, orderDir] = splitOrder(order);
    const sortable = (label, key) => {
      const dir = orderKey === key ? orderDir : null;
      return h('th', { 'aria-sort': dir === 'ASC' ? 'ascending' : dir === 'DESC' ? 'descending' : 'none', scope: 'col' },
        h('a', { class: 'sort', href: link({ order: `${key} ${dir === 'DESC' ? 'ASC' : 'DESC'}` }), title: `Sort by ${label}` }, label, dir === 'ASC' ? ' ▲' : dir === 'DESC' ? ' ▼' : ''));
    };
    const all = h('input', { type: 'checkbox', 'aria-label': 'Select all runs on this page', checked: runs.every((r) => selection.has(r.info.run_id)) });
    all.addEventListener('change', () => {
      for (const r of runs) { if (all.checked) selection.add(r.info.run_id); else selection.delete(r.info.run_id); }
      tbody.querySelectorAll('input[type=checkbox]').forEach((c) => { c.checked = all.checked; c.closest('tr').classList.toggle('selected', all.checked); });
      updateCompare();
    });
    const tbody = h('tbody', {}, runs.map((r) => row(r, columns)));
    tbody.addEventListener('keydown', (e) => {
      // Up and down move between rows; space (on the checkbox) selects; Enter on the name opens the run.
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const tr = e.target.closest('tr');
      const next = e.key === 'ArrowDown' ? tr?.nextElementSibling : tr?.previousElementSibling;
      if (next) { e.preventDefault(); next.querySelector('a')?.focus(); }
    });
    clear(body, h('div', { class: 'table-wrap' }, h('table', { id: 'runs-table' },
      h('thead', {}, h('tr', {}, h('th', {}, all), sortable('Run', 'attributes.run_name'), h('th', { scope: 'col' }, 'Status'),
        sortable('Started', 'attributes.start_time'), h('th', { scope: 'col' }, 'Duration'), h('th', { scope: 'col' }, 'User'),
        columns.map((c) => sortable(c, quoted(c))))),
      tbody)));
    clear(pager,
      h('button', { type: 'button', disabled: page === 0, onclick: () => { page--; load(); } }, 'Previous'),
      h('span', { class: 'muted', role: 'status' }, `Page ${page + 1} · runs ${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + runs.length}`),
      h('button', { type: 'button', disabled: !more, onclick: () => { page++; load(); } }, 'Next'));
    painted('fathom:runs-painted');
  }

  function row(r, columns) {
    const { info, data } = r;
    const values = {};
    for (const kind of ['params', 'metrics', 'tags']) for (const { key, value } of data?.[kind] ?? []) values[`${kind}.${key}`] = value;
    const box = h('input', { type: 'checkbox', 'aria-label': `Select ${info.run_name || info.run_id}`, checked: selection.has(info.run_id) });
    const tr = h('tr', { class: selection.has(info.run_id) ? 'selected' : '', dataset: { runId: info.run_id } },
      h('td', {}, box),
      h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(info.run_id)}` }, info.run_name || info.run_id)),
      h('td', { class: `status-${info.status}` }, info.status),
      h('td', {}, formatTime(info.start_time)),
      h('td', {}, formatDuration(info.start_time, info.end_time)),
      h('td', {}, values['tags.mlflow.user'] ?? info.user_id ?? ''),
      columns.map((c) => (c.startsWith('metrics.') ? h('td', { class: 'num' }, formatNumber(values[c])) : h('td', { title: values[c] ?? '' }, values[c] ?? ''))));
    box.addEventListener('change', () => {
      if (box.checked) selection.add(info.run_id); else selection.delete(info.run_id);
      tr.classList.toggle('selected', box.checked);
      updateCompare();
    });
    return tr;
  }

  function chooser(available, columns) {
    const picked = new Set(columns);
    const group = (kind, label) => {
      const items = available.filter((c) => c.startsWith(`${kind}.`));
      if (items.length === 0) return null;
      return h('fieldset', {}, h('legend', {}, label), items.map((c) => {
        const box = h('input', { type: 'checkbox', value: c, checked: picked.has(c) });
        box.addEventListener('change', () => {
          if (box.checked) picked.add(c); else picked.delete(c);
          location.hash = link({ cols: available.filter((x) => picked.has(x)).join(',') || ',' });
        });
        return h('label', {}, box, ' ', c.slice(kind.length + 1));
      }));
    };
    columnsBox.replaceChildren(h('summary', {}, `Columns (${columns.length})`),
      h('div', {}, group('metrics', 'Metrics'), group('params', 'Parameters'), group('tags', 'Tags')));
  }

  await load();
}

// A mark once the frame holding the new rows has been painted, for the dashboard bench (bench/Fathom.Bench).
export function painted(name) {
  requestAnimationFrame(() => setTimeout(() => performance.mark(name)));
}

function splitOrder(order) {
  const m = /^(.*?)\s+(ASC|DESC)$/i.exec(order.trim());
  return m ? [m[1], m[2].toUpperCase()] : [order.trim(), 'ASC'];
}

// metrics.my key → metrics.`my key`: MLflow's order_by needs backquotes around keys that are not plain identifiers.
function quoted(column) {
  const dot = column.indexOf('.');
  const key = column.slice(dot + 1);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? column : `${column.slice(0, dot)}.\`${key}\``;
}
