// Styles by label and relationship type: colour, size and caption property. Defaults follow
// the DOT exporter's palette (src/export/style.rs) so a label has the same colour in
// `kg export --format dot` and here; a user's changes are kept in localStorage.

// (fill, border): soft fills with a darker border of the same hue — style.rs's PALETTE.
export const PALETTE = [
  ['#aec7e8', '#1f77b4'], ['#ffbb78', '#ff7f0e'], ['#98df8a', '#2ca02c'],
  ['#ff9896', '#d62728'], ['#c5b0d5', '#9467bd'], ['#c49c94', '#8c564b'],
  ['#f7b6d2', '#e377c2'], ['#dbdb8d', '#bcbd22'], ['#9edae5', '#17becf'],
  ['#d9d9d9', '#7f7f7f'], ['#fdd0a2', '#e6550d'], ['#bcbddc', '#756bb1'],
];

const KEY = 'kg.explorer.styles';
const CAPTION_KEYS = ['name', 'title', 'round', 'date'];

// FNV-1a over the UTF-8 bytes, 64-bit: style.rs's stable_hash.
function stableHash(s) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

// style.rs's default_node_styles: each label's slot comes from its hash; a taken slot moves
// to the next free one while any is free.
export function defaultColours(labels) {
  const sorted = [...new Set(labels)].sort();
  const taken = new Array(PALETTE.length).fill(false);
  const out = {};
  for (const label of sorted) {
    let slot = Number(stableHash(label) % BigInt(PALETTE.length));
    if (taken.some((t) => !t)) {
      while (taken[slot]) slot = (slot + 1) % PALETTE.length;
    }
    taken[slot] = true;
    out[label] = { fill: PALETTE[slot][0], border: PALETTE[slot][1] };
  }
  return out;
}

let known = [];      // every label the database has (for stable default colours)
let defaults = {};
let saved = load();
const listeners = new Set();

function load() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || '{}');
    return { labels: s.labels || {}, types: s.types || {} };
  } catch (_) {
    return { labels: {}, types: {} };
  }
}

function store() {
  localStorage.setItem(KEY, JSON.stringify(saved));
  listeners.forEach((f) => f());
}

export function onChange(f) { listeners.add(f); }

export function setKnownLabels(labels) {
  known = [...new Set([...known, ...labels])].sort();
  defaults = defaultColours(known);
}

// The label that styles a node: one the user styled, else the last (most specific: the seed
// graph writes `:Organization:Lab`), else none.
export function styleLabel(labels) {
  for (let i = labels.length - 1; i >= 0; i--) if (saved.labels[labels[i]]) return labels[i];
  return labels.length ? labels[labels.length - 1] : null;
}

export function labelStyle(label) {
  if (label && !defaults[label]) setKnownLabels([label]);
  const d = label ? defaults[label] : { fill: '#e6e6e6', border: '#8a8a8a' };
  const s = (label && saved.labels[label]) || {};
  return {
    fill: s.fill || d.fill,
    border: s.border || d.border,
    size: s.size || 46,
    caption: s.caption || '',
  };
}

export function typeStyle(type) {
  const s = saved.types[type] || {};
  return { color: s.color || '#a5abb6', width: s.width || 2, caption: s.caption || '' };
}

export function setLabelStyle(label, patch) {
  saved.labels[label] = { ...(saved.labels[label] || {}), ...patch };
  store();
}

export function setTypeStyle(type, patch) {
  saved.types[type] = { ...(saved.types[type] || {}), ...patch };
  store();
}

export function resetStyles() {
  saved = { labels: {}, types: {} };
  store();
}

// A node's caption: the style's caption property, else name, title, …, else `Label #id`.
export function nodeCaption(node) {
  const label = styleLabel(node.labels);
  const props = node.properties || {};
  const chosen = labelStyle(label).caption;
  const keys = chosen ? [chosen, ...CAPTION_KEYS] : CAPTION_KEYS;
  for (const k of keys) {
    if (props[k] !== undefined && props[k] !== null) return shortText(props[k]);
  }
  return `${label || ''} #${node.id}`.trim();
}

export function relCaption(rel) {
  const chosen = typeStyle(rel.type).caption;
  const v = chosen && rel.properties ? rel.properties[chosen] : undefined;
  return v === undefined || v === null ? rel.type : `${rel.type}\n${shortText(v)}`;
}

function shortText(v) {
  const s = Array.isArray(v) ? v.join(', ') : String(v);
  return s.length > 28 ? s.slice(0, 27) + '…' : s;
}

// Pick black or white text for a fill colour.
export function textOn(fill) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(fill || '');
  if (!m) return '#1d2330';
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#1d2330' : '#ffffff';
}
