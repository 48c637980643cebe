// A result frame: the statement, its status, and its result as a graph, a table or JSON;
// frames stack newest first.
import * as api from './api.js';
import * as style from './style.js';
import { graphOf, cypherText } from './values.js';
import { GraphView, LAYOUTS } from './graph.js';
import { renderTable, renderJson } from './table.js';
import * as exporter from './exporter.js';

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text, title, onclick, cls = '') {
  const b = el('button', cls, text);
  b.type = 'button';
  b.title = title;
  b.onclick = onclick;
  return b;
}

const fmt = (n) => n.toLocaleString('en-US');
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;

export class Frame {
  // app: {settings(), edit(text), rerun(text, params), favourite(text), frames, remove(frame)}
  constructor(app, statement, params) {
    this.app = app;
    this.statement = statement;
    this.params = params;
    this.result = null;
    this.graph = null;
    this.view = null;
    this.el = el('section', 'frame');
    const head = el('header', 'frame-head');
    const q = el('code', 'frame-query', statement.replace(/^(\s*\/\/[^\n]*\n)+/, '').trim() || statement);
    q.title = 'Click to edit';
    q.onclick = () => app.edit(statement);
    this.status = el('span', 'frame-status', 'running…');
    const actions = el('div', 'frame-actions');
    actions.append(
      button('↻', 'Run again', () => app.rerun(statement, params)),
      button('☆', 'Save as a favourite', () => app.favourite(statement)),
      button('✕', 'Close', () => app.remove(this), 'close'),
    );
    head.append(q, this.status, actions);
    this.bar = el('div', 'frame-bar');
    this.notice = el('div', 'frame-notice');
    this.notice.hidden = true;
    this.body = el('div', 'frame-body');
    this.el.append(head, this.bar, this.notice, this.body);
  }

  setNotice(text, kind = 'info') {
    this.notice.hidden = !text;
    this.notice.className = 'frame-notice ' + kind;
    this.notice.textContent = text || '';
  }

  fail(err) {
    this.el.classList.add('failed');
    this.status.textContent = 'error';
    this.body.textContent = '';
    const box = el('div', 'error-box');
    box.append(el('div', 'error-code', err.code));
    box.append(el('pre', 'error-message', err.message));
    if (err.line) box.append(el('div', 'error-where', `at line ${err.line}, column ${err.column}`));
    this.body.append(box);
  }

