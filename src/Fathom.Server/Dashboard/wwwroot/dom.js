// A tiny element builder: text always goes in as text nodes (never parsed as HTML), so no value the server holds
// (a run name, a tag, a file's contents) can inject markup into the page.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') el.style.cssText = value; // through the CSSOM: the page's CSP refuses style attributes
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function formatTime(ms) {
  if (!ms) return '—';
  const d = new Date(Number(ms));
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(start, end) {
  if (!start || !end) return '—';
  let s = Math.max(0, (Number(end) - Number(start)) / 1000);
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60); s = Math.round(s % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatNumber(v) {
  if (v === undefined || v === null || v === '') return '';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(6)));
}

export function formatBytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n), i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

// The states every view shares: loading, empty and error, each announced to screen readers.
export function loading(text = 'Loading…') { return h('p', { class: 'loading', role: 'status' }, text); }
export function empty(text, ...more) { return h('div', { class: 'empty' }, h('p', {}, text), ...more); }
export function errorBox(error, title = 'Something went wrong') {
  const code = error?.code ? ` (${error.code})` : '';
  const denied = error?.status === 403;
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, denied ? 'Permission denied' : title),
    h('p', {}, denied ? `You may not see this. Ask an administrator or the owner of the experiment for access.${code}` : `${error?.message ?? error}${code}`));
}
