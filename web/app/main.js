// The explorer page: editor, frames, sidebar (database, favourites, history, settings), the
// first page, sign-in and read-only mode. It talks only to kg serve's HTTP API.
import * as api from './api.js';
import * as style from './style.js';
import { createEditor, setNames, markError, clearError, splitStatements } from './editor.js';
import { Frame, el } from './frame.js';
import { exported } from './exporter.js';

const SETTINGS_KEY = 'kg.explorer.settings';
const HISTORY_KEY = 'kg.explorer.history';
const FAVS_KEY = 'kg.explorer.favourites';
const PARAMS_KEY = 'kg.explorer.params';
const DEFAULT_SETTINGS = { maxNodes: 300, maxRels: 1000, expandLimit: 100, connect: true };

const $ = (sel) => document.querySelector(sel);
const readJson = (key, fallback) => {
  try { const v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; } catch (_) { return fallback; }
};

const state = {
  frames: [],
  server: {},
  schema: { labels: [], types: [], keys: [] },
  seedFavourites: [],
};

const app = {
  settings: () => ({ ...DEFAULT_SETTINGS, ...readJson(SETTINGS_KEY, {}) }),
  edit: (text) => { editor.setValue(text); editor.focus(); editor.setCursor(editor.lineCount(), 0); },
  rerun: (text, params) => runStatement(text, params, 0),
  favourite: (text) => addFavourite(text),
  remove: (frame) => {
    frame.destroy();
    state.frames = state.frames.filter((f) => f !== frame);
  },
};

// ---- the editor and running statements ----

const editor = createEditor($('#editor'), { onRun: () => runEditor(), history: () => readJson(HISTORY_KEY, []).map((h) => h.q) });

