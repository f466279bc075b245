// Every call goes to the server's own MLflow REST API (the same routes, and the same permission checks, as any
// MLflow client), by a URL relative to the page, so the dashboard works under any path prefix.
const TOKEN = 'fathom.credentials';
const USER = 'fathom.user';

export const authRequired = document.querySelector('meta[name="fathom-auth"]')?.content === 'on';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  // Search filters report where they failed: "… (at position 12)."
  get position() {
    const m = /\(at position (\d+)\)/.exec(this.message);
    return m ? Number(m[1]) : null;
  }
}

export const signedInUser = () => sessionStorage.getItem(USER);
export const hasCredentials = () => sessionStorage.getItem(TOKEN) !== null;

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return btoa(String.fromCharCode(...bytes));
}

function headers(token = sessionStorage.getItem(TOKEN)) {
  const h = { 'X-Fathom-Client': 'dashboard', Accept: 'application/json' };
  if (token) h.Authorization = `Basic ${token}`;
  return h;
}

async function failure(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: the status says enough */ }
  if (res.status === 401 && authRequired) {
    signOut();
    window.dispatchEvent(new Event('fathom:signed-out'));
  }
  return new ApiError(res.status, body?.error_code ?? `HTTP_${res.status}`, body?.message ?? `${res.status} ${res.statusText}`);
}

/** Checks a user's credentials against the server (the user may read their own account) and keeps them for this tab. */
export async function signIn(user, password) {
  const token = basic(user, password);
  const res = await fetch(`ajax-api/2.0/mlflow/users/get?username=${encodeURIComponent(user)}`, { headers: headers(token) });
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { /* ignore */ }
    throw new ApiError(res.status, body?.error_code ?? `HTTP_${res.status}`, body?.message ?? res.statusText);
  }
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(USER, user);
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) q.append(key, String(v));
  }
  return q.toString();
}

export async function get(path, params) {
  const res = await fetch(`ajax-api/2.0/mlflow/${path}?${query(params)}`, { headers: headers() });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function post(path, body) {
  const res = await fetch(`ajax-api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { ...headers(), 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** One of a run's files, as a Blob (the caller's credentials go with it, so it cannot be a plain link). */
export async function artifact(runId, path) {
  const res = await fetch(`get-artifact?${query({ run_uuid: runId, path })}`, { headers: headers() });
  if (!res.ok) throw await failure(res);
  return res.blob();
}

/** Metric histories of several runs, down-sampled by the server to at most maxResults points a run. */
export async function histories(runIds, key, maxResults = 1000) {
  const res = await get('metrics/get-history-bulk-interval', { run_ids: runIds, metric_key: key, max_results: maxResults });
  const byRun = new Map(runIds.map((id) => [id, []]));
  for (const m of res.metrics ?? []) byRun.get(m.run_id)?.push({ x: Number(m.step ?? 0), y: Number(m.value), t: Number(m.timestamp) });
  for (const points of byRun.values()) points.sort((a, b) => a.x - b.x);
  return byRun;
}
