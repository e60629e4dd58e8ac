// The TwinHub floor view: the floor from /api/v1/layout, live over /api/v1/stream, alerts and a machine panel
// from the HTTP API. No framework and no build step: served as it is by `twinhub web`.
'use strict';

const API = '/api/v1';
const SVG = 'http://www.w3.org/2000/svg';
const STATE_COLOURS = {
  running: 'var(--running)', setup: 'var(--setup)', idle: 'var(--idle)', starved: 'var(--waiting)', held: 'var(--waiting)',
  blocked: 'var(--waiting)', stopped: 'var(--stopped)', fault: 'var(--fault)', maintenance: 'var(--maintenance)', offline: 'var(--offline)',
};
const SEVERITY_RANK = { warning: 1, minor: 2, major: 3, critical: 4 };

const view = {
  layout: null,          // GET /layout
  kinds: {},             // id → kind (GET /kinds)
  twins: {},             // path → streamed fields
  alerts: [],            // GET /alerts
  kpi: {},               // path → KPI document
  selected: null,        // the machine on show
  history: null,         // its history document
  socket: null,
  retry: 0,
};

const $ = (id) => document.getElementById(id);
const element = (name, attributes = {}, text) => {
  const node = name === 'svg' || ['g', 'rect', 'text', 'circle', 'polyline', 'title'].includes(name)
    ? document.createElementNS(SVG, name) : document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
};
const percent = (fraction) => (fraction === null || fraction === undefined) ? '–' : `${Math.round(fraction * 100)} %`;
const shortName = (path) => path.split('/').pop();