  async show(result) {
    this.result = result;
    const { nodes, rels } = graphOf(result.values);
    this.nodes = nodes;
    this.rels = rels;
    const rows = result.values.length;
    let status = `${plural(rows, 'row', 'rows')} · ${result.ms} ms`;
    if (result.counters && Object.keys(result.counters).length) {
      status += ' · ' + Object.entries(result.counters).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`).join(', ');
    }
    this.status.textContent = status;
    this.tabs = {};
    const seg = el('div', 'segmented');
    for (const [key, label] of [['graph', 'Graph'], ['table', 'Table'], ['json', 'JSON']]) {
      const b = button(label, `Show the result as ${label === 'JSON' ? 'JSON' : 'a ' + label.toLowerCase()}`, () => this.switchTo(key), 'tab-' + key);
      this.tabs[key] = b;
      seg.append(b);
    }
    this.graphTools = el('span', 'graph-tools');
    const layout = el('select', 'layout');
    layout.title = 'Layout';
    for (const [k, v] of Object.entries(LAYOUTS)) {
      const o = el('option', '', v.label);
      o.value = k;
      layout.append(o);
    }
    layout.onchange = () => this.graph && this.graph.runLayout(layout.value);
    this.layoutSelect = layout;
    this.graphTools.append(layout, button('⤢ Fit', 'Fit the graph to the view', () => this.graph && this.graph.fit()),
      button('PNG', 'Download the view as PNG', () => this.exportPng(), 'export-png'),
      button('SVG', 'Download the view as SVG', () => this.exportSvg(), 'export-svg'));
    const files = el('span', 'file-tools');
    files.append(
      button('CSV', 'Download the result as CSV', () => exporter.download(exporter.fileStem(this.statement) + '.csv', 'text/csv', exporter.csv(this.result)), 'export-csv'),
      button('JSON', 'Download the result as JSON', () => exporter.download(exporter.fileStem(this.statement) + '.json', 'application/json', exporter.json(this.result)), 'export-json'),
    );
    this.bar.append(seg, this.graphTools, el('span', 'spacer'), files);
    this.views = {
      graph: el('div', 'view view-graph'),
      table: el('div', 'view view-table'),
      json: el('pre', 'view view-json'),
    };
    Object.values(this.views).forEach((v) => { v.hidden = true; this.body.append(v); });
    if (nodes.size === 0) {
      this.tabs.graph.disabled = true;
      this.tabs.graph.title = 'No nodes or relationships in this result';
      this.switchTo('table');
    } else {
      this.switchTo('graph');
    }
  }

  switchTo(view) {
    this.view = view;
    for (const [k, b] of Object.entries(this.tabs)) b.classList.toggle('active', k === view);
    for (const [k, v] of Object.entries(this.views)) v.hidden = k !== view;
    this.graphTools.hidden = view !== 'graph';
    this.el.dataset.view = view;
    if (view === 'table' && !this.views.table.firstChild) renderTable(this.views.table, this.result);
    if (view === 'json' && !this.views.json.firstChild) renderJson(this.views.json, this.result);
    if (view === 'graph' && !this.graph) this.drawGraph();
    if (view === 'graph' && this.graph) this.graph.cy.resize();
  }

  async drawGraph() {
    const host = this.views.graph;
    const canvas = el('div', 'cy');
    this.inspector = el('aside', 'inspector');
    host.append(canvas, this.inspector);
    const s = this.app.settings();
    this.graph = new GraphView(canvas, {
      maxNodes: s.maxNodes,
      maxRels: s.maxRels,
      onSelect: (e) => this.inspect(e),
      onExpand: (id) => this.expand(id),
    });
    // Relationships whose ends are not in the result: fetch the ends so they can be drawn.
    const missing = new Set();
    for (const r of this.rels.values()) {
      if (!this.nodes.has(r.start)) missing.add(r.start);
      if (!this.nodes.has(r.end)) missing.add(r.end);
    }
    if (missing.size) {
      try {
        const res = await api.run('MATCH (n) WHERE id(n) IN $ids RETURN n', { ids: [...missing] });
        res.values.forEach(([n]) => this.nodes.set(n.id, n));
      } catch (_) { /* drawn without them */ }
    }
    const drawn = this.graph.setData(this.nodes, this.rels);
    let extra = 0;
    if (s.connect && drawn.nodes > 1) extra = await this.connect();
    this.updateCounts();
    const notes = [];
    if (drawn.nodes < drawn.totalNodes || drawn.rels < drawn.totalRels) {
      notes.push(`Showing ${fmt(drawn.nodes)} of ${fmt(drawn.totalNodes)} nodes and ${fmt(drawn.rels)} of ${fmt(drawn.totalRels)} relationships (the cap is ${fmt(s.maxNodes)} nodes, ${fmt(s.maxRels)} relationships; change it in Settings). The table has the whole result.`);
    }
    if (extra) notes.push(`${plural(extra, 'relationship', 'relationships')} between the result's nodes added.`);
    this.setNotice(notes.join(' '), drawn.nodes < drawn.totalNodes ? 'warn' : 'info');
    this.inspect(null);
  }

  // Draws the relationships among the drawn nodes that the result did not return.
  async connect() {
    const ids = this.graph.nodeIds();
    try {
      const res = await api.run('MATCH (a) WHERE id(a) IN $ids MATCH (a)-[r]->(b) WHERE id(b) IN $ids RETURN r', { ids });
      const rels = res.values.map(([r]) => r).filter((r) => !this.rels.has(r.id));
      const before = this.graph.cy.edges().length;
      this.graph.add([], rels);
      return this.graph.cy.edges().length - before;
    } catch (_) {
      return 0;
    }
  }

  updateCounts() {
    if (!this.graph) return;
    this.el.dataset.nodes = this.graph.cy.nodes().length;
    this.el.dataset.relationships = this.graph.cy.edges().length;
    const caption = el('span');
    this.drawnInfo = this.drawnInfo || el('span', 'drawn-info');
    this.drawnInfo.textContent = `${plural(this.graph.cy.nodes().length, 'node', 'nodes')}, ${plural(this.graph.cy.edges().length, 'relationship', 'relationships')}`;
    if (!this.drawnInfo.parentNode) this.graphTools.prepend(this.drawnInfo);
    void caption;
  }

  // Adds the neighbours of node `id` (optionally by type and direction).
  async expand(id, { type = '', direction = 'both' } = {}) {
    const s = this.app.settings();
    const rel = type ? `[r:\`${type.replace(/`/g, '``')}\`]` : '[r]';
    const pattern = direction === 'out' ? `(n)-${rel}->(m)` : direction === 'in' ? `(n)<-${rel}-(m)` : `(n)-${rel}-(m)`;
    try {
      const res = await api.run(
        `MATCH ${pattern} WHERE id(n) = $id RETURN r, m ORDER BY id(r) LIMIT $max`,
        { id, max: s.expandLimit + 1 });
      const rows = res.values.slice(0, s.expandLimit);
      const { added, skipped } = this.graph.add(rows.map((r) => r[1]), rows.map((r) => r[0]), id);
      if (s.connect && added) await this.connect();
      this.updateCounts();
      const notes = [];
      if (res.values.length > s.expandLimit) notes.push(`Expanded ${fmt(s.expandLimit)} neighbours of #${id}; it has more (the expansion limit is in Settings).`);
      if (skipped) notes.push(`${plural(skipped, 'neighbour was', 'neighbours were')} not drawn: the view holds its cap of ${fmt(s.maxNodes)} nodes.`);
      if (!added && !skipped && !notes.length) notes.push(`#${id} has no neighbours beyond those drawn.`);
      this.setNotice(notes.join(' '), skipped ? 'warn' : 'info');
      return added;
    } catch (e) {
      this.setNotice(`Could not expand #${id}: ${e.message}`, 'warn');
      return 0;
    }
  }

  inspect(target) {
    const box = this.inspector;
    box.textContent = '';
    if (!target) {
      const counts = {};
      this.graph.cy.nodes().forEach((n) => {
        const l = style.styleLabel(n.data('labels')) || '(no label)';
        counts[l] = (counts[l] || 0) + 1;
      });
      box.append(el('h4', '', 'In this view'));
      const list = el('div', 'chips');
      Object.entries(counts).sort((a, b) => b[1] - a[1]).forEach(([l, c]) => {
        const chip = el('span', 'chip', `${l} ${c}`);
        const st = style.labelStyle(l);
        chip.style.background = st.fill;
        chip.style.borderColor = st.border;
        list.append(chip);
      });
      box.append(list);
      box.append(el('p', 'hint', 'Click a node or relationship for its properties; double-click a node to expand its neighbours. Drag to move, scroll to zoom.'));
      return;
    }
    const d = target.data();
    const props = d.properties || {};
    if (d.kind === 'node') {
      const head = el('div', 'inspect-head');
      d.labels.forEach((l) => {
        const chip = el('span', 'chip', l);
        const st = style.labelStyle(l);
        chip.style.background = st.fill;
        chip.style.borderColor = st.border;
        head.append(chip);
      });
      head.append(el('span', 'dim', ` #${d.kid}`));
      box.append(head, el('h4', 'inspect-title', d.caption));
    } else {
      const head = el('div', 'inspect-head');
      head.append(el('span', 'chip rel', d.type), el('span', 'dim', ` #${d.kid}`));
      const from = this.graph.cy.getElementById('n' + d.start).data('caption');
      const to = this.graph.cy.getElementById('n' + d.end).data('caption');
      box.append(head, el('h4', 'inspect-title', `${from} → ${to}`));
    }
    const table = el('table', 'props');
    const keys = Object.keys(props).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const k of keys) {
      const tr = el('tr', k === 'source' || k === 'as_of' ? 'provenance' : '');
      const v = props[k];
      const td = el('td');
      if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')) {
        v.forEach((x) => td.append(el('div', '', x)));
      } else {
        td.textContent = typeof v === 'string' ? v : cypherText(v);
      }
      tr.append(el('th', '', k), td);
      table.append(tr);
    }
    if (!keys.length) box.append(el('p', 'hint', 'No properties.'));
    box.append(table);
    const actions = el('div', 'inspect-actions');
    if (d.kind === 'node') {
      const dir = el('select', 'expand-direction');
      [['both', 'both directions'], ['out', 'outgoing →'], ['in', '← incoming']].forEach(([v, t]) => { const o = el('option', '', t); o.value = v; dir.append(o); });
      const type = el('select', 'expand-type');
      const any = el('option', '', 'any type');
      any.value = '';
      type.append(any);
      this.neighbourTypes(d.kid).then((types) => types.forEach(([t, c]) => { const o = el('option', '', `${t} (${c})`); o.value = t; type.append(o); }));
      actions.append(
        button('Expand', 'Add this node\'s neighbours (double-click does the same)', () => this.expand(d.kid, { type: type.value, direction: dir.value }), 'primary'),
        type, dir,
        button(target.locked() ? 'Unpin' : 'Pin', 'Keep this node where it is when the layout runs', () => { this.graph.togglePin(target); this.inspect(target); }),
        button('Collapse', 'Hide the neighbours that hang on this node alone', () => { this.graph.collapse(target); this.updateCounts(); }),
        button('Hide', 'Remove this node from the view', () => { this.graph.hide(target); this.updateCounts(); this.inspect(null); }),
      );
      box.append(actions, this.styleEditor(style.styleLabel(d.labels), Object.keys(props), 'label'));
    } else {
      actions.append(button('Hide', 'Remove this relationship from the view', () => { this.graph.hide(target); this.updateCounts(); this.inspect(null); }));
      box.append(actions, this.styleEditor(d.type, Object.keys(props), 'type'));
    }
  }

  async neighbourTypes(id) {
    try {
      const res = await api.run('MATCH (n)-[r]-() WHERE id(n) = $id RETURN type(r) AS t, count(*) AS c ORDER BY t', { id });
      return res.values;
    } catch (_) {
      return [];
    }
  }

  styleEditor(name, keys, kind) {
    const box = el('details', 'style-editor');
    if (!name) return box;
    box.append(el('summary', '', `Style ${kind === 'label' ? ':' + name : '[:' + name + ']'}`));
    const s = kind === 'label' ? style.labelStyle(name) : style.typeStyle(name);
    const set = (patch) => (kind === 'label' ? style.setLabelStyle(name, patch) : style.setTypeStyle(name, patch));
    const row = (label, input) => { const r = el('label', 'style-row'); r.append(el('span', '', label), input); box.append(r); };
    const colour = el('input');
    colour.type = 'color';
    colour.value = kind === 'label' ? s.fill : s.color;
    colour.oninput = () => set(kind === 'label' ? { fill: colour.value, border: darker(colour.value) } : { color: colour.value });
    row('Colour', colour);
    const size = el('input');
    size.type = 'range';
    if (kind === 'label') { size.min = 20; size.max = 110; size.value = s.size; } else { size.min = 1; size.max = 8; size.value = s.width; }
    size.oninput = () => set(kind === 'label' ? { size: Number(size.value) } : { width: Number(size.value) });
    row(kind === 'label' ? 'Size' : 'Width', size);
    const caption = el('select');
    const none = el('option', '', kind === 'label' ? 'name (default)' : 'type only');
    none.value = '';
    caption.append(none);
    keys.sort().forEach((k) => { const o = el('option', '', k); o.value = k; caption.append(o); });
    caption.value = s.caption;
    caption.onchange = () => set({ caption: caption.value });
    row('Caption', caption);
    return box;
  }

  exportPng() {
    const uri = this.graph.png();
    exporter.download(exporter.fileStem(this.statement) + '.png', 'image/png', exporter.dataUrlBlob(uri));
  }

  exportSvg() {
    exporter.download(exporter.fileStem(this.statement) + '.svg', 'image/svg+xml', this.graph.svg());
  }

  destroy() {
    if (this.graph) this.graph.destroy();
    this.el.remove();
  }
}

function rank(k) {
  return k === 'name' ? 0 : k === 'source' || k === 'as_of' ? 2 : 1;
}

function darker(hex) {
  const m = /^#(..)(..)(..)$/.exec(hex);
  if (!m) return hex;
  return '#' + m.slice(1).map((x) => Math.round(parseInt(x, 16) * 0.65).toString(16).padStart(2, '0')).join('');
}