function params() {
  const text = $('#params').value.trim();
  if (!text) return {};
  const v = JSON.parse(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('parameters must be a JSON object such as {"name": "DeepSeek"}');
  return v;
}

async function runEditor() {
  const text = editor.getValue();
  let p;
  try {
    p = params();
    $('#params-error').textContent = '';
  } catch (e) {
    $('#params-error').textContent = 'Parameters: ' + e.message;
    $('#params-panel').open = true;
    return;
  }
  localStorage.setItem(PARAMS_KEY, $('#params').value);
  clearError(editor);
  const statements = splitStatements(text);
  if (!statements.length) return;
  remember(text);
  for (const st of statements) {
    const ok = await runStatement(st.text, p, st.line);
    if (!ok) break;
  }
}

// Runs one statement into a new frame at the top; false when it failed.
async function runStatement(text, p = {}, lineOffset = 0) {
  const frame = new Frame(app, text, p);
  state.frames.unshift(frame);
  $('#frames').prepend(frame.el);
  try {
    const result = await api.run(text, p);
    await frame.show(result);
    if (result.counters && Object.keys(result.counters).length) refreshSchema();
    return true;
  } catch (e) {
    if (e.code === 'Neo.ClientError.Statement.AccessMode' && state.server.read_only) {
      e.message += '\n(the server was started read-only: it refuses every write)';
    }
    frame.fail(e);
    if (e.line && editor.getValue().includes(text)) markError(editor, e.line, e.column, lineOffset);
    return false;
  }
}

// ---- history and favourites ----

function remember(q) {
  const h = readJson(HISTORY_KEY, []).filter((x) => x.q !== q);
  h.unshift({ q, at: new Date().toISOString() });
  localStorage.setItem(HISTORY_KEY, JSON.stringify(h.slice(0, 100)));
  renderHistory();
}

function title(text) {
  const m = /^\s*\/\/\s*(.+)/.exec(text);
  if (m) return m[1].trim();
  return text.replace(/\s+/g, ' ').trim().slice(0, 80);
}

function renderHistory() {
  const list = $('#history-list');
  list.textContent = '';
  const h = readJson(HISTORY_KEY, []);
  if (!h.length) list.append(el('p', 'hint', 'Statements you run appear here.'));
  h.forEach((item) => {
    const row = el('button', 'list-item');
    row.type = 'button';
    row.append(el('code', '', item.q.replace(/\s+/g, ' ').trim().slice(0, 160)), el('span', 'dim', new Date(item.at).toLocaleString()));
    row.onclick = () => app.edit(item.q);
    row.ondblclick = () => runStatement(item.q, {});
    list.append(row);
  });
}

function addFavourite(text) {
  const favs = readJson(FAVS_KEY, []);
  if (!favs.some((f) => f.text === text)) favs.unshift({ text, title: title(text) });
  localStorage.setItem(FAVS_KEY, JSON.stringify(favs));
  renderFavourites();
  showTab('favourites');
}

function renderFavourites() {
  const list = $('#favourites-list');
  list.textContent = '';
  const mine = readJson(FAVS_KEY, []);
  const section = (name, items, removable) => {
    if (!items.length) return;
    list.append(el('h3', '', name));
    items.forEach((f, i) => {
      const row = el('div', 'list-item fav');
      const run = el('button', 'fav-title', f.title);
      run.type = 'button';
      run.title = 'Run it (the text goes to the editor too)';
      run.onclick = () => { app.edit(f.text); runEditor(); };
      row.append(run);
      if (removable) {
        const del = el('button', 'fav-remove', '✕');
        del.type = 'button';
        del.title = 'Remove this favourite';
        del.onclick = () => { mine.splice(i, 1); localStorage.setItem(FAVS_KEY, JSON.stringify(mine)); renderFavourites(); };
        row.append(del);
      }
      list.append(row);
    });
  };
  section('Yours', mine, true);
  section('Example questions (seed graph)', state.seedFavourites, false);
}

// ---- the sidebar: database schema and counts ----

async function rows(statement) {
  try { return (await api.run(statement)).values; } catch (_) { return []; }
}

async function refreshSchema() {
  const [labels, types, keys, nodeCount, relCount, labelCounts, typeCounts, indexes, constraints] = await Promise.all([
    rows('CALL db.labels()'), rows('CALL db.relationshipTypes()'), rows('CALL db.propertyKeys()'),
    rows('MATCH (n) RETURN count(n)'), rows('MATCH ()-[r]->() RETURN count(r)'),
    rows('MATCH (n) UNWIND labels(n) AS l RETURN l, count(*)'),
    rows('MATCH ()-[r]->() RETURN type(r), count(*)'),
    rows('SHOW INDEXES'), rows('SHOW CONSTRAINTS'),
  ]);
  state.schema = { labels: labels.map((r) => r[0]), types: types.map((r) => r[0]), keys: keys.map((r) => r[0]) };
  style.setKnownLabels(state.schema.labels);
  setNames({ labels: state.schema.labels, types: state.schema.types, keys: state.schema.keys });
  const lc = new Map(labelCounts);
  const tc = new Map(typeCounts);
  const db = $('#database');
  db.textContent = '';
  const totals = el('div', 'totals');
  totals.append(el('span', '', `${(nodeCount[0] || [0])[0].toLocaleString('en-US')} nodes`), el('span', '', `${(relCount[0] || [0])[0].toLocaleString('en-US')} relationships`));
  db.append(totals);
  const group = (name, items, chip) => {
    db.append(el('h3', '', `${name} (${items.length})`));
    const box = el('div', 'chips');
    items.forEach((i) => box.append(chip(i)));
    if (!items.length) box.append(el('span', 'dim', 'none'));
    db.append(box);
  };
  group('Node labels', state.schema.labels, (l) => {
    const b = el('button', 'chip label-chip', l);
    b.type = 'button';
    const s = style.labelStyle(l);
    b.style.background = s.fill;
    b.style.borderColor = s.border;
    b.append(el('span', 'count', (lc.get(l) || 0).toLocaleString('en-US')));
    b.title = `MATCH (n:${l}) RETURN n LIMIT 25`;
    b.onclick = () => { app.edit(`MATCH (n:${ident(l)}) RETURN n LIMIT 25`); runEditor(); };
    return b;
  });
  group('Relationship types', state.schema.types, (t) => {
    const b = el('button', 'chip rel type-chip', t);
    b.type = 'button';
    b.append(el('span', 'count', (tc.get(t) || 0).toLocaleString('en-US')));
    b.onclick = () => { app.edit(`MATCH p = ()-[:${ident(t)}]->() RETURN p LIMIT 25`); runEditor(); };
    return b;
  });
  group('Property keys', state.schema.keys, (k) => {
    const b = el('button', 'chip key', k);
    b.type = 'button';
    b.onclick = () => { app.edit(`MATCH (n) WHERE n.${ident(k)} IS NOT NULL RETURN n.${ident(k)}, n LIMIT 25`); runEditor(); };
    return b;
  });
  db.append(el('h3', '', `Indexes (${indexes.length}) and constraints (${constraints.length})`));
  const ic = el('div', 'small');
  indexes.forEach((r) => ic.append(el('div', '', `index ${r[0]}: ${(r[3] || []).join(',')}(${(r[4] || []).join(', ')})`)));
  // SHOW CONSTRAINTS: id, name, type, entityType, labelsOrTypes, properties, …
  constraints.forEach((r) => ic.append(el('div', '', `constraint ${r[1]} (${r[2]}): ${(r[4] || []).join(',')}(${(r[5] || []).join(', ')})`)));
  if (!indexes.length && !constraints.length) ic.append(el('span', 'dim', 'none'));
  db.append(ic);
  const pic = el('button', 'wide', 'Draw the schema');
  pic.type = 'button';
  pic.title = 'Which labels connect by which relationship types';
  pic.onclick = () => schemaFrame();
  db.append(pic);
  return { nodes: (nodeCount[0] || [0])[0], rels: (relCount[0] || [0])[0], lc, tc };
}

function ident(s) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : '`' + s.replace(/`/g, '``') + '`';
}

// The schema picture: labels as nodes, relationship types as arrows between them (the most
// specific label of each end), counted.
async function schemaFrame() {
  const statement = 'MATCH (a)-[r]->(b) RETURN labels(a) AS from, type(r) AS type, labels(b) AS to, count(*) AS n';
  const frame = new Frame(app, '// the schema\n' + statement, {});
  state.frames.unshift(frame);
  $('#frames').prepend(frame.el);
  try {
    const res = await api.run(statement);
    const ids = new Map();
    const nodes = [];
    const node = (labels) => {
      const l = style.styleLabel(labels) || '(no label)';
      if (!ids.has(l)) { ids.set(l, -(ids.size + 1)); nodes.push({ id: ids.get(l), labels: [l], properties: { name: l } }); }
      return ids.get(l);
    };
    const rels = new Map();
    res.values.forEach(([from, type, to, n]) => {
      const a = node(from);
      const b = node(to);
      const key = `${a}|${type}|${b}`;
      const r = rels.get(key) || { id: -(rels.size + 1), type, start: a, end: b, properties: { count: 0 } };
      r.properties.count += n;
      rels.set(key, r);
    });
    const values = [[nodes, [...rels.values()]]];
    await frame.show({ fields: ['labels', 'relationship types'], values, counters: null, ms: res.ms });
    frame.graph.hooks.onExpand = () => {};
    frame.graph.runLayout('circular');
    frame.layoutSelect.value = 'circular';
  } catch (e) {
    frame.fail(e);
  }
}

// ---- the first page ----

async function welcome(counts) {
  const box = el('section', 'frame welcome');
  const seedish = state.schema.labels.includes('Lab') && state.schema.labels.includes('FundingRound');
  const head = el('header', 'frame-head');
  head.append(el('strong', '', seedish ? 'China\'s AI capital markets, 2026 — the seed graph' : 'Welcome to the kgstore explorer'));
  const close = el('button', 'close', '✕');
  close.type = 'button';
  close.title = 'Close';
  close.onclick = () => box.remove();
  const actions = el('div', 'frame-actions');
  actions.append(close);
  head.append(el('span', 'spacer'), actions);
  const body = el('div', 'welcome-body');
  const intro = el('div', 'welcome-intro');
  intro.append(el('p', '', seedish
    ? `Labs, chip makers, investors, exchanges, regulators and policies in China's AI capital markets: who funds and controls whom, who lists where, who supplies the chips. ${counts.nodes} nodes and ${counts.rels} relationships, each with its source document and as_of date.`
    : `This database holds ${counts.nodes} nodes and ${counts.rels} relationships.`));
  const chips = el('div', 'chips');
  [...counts.lc.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).forEach(([l, c]) => {
    const b = el('button', 'chip label-chip', l);
    b.type = 'button';
    const s = style.labelStyle(l);
    b.style.background = s.fill;
    b.style.borderColor = s.border;
    b.append(el('span', 'count', String(c)));
    b.onclick = () => { app.edit(`MATCH (n:${ident(l)}) RETURN n LIMIT 25`); runEditor(); };
    chips.append(b);
  });
  intro.append(chips);
  const start = el('button', 'primary', seedish ? 'Draw DeepSeek and its neighbours' : 'Draw 50 nodes');
  start.type = 'button';
  start.onclick = () => {
    app.edit(seedish ? "MATCH p = (:Lab {name: 'DeepSeek'})-[]-() RETURN p" : 'MATCH (n) RETURN n LIMIT 50');
    runEditor();
  };
  const schema = el('button', '', 'Draw the schema');
  schema.type = 'button';
  schema.title = 'Which labels connect by which relationship types';
  schema.onclick = () => schemaFrame();
  const buttons = el('div', 'row');
  buttons.append(start, schema);
  intro.append(buttons);
  intro.append(el('p', 'hint', 'Type Cypher above and press Ctrl-Enter. Click a node for its properties (with source and as_of), double-click it to expand its neighbours.'));
  body.append(intro);
  if (state.seedFavourites.length && seedish) {
    const qs = el('div', 'welcome-questions');
    qs.append(el('h3', '', 'Questions to click'));
    state.seedFavourites.slice(0, 8).forEach((f) => {
      const b = el('button', 'question', f.title);
      b.type = 'button';
      b.onclick = () => { app.edit(f.text); runEditor(); };
      qs.append(b);
    });
    const more = el('button', 'link', `All ${state.seedFavourites.length} in Favourites →`);
    more.type = 'button';
    more.onclick = () => showTab('favourites');
    qs.append(more);
    body.append(qs);
  }
  box.append(head, body);
  $('#frames').append(box);
}

// ---- sidebar tabs, settings, sign-in ----

function showTab(name) {
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  document.querySelectorAll('.panel').forEach((p) => { p.hidden = p.id !== 'panel-' + name; });
}

function renderSettings() {
  const s = app.settings();
  for (const k of ['maxNodes', 'maxRels', 'expandLimit']) {
    const input = $(`#set-${k}`);
    input.value = s[k];
    input.onchange = () => {
      const v = Math.max(1, Math.min(100000, Number(input.value) || DEFAULT_SETTINGS[k]));
      localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...app.settings(), [k]: v }));
    };
  }
  const connect = $('#set-connect');
  connect.checked = s.connect;
  connect.onchange = () => localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...app.settings(), connect: connect.checked }));
  $('#reset-styles').onclick = () => style.resetStyles();
  $('#clear-history').onclick = () => { localStorage.removeItem(HISTORY_KEY); renderHistory(); };
  $('#sign-out').onclick = () => { api.signOut(); location.reload(); };
}

