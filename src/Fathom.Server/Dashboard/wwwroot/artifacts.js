// A run's files: a folder tree listed from the server one folder at a time, previews by kind (text, JSON, YAML,
// CSV as a table, images) and downloads. Files come through get-artifact with the caller's credentials.
import { get, artifact } from './api.js';
import { h, clear, empty, errorBox, loading, formatBytes } from './dom.js';

const PREVIEW_LIMIT = 2 * 1024 * 1024;
const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i;
const TEXT = /(\.(txt|log|md|py|yaml|yml|json|jsonl|csv|tsv|toml|ini|cfg|sh|r|sql|html|xml|js|cs|ipynb)|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml|Dockerfile|[^./]+))$/i;

export function artifactsBrowser(runId) {
  const tree = h('div', { class: 'tree-panel' }, loading('Listing files…'));
  const preview = h('div', { class: 'preview', id: 'artifact-preview', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Choose a file to preview it.'));
  const root = h('div', { class: 'split' }, tree, preview);
  let current = null;

  async function list(path) {
    const res = await get('artifacts/list', { run_id: runId, path: path || undefined });
    return (res.files ?? []).slice().sort((a, b) => (a.is_dir === b.is_dir ? a.path.localeCompare(b.path) : a.is_dir ? -1 : 1));
  }

  function folder(files) {
    return h('ul', { class: 'tree', role: 'group' }, files.map((f) => {
      const label = f.path.split('/').pop();
      if (f.is_dir) {
        const children = h('div');
        const button = h('button', { type: 'button', 'aria-expanded': 'false' }, `▸ ${label}/`);
        button.addEventListener('click', async () => {
          const open = button.getAttribute('aria-expanded') === 'true';
          button.setAttribute('aria-expanded', String(!open));
          button.textContent = `${open ? '▸' : '▾'} ${label}/`;
          if (open) { clear(children); return; }
          clear(children, loading());
          try { clear(children, folder(await list(f.path))); } catch (error) { clear(children, errorBox(error)); }
        });
        return h('li', {}, button, children);
      }
      const button = h('button', { type: 'button', dataset: { path: f.path } }, label);
      button.addEventListener('click', () => {
        current?.removeAttribute('aria-current');
        current = button; button.setAttribute('aria-current', 'true');
        show(f);
      });
      return h('li', {}, button, h('span', { class: 'muted' }, ` ${formatBytes(f.file_size)}`));
    }));
  }

  async function show(file) {
    const name = file.path.split('/').pop();
    const download = h('button', { type: 'button', onclick: async () => {
      const blob = await artifact(runId, file.path);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: name });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } }, 'Download');
    const head = h('div', { class: 'preview-head' }, h('strong', { class: 'mono' }, file.path), h('span', {}, h('span', { class: 'muted' }, `${formatBytes(file.file_size)} `), download));
    const bodyBox = h('div', {}, loading('Loading preview…'));
    clear(preview, head, bodyBox);
    if (file.file_size > PREVIEW_LIMIT) { clear(bodyBox, empty('Too large to preview here; download it instead.')); return; }
    if (!IMAGE.test(name) && !TEXT.test(name)) { clear(bodyBox, empty('No preview for this kind of file; download it instead.')); return; }
    try {
      const blob = await artifact(runId, file.path);
      if (IMAGE.test(name)) {
        const url = URL.createObjectURL(blob);
        clear(bodyBox, h('img', { src: url, alt: file.path, onload: () => URL.revokeObjectURL(url) }));
        return;
      }
      const text = await blob.text();
      clear(bodyBox, render(name, text));
    } catch (error) {
      clear(bodyBox, errorBox(error, 'Could not load the file'));
    }
  }

  list('').then((files) => clear(tree, files.length ? folder(files) : empty('This run has no artifacts.')), (error) => clear(tree, errorBox(error, 'Could not list the artifacts')));
  return root;
}

function render(name, text) {
  if (/\.json$/i.test(name)) {
    try { return h('pre', { class: 'preview', dataset: { kind: 'json' } }, JSON.stringify(JSON.parse(text), null, 2)); } catch { /* shown as text */ }
  }
  if (/\.(csv|tsv)$/i.test(name)) return csvTable(text, /\.tsv$/i.test(name) ? '\t' : ',');
  const kind = /\.(ya?ml)$|(^|\/)MLmodel$/i.test(name) ? 'yaml' : 'text';
  return h('pre', { class: 'preview', dataset: { kind } }, text);
}

// RFC 4180: quoted fields may hold the separator, newlines and doubled quotes.
export function parseCsv(text, sep = ',', limit = 500) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvTable(text, sep) {
  const rows = parseCsv(text, sep);
  if (rows.length === 0) return empty('The file is empty.');
  const [head, ...rest] = rows;
  return h('div', { class: 'table-wrap' }, h('table', { dataset: { kind: 'csv' } },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h('tbody', {}, rest.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}
