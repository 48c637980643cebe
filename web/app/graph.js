// One frame's graph view: Cytoscape.js with force-directed (cose), hierarchical
// (breadthfirst) and circular layouts; zoom, pan, drag, pin; click to inspect, double-click
// to expand; a cap on drawn elements.
import * as style from './style.js';

export const LAYOUTS = {
  force: { label: 'Force', options: (n) => ({
    name: 'cose', animate: false, randomize: true, fit: true, padding: 30,
    nodeRepulsion: () => 9000, idealEdgeLength: () => 95, edgeElasticity: () => 80,
    gravity: 0.6, numIter: n > 150 ? 500 : 1000, nodeDimensionsIncludeLabels: true,
  }) },
  hierarchical: { label: 'Hierarchical', options: () => ({
    name: 'breadthfirst', directed: true, spacingFactor: 1.05, fit: true, padding: 30,
    nodeDimensionsIncludeLabels: true,
  }) },
  circular: { label: 'Circular', options: () => ({
    name: 'circle', fit: true, padding: 30, nodeDimensionsIncludeLabels: true,
  }) },
  grid: { label: 'Grid', options: () => ({ name: 'grid', fit: true, padding: 30, avoidOverlap: true }) },
};

const SHEET = [
  { selector: 'node', style: {
    'background-color': 'data(fill)', 'border-color': 'data(border)', 'border-width': 2,
    width: 'data(size)', height: 'data(size)', label: 'data(caption)',
    'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif',
    'font-size': 11, color: '#1d2330', 'text-valign': 'bottom', 'text-halign': 'center',
    'text-margin-y': 4, 'text-wrap': 'wrap', 'text-max-width': 120,
    'text-outline-color': '#ffffff', 'text-outline-width': 2, 'min-zoomed-font-size': 6,
  } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#2d6cdf', 'underlay-color': '#2d6cdf', 'underlay-opacity': 0.15, 'underlay-padding': 6 } },
  { selector: 'node.pinned', style: { 'border-style': 'double', 'border-width': 5 } },
  { selector: 'edge', style: {
    'curve-style': 'bezier', width: 'data(width)', 'line-color': 'data(color)',
    'target-arrow-color': 'data(color)', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.9,
    label: 'data(caption)', 'font-size': 9, color: '#5a6270', 'text-rotation': 'autorotate',
    'text-wrap': 'wrap', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
    'text-background-padding': 1, 'min-zoomed-font-size': 7,
    'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  } },
  { selector: 'edge:selected', style: { 'line-color': '#2d6cdf', 'target-arrow-color': '#2d6cdf', width: 3.5, color: '#2d6cdf' } },
];

export function nodeData(n) {
  const label = style.styleLabel(n.labels);
  const s = style.labelStyle(label);
  return {
    id: 'n' + n.id, kid: n.id, kind: 'node', caption: style.nodeCaption(n), fill: s.fill,
    border: s.border, size: s.size, labels: n.labels, properties: n.properties,
  };
}

export function relData(r) {
  const s = style.typeStyle(r.type);
  return {
    id: 'r' + r.id, kid: r.id, kind: 'relationship', source: 'n' + r.start, target: 'n' + r.end,
    caption: style.relCaption(r), color: s.color, width: s.width, type: r.type,
    start: r.start, end: r.end, properties: r.properties,
  };
}

export class GraphView {
  // container: element; hooks: {onSelect(el|null), onExpand(id, opts), maxNodes, maxRels}
  constructor(container, hooks) {
    this.hooks = hooks;
    this.layoutName = 'force';
    this.cy = cytoscape({
      container, style: SHEET, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 4,
      boxSelectionEnabled: false, selectionType: 'single',
    });
    this.cy.on('tap', 'node, edge', (e) => hooks.onSelect && hooks.onSelect(e.target));
    this.cy.on('tap', (e) => { if (e.target === this.cy && hooks.onSelect) hooks.onSelect(null); });
    this.cy.on('dbltap', 'node', (e) => hooks.onExpand && hooks.onExpand(e.target.data('kid')));
  }

  // Draws nodes and relationships (Maps by id) up to the caps; returns what was drawn.
  setData(nodes, rels) {
    const maxN = this.hooks.maxNodes || 300;
    const maxR = this.hooks.maxRels || 1000;
    const drawn = [...nodes.values()].slice(0, maxN);
    const ids = new Set(drawn.map((n) => n.id));
    const edges = [...rels.values()].filter((r) => ids.has(r.start) && ids.has(r.end)).slice(0, maxR);
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(drawn.map((n) => ({ group: 'nodes', data: nodeData(n) })));
      this.cy.add(edges.map((r) => ({ group: 'edges', data: relData(r) })));
    });
    this.runLayout();
    return { nodes: drawn.length, rels: edges.length, totalNodes: nodes.size, totalRels: rels.size };
  }

  // Adds nodes and relationships next to `around` (a node id) and lays out again, keeping
  // what is already placed; returns how many nodes were new.
  add(nodes, rels, around) {
    const maxN = this.hooks.maxNodes || 300;
    const center = around !== undefined ? this.cy.getElementById('n' + around) : null;
    const c = center && center.nonempty() ? center.position() : { x: 0, y: 0 };
    const seen = new Set();
    const fresh = nodes.filter((n) => {
      if (seen.has(n.id) || this.cy.getElementById('n' + n.id).nonempty()) return false;
      seen.add(n.id);
      return true;
    });
    const room = Math.max(0, maxN - this.cy.nodes().length);
    const added = fresh.slice(0, room);
    this.cy.batch(() => {
      added.forEach((n, i) => {
        const a = (2 * Math.PI * i) / Math.max(1, added.length);
        this.cy.add({ group: 'nodes', data: nodeData(n), position: { x: c.x + 120 * Math.cos(a), y: c.y + 120 * Math.sin(a) } });
      });
      for (const r of rels) {
        if (this.cy.getElementById('r' + r.id).nonempty()) continue;
        if (this.cy.getElementById('n' + r.start).empty() || this.cy.getElementById('n' + r.end).empty()) continue;
        this.cy.add({ group: 'edges', data: relData(r) });
      }
    });
    if (added.length) {
      if (this.layoutName === 'force') {
        this.cy.layout({ ...LAYOUTS.force.options(this.cy.nodes().length), randomize: false, fit: true }).run();
        this.calm();
      } else {
        this.runLayout();
      }
    }
    return { added: added.length, skipped: fresh.length - added.length };
  }

  runLayout(name) {
    if (name) this.layoutName = name;
    if (this.cy.nodes().empty()) return;
    const opts = LAYOUTS[this.layoutName].options(this.cy.nodes().length);
    if (this.layoutName === 'hierarchical') {
      const roots = this.cy.nodes().filter((n) => n.indegree(false) === 0);
      if (roots.nonempty()) opts.roots = roots;
    }
    this.cy.layout(opts).run();
    this.calm();
  }

  // A small graph is not blown up to fill the view.
  calm() {
    if (this.cy.zoom() > 1.3) {
      this.cy.zoom(1.3);
      this.cy.center();
    }
  }

  fit() { this.cy.fit(undefined, 30); this.calm(); }

  nodeIds() { return this.cy.nodes().map((n) => n.data('kid')); }

  restyle() {
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        const d = nodeData({ id: n.data('kid'), labels: n.data('labels'), properties: n.data('properties') });
        n.data({ caption: d.caption, fill: d.fill, border: d.border, size: d.size });
      });
      this.cy.edges().forEach((e) => {
        const d = relData({ id: e.data('kid'), type: e.data('type'), start: e.data('start'), end: e.data('end'), properties: e.data('properties') });
        e.data({ caption: d.caption, color: d.color, width: d.width });
      });
    });
  }

  togglePin(node) {
    if (node.locked()) { node.unlock(); node.removeClass('pinned'); } else { node.lock(); node.addClass('pinned'); }
    return node.locked();
  }

  hide(el) { el.remove(); }

  // Removes the neighbours that hang on this node alone (and are not pinned).
  collapse(node) {
    const leaves = node.neighborhood('node').filter((m) => !m.locked() && m.connectedEdges().connectedNodes().difference(m).difference(node).empty());
    leaves.remove();
    return leaves.length;
  }

  png() {
    return this.cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'base64uri', maxWidth: 4000, maxHeight: 4000 });
  }

  // The view as a standalone SVG document (our own writer: nodes, arrows and captions).
  svg() {
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const bb = this.cy.elements().boundingBox({ includeLabels: true });
    const pad = 20;
    const w = Math.ceil(bb.w + 2 * pad);
    const h = Math.ceil(bb.h + 2 * pad);
    const ox = pad - bb.x1;
    const oy = pad - bb.y1;
    const out = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif">`);
    out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
    const markers = new Map();
    this.cy.edges().forEach((e) => {
      const color = e.data('color');
      if (!markers.has(color)) markers.set(color, `a${markers.size}`);
    });
    out.push('<defs>');
    for (const [color, id] of markers) {
      out.push(`<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${esc(color)}"/></marker>`);
    }
    out.push('</defs>');
    // Parallel relationships bend apart, as on screen: the k-th of m between two nodes gets a
    // control point off the straight line.
    const bundles = new Map();
    this.cy.edges().forEach((e) => {
      const key = [e.source().id(), e.target().id()].sort().join('|');
      if (!bundles.has(key)) bundles.set(key, []);
      bundles.get(key).push(e);
    });
    const f = (x) => x.toFixed(1);
    for (const bundle of bundles.values()) {
      bundle.forEach((e, k) => {
        const s = e.source().position();
        const t = e.target().position();
        const dx = t.x - s.x;
        const dy = t.y - s.y;
        const len = Math.hypot(dx, dy) || 1;
        // Perpendicular unit vector, always on the same side for the sorted pair.
        const flip = e.source().id() < e.target().id() ? 1 : -1;
        const nx = (-dy / len) * flip;
        const ny = (dx / len) * flip;
        const bend = (k - (bundle.length - 1) / 2) * 34;
        const c = { x: (s.x + t.x) / 2 + nx * bend, y: (s.y + t.y) / 2 + ny * bend };
        const trim = (from, to, r) => {
          const ux = to.x - from.x;
          const uy = to.y - from.y;
          const l = Math.hypot(ux, uy) || 1;
          return { x: from.x + (ux * r) / l, y: from.y + (uy * r) / l };
        };
        const a = trim(s, c, e.source().data('size') / 2);
        const b = trim(t, c, e.target().data('size') / 2 + 2);
        const color = esc(e.data('color'));
        out.push(`<path d="M${f(a.x + ox)},${f(a.y + oy)} Q${f(c.x + ox)},${f(c.y + oy)} ${f(b.x + ox)},${f(b.y + oy)}" fill="none" stroke="${color}" stroke-width="${e.data('width')}" marker-end="url(#${markers.get(e.data('color'))})"/>`);
        const mx = 0.25 * a.x + 0.5 * c.x + 0.25 * b.x + ox;
        const my = 0.25 * a.y + 0.5 * c.y + 0.25 * b.y + oy;
        const caption = String(e.data('caption')).split('\n')[0];
        out.push(`<text x="${f(mx)}" y="${f(my - 3)}" font-size="9" fill="#5a6270" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3">${esc(caption)}</text>`);
      });
    }
    this.cy.nodes().forEach((n) => {
      const p = n.position();
      const r = n.data('size') / 2;
      out.push(`<circle cx="${(p.x + ox).toFixed(1)}" cy="${(p.y + oy).toFixed(1)}" r="${r}" fill="${esc(n.data('fill'))}" stroke="${esc(n.data('border'))}" stroke-width="2"/>`);
      out.push(`<text x="${(p.x + ox).toFixed(1)}" y="${(p.y + oy + r + 13).toFixed(1)}" font-size="11" fill="#1d2330" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3">${esc(n.data('caption'))}</text>`);
    });
    out.push('</svg>');
    return out.join('\n');
  }

  destroy() { this.cy.destroy(); }
}