function loginPrompt(again) {
  return new Promise((resolve) => {
    const dlg = $('#login');
    $('#login-error').textContent = again ? 'The user name or password is wrong.' : '';
    dlg.showModal();
    $('#login-form').onsubmit = (e) => {
      e.preventDefault();
      dlg.close();
      resolve({ user: $('#login-user').value, password: $('#login-password').value });
    };
    $('#login-cancel').onclick = () => { dlg.close(); resolve(null); };
  });
}

async function start() {
  api.setLoginPrompt(loginPrompt);
  document.querySelectorAll('#tabs button').forEach((b) => { b.onclick = () => showTab(b.dataset.tab); });
  $('#run').onclick = () => runEditor();
  $('#params').value = localStorage.getItem(PARAMS_KEY) || '';
  const paramNames = () => { try { setNames({ params: Object.keys(params()) }); } catch (_) { /* not JSON yet */ } };
  $('#params').addEventListener('input', paramNames);
  paramNames();
  $('#clear-frames').onclick = () => { state.frames.forEach((f) => f.destroy()); state.frames = []; document.querySelectorAll('.welcome').forEach((w) => w.remove()); };
  document.addEventListener('keydown', (e) => {
    const typing = /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (e.key === '/' && !typing) { e.preventDefault(); editor.focus(); }
  });
  style.onChange(() => state.frames.forEach((f) => f.graph && f.graph.restyle()));
  renderSettings();
  renderHistory();
  showTab('database');
  state.server = await api.discover();
  const badge = $('#server');
  const version = state.server.kgstore_version || state.server.version || state.server.neo4j_version;
  badge.textContent = `${api.databaseName()}${version ? ' · kgstore ' + version : ''}`;
  if (state.server.read_only) {
    document.body.classList.add('read-only');
    $('#read-only').hidden = false;
  }
  const [lang, favs] = await Promise.all([
    fetch('/app/language.json').then((r) => r.json()).catch(() => ({})),
    fetch('/app/favourites.json').then((r) => r.json()).catch(() => []),
  ]);
  setNames({ keywords: lang.keywords || [], functions: lang.functions || [] });
  state.seedFavourites = favs.map((f) => ({ text: f.text, title: title(f.text), name: f.name }));
  renderFavourites();
  const counts = await refreshSchema();
  await welcome(counts);
  document.body.dataset.ready = 'true';
  editor.focus();
}

window.kgExplorer = { state, editor, exported, runEditor, app };
start();