async function getJSON(path) {
  const response = await fetch(API + path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

// MARK: Writes

function token() { return localStorage.getItem('twinhub-token') || ''; }

/// Sends a write; asks for the token when the server wants one, and tries once more with it.
async function write(method, path, body, retried = false) {
  const headers = { 'Content-Type': 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(API + path, { method, headers, body: JSON.stringify(body) });
  if ((response.status === 401 || response.status === 403) && !retried) {
    if (await askForToken()) return write(method, path, body, true);
  }
  if (!response.ok) {
    let detail = `${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not a problem document */ }
    throw new Error(detail);
  }
  return response.json();
}

function askForToken() {
  const dialog = $('token-dialog');
  $('token-input').value = token();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'ok' && $('token-input').value) {
        localStorage.setItem('twinhub-token', $('token-input').value);
        resolve(true);
      } else resolve(false);
    }, { once: true });
    dialog.showModal();
  });
}

function user() { return $('user').value.trim() || 'trainer'; }

// MARK: The floor

async function loadLayout() {
  view.layout = await getJSON('/layout');
  drawFloor();
}

function drawFloor() {
  const svg = $('floor');
  svg.replaceChildren();
  const layout = view.layout;
  $('floor-empty').hidden = layout.machines.length > 0;
  if (!layout.machines.length) return;
  let [minX, minZ, maxX, maxZ] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const item of layout.machines.concat(layout.groups)) {
    const [x, , z] = item.pose.position;
    minX = Math.min(minX, x - item.footprint.width / 2); maxX = Math.max(maxX, x + item.footprint.width / 2);
    minZ = Math.min(minZ, z - item.footprint.depth / 2); maxZ = Math.max(maxZ, z + item.footprint.depth / 2);
  }
  // At least a hall's size: a floor of two machines is not drawn as two huge boxes.
  const margin = 2, width = Math.max(maxX - minX + 2 * margin, 30), height = Math.max(maxZ - minZ + 2 * margin + 1, 18);
  const centreX = (minX + maxX) / 2, centreZ = (minZ + maxZ) / 2;
  svg.setAttribute('viewBox', `${centreX - width / 2} ${centreZ - height / 2} ${width} ${height}`);
  // Areas, then lines, then machines on top. Seen from above: X to the right, Z down, a yaw turns counter-clockwise.
  for (const level of ['site', 'area', 'line']) {
    for (const group of layout.groups.filter((g) => g.level === level && level !== 'site')) {
      const [x, , z] = group.pose.position;
      const { width, depth } = group.footprint;
      const pad = level === 'area' ? 1.2 : 0.5;
      const node = element('g', { class: `group ${level}`, 'data-path': group.path,
        transform: `translate(${x} ${z}) rotate(${-group.pose.yaw_deg})` });
      node.append(element('rect', { x: -width / 2 - pad, y: -depth / 2 - pad, width: width + 2 * pad, height: depth + 2 * pad, rx: 0.3 }));
      // An area's name above it, a line's below it (inside the area's margin): they never overlap.
      const labelY = level === 'area' ? -depth / 2 - pad - 0.25 : depth / 2 + pad + 0.55;
      node.append(element('text', { x: -width / 2 - pad + 0.2, y: labelY, class: 'label' }, shortName(group.path)));
      svg.append(node);
    }
  }
  for (const machine of layout.machines) {
    const [x, , z] = machine.pose.position;
    const { width, depth } = machine.footprint;
    const node = element('g', { class: 'machine', 'data-path': machine.path, tabindex: 0, transform: `translate(${x} ${z})` });
    // The body turns with the machine; its labels stay upright, inside the turned body's bounds.
    const body = element('g', { transform: `rotate(${-machine.pose.yaw_deg})` });
    body.append(element('rect', { class: 'body', x: -width / 2, y: -depth / 2, width, height: depth, rx: 0.2 }));
    node.append(body);
    const yaw = (machine.pose.yaw_deg * Math.PI) / 180;
    const halfWidth = (Math.abs(Math.cos(yaw)) * width + Math.abs(Math.sin(yaw)) * depth) / 2;
    const halfDepth = (Math.abs(Math.sin(yaw)) * width + Math.abs(Math.cos(yaw)) * depth) / 2;
    const labels = element('g', { class: 'labels' });
    const name = element('text', { class: 'name', x: 0, y: 0.55 }, shortName(machine.path));
    const oee = element('text', { class: 'oee', x: 0, y: 1.05 });
    const state = element('text', { class: 'state', x: 0, y: 1.55 });
    labels.append(name, oee, state);
    node.append(labels);
    // On the body's top-right corner, where it hides no text however small the body.
    node.append(element('circle', { class: 'badge', cx: halfWidth, cy: -halfDepth, r: 0.32, visibility: 'hidden' }));
    node.append(element('title', {}, machine.path));
    node.addEventListener('click', () => select(machine.path));
    node.addEventListener('keydown', (event) => { if (event.key === 'Enter') select(machine.path); });
    svg.append(node);
    Object.assign(node.dataset, { halfWidth, halfDepth });
    fitLabels(node);
    paintMachine(machine.path);
  }
  paintGroups();
}

// Places a machine's three lines in its body's top-left corner, in smaller type (down to 60 %) when the body is too
// small for them at their longest; lines that still do not fit are left out and a name that is still too long is cut
// with an ellipsis (the panel and the tooltip have it all), so no text leaves the body.
function fitLabels(node) {
  const halfWidth = Number(node.dataset.halfWidth), halfDepth = Number(node.dataset.halfDepth);
  const width = 2 * halfWidth - 0.3, depth = 2 * halfDepth;
  const labels = node.querySelector('g.labels'), name = labels.querySelector('text.name');
  const lines = [[labels.querySelector('text.oee'), 'OEE 100 %'], [labels.querySelector('text.state'), 'maintenance']];
  name.textContent = shortName(node.dataset.path);
  let widest = name.getComputedTextLength();
  for (const [text, longest] of lines) {
    const shown = text.textContent;
    text.textContent = longest;
    widest = Math.max(widest, text.getComputedTextLength());
    text.textContent = shown;
  }
  const scale = Math.max(0.6, Math.min(1, widest > 0 ? width / widest : 1, (depth - 0.15) / 1.75));
  labels.setAttribute('transform', `translate(${-halfWidth + 0.15} ${-halfDepth}) scale(${scale})`);
  for (const text of [name, ...lines.map(([line]) => line)]) {
    const bottom = (Number(text.getAttribute('y')) + 0.15) * scale;
    text.style.display = bottom <= depth ? '' : 'none';
  }
  const full = name.textContent;
  for (let keep = full.length - 1; keep > 1 && name.getComputedTextLength() * scale > width; keep -= 1) {
    name.textContent = `${full.slice(0, keep)}…`;
  }
}

function machineNode(path) { return $('floor').querySelector(`g.machine[data-path="${CSS.escape(path)}"]`); }

function paintMachine(path) {
  const node = machineNode(path);
  const twin = view.twins[path];
  if (!node || !twin) return;
  const state = twin.state || 'unknown';
  node.dataset.state = state;
  node.dataset.connectivity = twin.connectivity || 'unknown';
  node.querySelector('rect.body').style.fill = STATE_COLOURS[state] || 'var(--idle)';
  node.querySelector('text.oee').textContent = `OEE ${percent(twin.oee)}`;
  node.querySelector('text.state').textContent = twin.connectivity === 'online' ? state : (twin.connectivity || '');
  const badge = node.querySelector('circle.badge');
  const worst = twin.worst_alert;
  badge.setAttribute('visibility', worst ? 'visible' : 'hidden');
  badge.setAttribute('class', `badge ${worst ? worst.severity : ''}`);
  node.dataset.alert = worst ? worst.severity : '';
  node.classList.toggle('selected', path === view.selected);
}

function paintGroups() {
  for (const node of $('floor').querySelectorAll('g.group')) {
    const kpi = view.kpi[node.dataset.path];
    const label = node.querySelector('text.label');
    const name = shortName(node.dataset.path);
    label.textContent = kpi && kpi.window ? `${name} · OEE ${percent(kpi.window.oee)}` : name;
  }
  const sites = Object.entries(view.kpi).filter(([path]) => !path.includes('/'));
  $('site-kpis').replaceChildren(...sites.map(([path, kpi]) => {
    const span = element('span', {}, `${path} OEE `);
    span.append(element('b', {}, percent(kpi.window && kpi.window.oee)));
    return span;
  }));
}

// MARK: The stream

function connect() {
  setStatus('connecting', 'connecting…');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}${API}/stream`);
  view.socket = socket;
  socket.onopen = () => {
    view.retry = 0;
    setStatus('live', 'live');
    socket.send(JSON.stringify({ op: 'subscribe', id: 'floor', max_rate: 10 }));
    refreshAlerts();
  };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => {
    view.retry = Math.min(view.retry + 1, 6);
    const delay = Math.min(1000 * 2 ** (view.retry - 1), 10000);
    setStatus('reconnecting', `disconnected: reconnecting in ${Math.round(delay / 1000)} s…`);
    setTimeout(connect, delay);
  };
}

function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function receive(message) {
  switch (message.type) {
    case 'snapshot':
      view.twins = message.twins;
      ensureLayout();
      for (const path of Object.keys(view.twins)) paintMachine(path);
      break;
    case 'delta':
      for (const [path, fields] of Object.entries(message.twins)) {
        const twin = view.twins[path] || (view.twins[path] = {});
        for (const [name, value] of Object.entries(fields)) {
          if (name === 'readings') twin.readings = Object.assign(twin.readings || {}, value); else twin[name] = value;
        }
        paintMachine(path);
        if (path === view.selected) showMachine();
      }
      for (const path of message.removed || []) delete view.twins[path];
      ensureLayout();
      break;
    case 'alert':
      refreshAlerts();
      break;
    case 'connectivity':
      if (view.twins[message.path]) { view.twins[message.path].connectivity = message.status; paintMachine(message.path); }
      break;
    case 'error':
      console.warn('stream refused a message:', message.reason, message.at);
      break;
    default:
      break;
  }
}

let layoutPending = false;
/// A machine the layout does not have yet (it appeared after the page loaded): the layout is read again.
function ensureLayout() {
  if (!view.layout || layoutPending) return;
  const known = new Set(view.layout.machines.map((m) => m.path));
  if (Object.keys(view.twins).every((path) => known.has(path))) return;
  layoutPending = true;
  setTimeout(() => loadLayout().finally(() => { layoutPending = false; }), 500);
}

// MARK: Alerts

let alertsPending = null;
function refreshAlerts() {
  if (alertsPending) return;
  alertsPending = getJSON('/alerts').then((alerts) => {
    // Drawn again only when something changed: a button being clicked stays in place.
    if (JSON.stringify(alerts) === JSON.stringify(view.alerts)) return;
    view.alerts = alerts;
    drawAlerts();
  })
    .catch((error) => console.warn(error)).finally(() => { alertsPending = null; });
}

/// How long an alert has lasted, on its machine's clock (a simulated plant's time is not the wall clock): from when
/// it was raised to when it was last seen.
function age(alert) {
  const from = Date.parse(alert.raised_at || alert.first_seen), to = Date.parse(alert.last_seen || alert.raised_at);
  if (Number.isNaN(from) || Number.isNaN(to)) return '';
  const seconds = Math.max(0, (to - from) / 1000);
  const span = seconds < 90 ? `${Math.round(seconds)} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
  const raised = new Date(from).toISOString().slice(11, 19);
  return `raised ${raised} · for ${span}`;
}

function drawAlerts() {
  const list = $('alerts');
  $('alerts-empty').hidden = view.alerts.length > 0;
  $('alert-count').textContent = view.alerts.length ? `${view.alerts.length} open` : '';
  list.replaceChildren(...view.alerts.map((alert) => {
    const path = `${alert.site}/${alert.area}/${alert.line}/${alert.machine}`;
    const item = element('li', { 'data-alert-id': alert.id, 'data-severity': alert.severity, 'data-status': alert.status });
    const top = element('div', { class: 'top' });
    top.append(element('span', { class: 'sev' }, alert.severity), element('span', { class: 'age', title: 'on the machine\'s clock' }, age(alert)));
    const where = element('div', { class: 'where' }, `${alert.machine} · ${alert.name}`);
    where.addEventListener('click', () => select(path));
    item.append(top, where, element('div', { class: 'message' }, alert.message));
    if (alert.acknowledged) {
      const ack = alert.acknowledgement || {};
      item.append(element('div', { class: 'acked' }, `acknowledged by ${ack.by || '?'}${ack.comment ? `: ${ack.comment}` : ''}`));
    } else {
      const button = element('button', { type: 'button', class: 'ack' }, 'Acknowledge');
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await write('POST', `/alerts/${path}/${alert.rule}/ack`, { by: user(), comment: 'from the floor view' });
          button.textContent = 'sent…';
        } catch (error) {
          button.disabled = false;
          button.textContent = `Acknowledge (${error.message})`;
        }
      });
      item.append(button);
    }
    return item;
  }));
}

// MARK: The machine panel

async function select(path) {
  view.selected = path;
  view.history = null;
  for (const node of $('floor').querySelectorAll('g.machine')) node.classList.toggle('selected', node.dataset.path === path);
  $('machine-pane').hidden = false;
  $('control-status').textContent = '';
  const twin = view.twins[path] || {};
  const kind = view.kinds[twin.kind];
  $('fault').replaceChildren(...(kind ? kind.faults : []).map((fault) => element('option', { value: fault.name, title: fault.description }, fault.name)));
  showMachine();
  refreshHistory();
}

async function refreshHistory() {
  const path = view.selected;
  if (!path) return;
  try {
    const history = await getJSON(`/twins/${path}/history`);
    if (path === view.selected) { view.history = history; showMachine(); }
  } catch (_) { /* none yet */ }
}

function sparkline(series) {
  const svg = element('svg', { viewBox: '0 0 100 20', preserveAspectRatio: 'none' });
  if (!series || series.values.length < 2) return svg;
  const values = series.values;
  const low = Math.min(...values), high = Math.max(...values);
  const span = high - low || 1;
  const points = values.map((value, index) => `${(index / (values.length - 1)) * 100},${19 - ((value - low) / span) * 18}`);
  svg.append(element('polyline', { points: points.join(' ') }));
  return svg;
}

function showMachine() {
  const path = view.selected;
  if (!path) return;
  const twin = view.twins[path] || {};
  $('machine-title').textContent = shortName(path);
  $('machine-summary').textContent = `${path} · ${twin.kind || ''} · ${twin.state || '?'} · ${twin.connectivity || '?'} · OEE ${percent(twin.oee)}`;
  const readings = twin.readings || {};
  const history = (view.history && view.history.properties) || {};
  $('readings').tBodies[0].replaceChildren(...Object.keys(readings).sort().map((name) => {
    const reading = readings[name];
    const row = element('tr', { 'data-property': name, 'data-quality': reading.quality });
    const unit = reading.unit ? ` ${reading.unit}` : '';
    const trend = element('td');
    trend.append(sparkline(history[name]));
    row.append(element('td', {}, name), element('td', { class: 'value' }, `${reading.value}${unit}`), trend);
    return row;
  }));
}

async function command(name) {
  const path = view.selected;
  if (!path) return;
  const body = { command: name };
  if (name === 'inject_fault') body.fault = $('fault').value;
  $('control-status').textContent = `sending ${name}…`;
  try {
    await write('POST', `/twins/${path}/commands`, body);
    $('control-status').textContent = `${name} sent to ${shortName(path)}`;
  } catch (error) {
    $('control-status').textContent = `${name} refused: ${error.message}`;
  }
}

// MARK: Start

function setLarge(on) {
  document.body.classList.toggle('large', on);
  for (const node of $('floor').querySelectorAll('g.machine')) fitLabels(node);
  $('large').setAttribute('aria-pressed', String(on));
  localStorage.setItem('twinhub-large', on ? '1' : '');
}

async function start() {
  const parameters = new URLSearchParams(location.search);
  setLarge(parameters.get('large') === '1' || localStorage.getItem('twinhub-large') === '1');
  $('large').addEventListener('click', () => setLarge(!document.body.classList.contains('large')));
  $('user').value = localStorage.getItem('twinhub-user') || '';
  $('user').addEventListener('change', () => localStorage.setItem('twinhub-user', $('user').value.trim()));
  $('machine-close').addEventListener('click', () => { view.selected = null; $('machine-pane').hidden = true; drawFloorSelection(); });
  for (const button of document.querySelectorAll('#controls button')) button.addEventListener('click', () => command(button.dataset.command));
  $('legend').replaceChildren(...Object.keys(STATE_COLOURS).map((state) => {
    const item = element('li');
    item.append(element('i', { style: `background:${STATE_COLOURS[state]}` }), state);
    return item;
  }));
  try {
    const [health, kinds] = await Promise.all([getJSON('/health').catch(() => null), getJSON('/kinds')]);
    if (health) $('root').textContent = health.root;
    for (const kind of kinds) view.kinds[kind.id] = kind;
    await loadLayout();
  } catch (error) {
    setStatus('reconnecting', `cannot reach the server: ${error.message}`);
  }
  connect();
  setInterval(() => getJSON('/kpi').then((kpi) => { view.kpi = kpi; paintGroups(); }).catch(() => {}), 5000);
  setInterval(refreshHistory, 5000);
  // Ages move with the machines' clocks: the alerts are read again now and then as well as on every event.
  setInterval(refreshAlerts, 5000);
  getJSON('/kpi').then((kpi) => { view.kpi = kpi; paintGroups(); }).catch(() => {});
}

function drawFloorSelection() {
  for (const node of $('floor').querySelectorAll('g.machine')) node.classList.toggle('selected', node.dataset.path === view.selected);
}

start();
