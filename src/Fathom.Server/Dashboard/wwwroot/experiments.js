// The experiments list: search by name, create, rename inline, delete (soft, as MLflow's) and restore.
import { get, post } from './api.js';
import { h, clear, empty, errorBox, loading, formatTime } from './dom.js';

export async function experimentsPage(main) {
  document.title = 'Experiments · Fathom';
  const search = h('input', { type: 'search', placeholder: 'Search experiments by name', 'aria-label': 'Search experiments by name' });
  const view = h('select', { 'aria-label': 'Which experiments' },
    h('option', { value: 'ACTIVE_ONLY' }, 'Active'), h('option', { value: 'DELETED_ONLY' }, 'Deleted'), h('option', { value: 'ALL' }, 'All'));
  const newName = h('input', { type: 'text', placeholder: 'New experiment name', 'aria-label': 'New experiment name', required: true });
  const message = h('div', { 'aria-live': 'polite' });
  const list = h('div', {}, loading());
  const tokens = [null];
  let page = 0;

  const create = h('form', { class: 'toolbar', onsubmit: async (e) => {
    e.preventDefault();
    clear(message);
    try {
      const { experiment_id: id } = await post('experiments/create', { name: newName.value.trim() });
      location.hash = `#/experiments/${encodeURIComponent(id)}`;
    } catch (error) {
      clear(message, errorBox(error, 'Could not create the experiment'));
    }
  } }, newName, h('button', { type: 'submit', class: 'primary' }, 'Create experiment'));

  async function load() {
    const q = search.value.trim();
    try {
      const res = await post('experiments/search', {
        max_results: 100,
        view_type: view.value,
        filter: q ? `name LIKE '%${q.replaceAll("'", '')}%'` : undefined, // a quote cannot be escaped in MLflow's filter strings
        page_token: tokens[page] ?? undefined,
        order_by: ['creation_time DESC'],
      });
      tokens[page + 1] = res.next_page_token ?? null;
      show(res.experiments ?? [], Boolean(res.next_page_token));
    } catch (error) {
      clear(list, errorBox(error, 'Could not list the experiments'));
    }
  }

  function show(experiments, more) {
    if (experiments.length === 0) {
      clear(list, empty(search.value ? 'No experiment matches this search.' : view.value === 'DELETED_ONLY' ? 'No deleted experiments.' : 'No experiments yet. Create one above, or log runs with an MLflow client.'));
      return;
    }
    const rows = experiments.map((x) => row(x));
    clear(list,
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'ID'), h('th', {}, 'Created'), h('th', {}, 'State'), h('th', {}, h('span', { class: 'muted' }, 'Actions')))),
        h('tbody', {}, rows))),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: page === 0, onclick: () => { page--; load(); } }, 'Previous'),
        h('span', { class: 'muted' }, `Page ${page + 1}`),
        h('button', { type: 'button', disabled: !more, onclick: () => { page++; load(); } }, 'Next')));
  }

  function row(x) {
    const deleted = x.lifecycle_stage === 'deleted';
    const nameCell = h('td', {}, h('a', { href: `#/experiments/${encodeURIComponent(x.experiment_id)}` }, x.name));
    const act = async (label, action) => {
      clear(message);
      try { await action(); await load(); clear(message, h('p', { class: 'notice', role: 'status' }, label)); } catch (error) { clear(message, errorBox(error)); }
    };
    const rename = () => {
      const input = h('input', { type: 'text', value: x.name, 'aria-label': `New name for ${x.name}` });
      const save = () => act(`Renamed to ${input.value.trim()}.`, () => post('experiments/update', { experiment_id: x.experiment_id, new_name: input.value.trim() }));
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') save(); if (e.key === 'Escape') load(); });
      clear(nameCell, input, ' ', h('button', { type: 'button', onclick: save }, 'Save'), ' ', h('button', { type: 'button', onclick: load }, 'Cancel'));
      input.focus(); input.select();
    };
    return h('tr', {},
      nameCell,
      h('td', { class: 'mono' }, x.experiment_id),
      h('td', {}, formatTime(x.creation_time)),
      h('td', {}, deleted ? 'Deleted' : 'Active'),
      h('td', {}, deleted
        ? h('button', { type: 'button', onclick: () => act(`Restored ${x.name}.`, () => post('experiments/restore', { experiment_id: x.experiment_id })) }, 'Restore')
        : [h('button', { type: 'button', onclick: rename, 'aria-label': `Rename ${x.name}` }, 'Rename'), ' ',
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${x.name}`, onclick: () => act(`Deleted ${x.name}; find it under "Deleted" to restore it.`, () => post('experiments/delete', { experiment_id: x.experiment_id })) }, 'Delete')]));
  }

  let timer;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { page = 0; tokens.length = 1; load(); }, 200); });
  view.addEventListener('change', () => { page = 0; tokens.length = 1; load(); });
  clear(main, h('h1', { tabindex: '-1' }, 'Experiments'), h('div', { class: 'toolbar' }, h('span', { class: 'grow' }, search), view), create, message, list);
  await load();
}
