// Line charts on <canvas>, hand-written: no charting library is offered offline through NuGet that runs in the
// browser without a Node.js build, and a canvas draws the server's down-sampled histories (at most a few thousand
// points a run) in a few milliseconds. Smoothing is the exponential moving average TensorBoard and MLflow use,
// de-biased so that the first points are not pulled towards zero.
import { h } from './dom.js';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c'];
export const colorOf = (i) => PALETTE[i % PALETTE.length];

export function smooth(points, weight) {
  if (!(weight > 0)) return points;
  let last = 0, debias = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return p;
    last = last * weight + (1 - weight) * p.y;
    debias = debias * weight + (1 - weight);
    return { ...p, y: last / debias };
  });
}

function niceTicks(min, max, count) {
  if (min === max) { min -= 1; max += 1; }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const label = (v) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/**
 * Draws series [{name, color, points: [{x, y}]}] into the canvas. Options: logY, smoothing (0…0.99).
 * Returns the number of points drawn, also left on canvas.dataset.points for tests and assistive text.
 */
export function drawChart(canvas, series, { logY = false, smoothing = 0, xLabel = 'step' } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600, height = canvas.clientHeight || 260;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const style = getComputedStyle(canvas);
  const fg = style.getPropertyValue('--fg').trim() || '#111';
  const grid = style.getPropertyValue('--grid').trim() || '#ddd';
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';

  const ty = (y) => (logY ? Math.log10(y) : y);
  const usable = (p) => Number.isFinite(p.y) && (!logY || p.y > 0);
  const prepared = series.map((s) => ({ ...s, raw: s.points.filter(usable), smooth: smooth(s.points, smoothing).filter(usable) }));
  const all = prepared.flatMap((s) => s.raw);
  if (all.length === 0) {
    ctx.fillStyle = fg;
    ctx.fillText(logY ? 'No positive values to draw on a log scale.' : 'No values to draw.', 12, 20);
    canvas.dataset.points = '0';
    return 0;
  }

  let [xMin, xMax] = [Infinity, -Infinity], [yMin, yMax] = [Infinity, -Infinity];
  for (const p of all) {
    xMin = Math.min(xMin, p.x); xMax = Math.max(xMax, p.x);
    yMin = Math.min(yMin, ty(p.y)); yMax = Math.max(yMax, ty(p.y));
  }
  if (xMin === xMax) { xMin -= 1; xMax += 1; }
  if (yMin === yMax) { yMin -= 1; yMax += 1; }
  const pad = (yMax - yMin) * 0.05; yMin -= pad; yMax += pad;
  const left = 56, right = 12, top = 10, bottom = 30;
  const px = (x) => left + ((x - xMin) / (xMax - xMin)) * (width - left - right);
  const py = (y) => top + (1 - (ty(y) - yMin) / (yMax - yMin)) * (height - top - bottom);

  // Grid and axes.
  ctx.strokeStyle = grid; ctx.fillStyle = fg; ctx.lineWidth = 1;
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  const yTicks = logY ? niceTicks(Math.floor(yMin), Math.ceil(yMax), 5).filter((t) => Number.isInteger(t) && t >= yMin && t <= yMax) : niceTicks(yMin, yMax, 5).filter((t) => t >= yMin && t <= yMax);
  for (const t of yTicks) {
    const y = top + (1 - (t - yMin) / (yMax - yMin)) * (height - top - bottom);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(width - right, y); ctx.stroke();
    ctx.fillText(logY ? `1e${t}` : label(t), left - 6, y);
  }
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const t of niceTicks(xMin, xMax, Math.max(2, Math.floor(width / 90))).filter((t) => t >= xMin && t <= xMax)) {
    const x = px(t);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, height - bottom); ctx.stroke();
    ctx.fillText(label(t), x, height - bottom + 4);
  }
  ctx.fillText(xLabel, left + (width - left - right) / 2, height - 13);

  let drawn = 0;
  const line = (points, color, alpha, lineWidth) => {
    ctx.globalAlpha = alpha; ctx.strokeStyle = color; ctx.lineWidth = lineWidth;
    ctx.beginPath();
    points.forEach((p, i) => (i === 0 ? ctx.moveTo(px(p.x), py(p.y)) : ctx.lineTo(px(p.x), py(p.y))));
    if (points.length === 1) { ctx.arc(px(points[0].x), py(points[0].y), 2, 0, 2 * Math.PI); }
    ctx.stroke();
    ctx.globalAlpha = 1;
  };
  for (const s of prepared) {
    if (smoothing > 0) line(s.raw, s.color, 0.25, 1);
    line(smoothing > 0 ? s.smooth : s.raw, s.color, 1, 1.75);
    drawn += s.raw.length;
  }
  canvas.dataset.points = String(drawn);
  performance.mark('fathom:chart-drawn');
  return drawn;
}

/**
 * A chart with its controls (log scale, smoothing) and legend; load() fetches the series. Redraws on resize.
 */
export function chartPanel(title, load) {
  const canvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': `Chart of ${title}` });
  const status = h('p', { class: 'loading', role: 'status' }, 'Loading…');
  const legend = h('ul', { class: 'legend' });
  const log = h('input', { type: 'checkbox' });
  const smoothing = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: '0' });
  const smoothingValue = h('output', {}, '0');
  let series = [];
  const redraw = () => {
    smoothingValue.value = smoothing.value;
    const n = drawChart(canvas, series, { logY: log.checked, smoothing: Number(smoothing.value) });
    canvas.setAttribute('aria-label', `Chart of ${title}: ${series.length} run(s), ${n} points${log.checked ? ', log scale' : ''}`);
  };
  log.addEventListener('change', redraw);
  smoothing.addEventListener('input', redraw);
  const panel = h('figure', { class: 'chart-panel' },
    h('figcaption', {}, h('strong', {}, title),
      h('span', { class: 'controls' },
        h('label', {}, log, ' Log scale'),
        h('label', {}, 'Smoothing ', smoothing, smoothingValue))),
    status, canvas, legend);
  load().then((loaded) => {
    series = loaded;
    status.remove();
    legend.replaceChildren(...series.map((s) => h('li', {}, h('span', { class: 'swatch', style: `background:${s.color}` }), `${s.name} (${s.points.length} points)`)));
    redraw();
    new ResizeObserver(() => redraw()).observe(canvas);
  }, (error) => {
    status.replaceWith(h('p', { class: 'error', role: 'alert' }, `Could not load ${title}: ${error.message}`));
    canvas.remove();
  });
  return panel;
}
