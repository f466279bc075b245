// The dashboard's router: pages are hash routes (#/experiments/1?filter=…), so every deep link loads the same shell
// from the server and the page, not the server, decides what to show.
import { authRequired, hasCredentials, signIn, signOut, signedInUser } from './api.js';
import { h, clear, errorBox } from './dom.js';
import { experimentsPage } from './experiments.js';
import { runsPage } from './runs.js';
import { runPage } from './run.js';
import { comparePage } from './compare.js';

const main = document.getElementById('main');

export function parseHash() {
  const [path, search] = location.hash.replace(/^#/, '').split('?');
  return { parts: (path || '/').split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search ?? '') };
}

const routes = [
  [[], () => experimentsPage(main)],
  [['experiments', ':id'], (p, q) => runsPage(main, p.id, q)],
  [['runs', ':id'], (p, q) => runPage(main, p.id, q)],
  [['compare'], (p, q) => comparePage(main, q)],
];

function match(parts) {
  for (const [pattern, view] of routes) {
    if (pattern.length !== parts.length) continue;
    const params = {};
    if (pattern.every((seg, i) => (seg.startsWith(':') ? ((params[seg.slice(1)] = parts[i]), true) : seg === parts[i]))) return [view, params];
  }
  return null;
}

function header() {
  const who = document.getElementById('who');
  clear(who);
  if (authRequired && hasCredentials()) {
    who.append(h('span', {}, `Signed in as ${signedInUser()}`), h('button', { type: 'button', onclick: () => { signOut(); render(); } }, 'Sign out'));
  }
}

function signInPage() {
  document.title = 'Sign in · Fathom';
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    clear(message);
    try {
      await signIn(user.value, password.value);
      render();
    } catch (error) {
      clear(message, errorBox(error.status === 401
        ? { message: 'Wrong user name or password.' }
        : error, 'Could not sign in'));
      submit.disabled = false;
      password.select();
    }
  } }, h('label', {}, 'User name', user), h('label', {}, 'Password', password), submit, message);
  clear(main, h('h1', { tabindex: '-1' }, 'Sign in to Fathom'), h('p', { class: 'muted' }, 'This server asks for a user name and password (the same ones MLflow clients use).'), form);
  user.focus();
}

let rendering = 0;
export async function render() {
  const ticket = ++rendering;
  header();
  if (authRequired && !hasCredentials()) {
    signInPage();
    return;
  }
  const { parts, query } = parseHash();
  const found = match(parts);
  if (!found) {
    document.title = 'Not found · Fathom';
    clear(main, h('h1', {}, 'Page not found'), h('p', {}, 'No page here. ', h('a', { href: '#/' }, 'Go to the experiments.')));
    return;
  }
  try {
    await found[0](found[1], query);
  } catch (error) {
    if (ticket === rendering) clear(main, h('h1', {}, 'Could not load this page'), errorBox(error));
  }
  // After a navigation, the new page's heading takes focus, so keyboard and screen-reader users start at the top.
  if (ticket === rendering && document.activeElement === document.body) main.querySelector('h1')?.focus();
}

window.addEventListener('hashchange', render);
window.addEventListener('fathom:signed-out', render);
render();
