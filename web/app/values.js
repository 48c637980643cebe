// The JSON shapes of values (those of `kg query --format json`, src/render/json.rs): node
// {id, labels, properties}, relationship {id, type, start, end, properties}, path
// {nodes, relationships}; temporal values are ISO strings.

const has = (v, keys) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) &&
  Object.keys(v).length === keys.length && keys.every((k) => k in v);

export const isNode = (v) =>
  has(v, ['id', 'labels', 'properties']) && Array.isArray(v.labels) && typeof v.id === 'number';
export const isRel = (v) =>
  has(v, ['id', 'type', 'start', 'end', 'properties']) && typeof v.type === 'string';
export const isPath = (v) =>
  has(v, ['nodes', 'relationships']) && Array.isArray(v.nodes) && Array.isArray(v.relationships) &&
  v.nodes.every(isNode);

// Every node and relationship anywhere in the rows (inside lists, maps and paths), in order
// of appearance, each once.
export function graphOf(values) {
  const nodes = new Map();
  const rels = new Map();
  const visit = (v) => {
    if (v === null || typeof v !== 'object') return;
    if (isNode(v)) { if (!nodes.has(v.id)) nodes.set(v.id, v); return; }
    if (isRel(v)) { if (!rels.has(v.id)) rels.set(v.id, v); return; }
    if (isPath(v)) { v.nodes.forEach(visit); v.relationships.forEach(visit); return; }
    if (Array.isArray(v)) v.forEach(visit);
    else Object.values(v).forEach(visit);
  };
  for (const row of values) row.forEach(visit);
  return { nodes, rels };
}

function props(p) {
  const parts = Object.entries(p || {}).map(([k, v]) => `${k}: ${cypherText(v)}`);
  return parts.length ? ` {${parts.join(', ')}}` : '';
}

// Cypher-like text of a value, as the table shows it.
export function cypherText(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/^"|"$/g, "'").replace(/\\"/g, '"');
  if (typeof v !== 'object') return String(v);
  if (isNode(v)) return `(:${v.labels.join(':')} #${v.id}${props(v.properties)})`;
  if (isRel(v)) return `[:${v.type} #${v.id} ${v.start}→${v.end}${props(v.properties)}]`;
  if (isPath(v)) {
    let s = `(#${v.nodes[0] ? v.nodes[0].id : '?'})`;
    v.relationships.forEach((r, i) => {
      const next = v.nodes[i + 1];
      s += `-[:${r.type}]-(#${next ? next.id : '?'})`;
    });
    return s;
  }
  if (Array.isArray(v)) return `[${v.map(cypherText).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${cypherText(x)}`).join(', ')}}`;
}

// Plain text of a cell: strings bare, everything else as cypherText.
export function cellText(v) {
  return typeof v === 'string' ? v : cypherText(v);
}
