// Downloads: the graph view as PNG or SVG, a result as CSV or JSON (the shape of
// `kg query --format json`).
import { cellText } from './values.js';

export const exported = []; // what was exported this session (the browser test reads it)

export function download(name, type, data) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  exported.push({ name, type, size: blob.size });
}

export function dataUrlBlob(dataUrl) {
  const [head, b64] = dataUrl.split(',');
  const type = /data:([^;]+)/.exec(head)[1];
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : typeof v === 'string' ? v : cellText(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csv(result) {
  const lines = [result.fields.map(csvCell).join(',')];
  for (const row of result.values) lines.push(row.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function json(result) {
  const out = { columns: result.fields, rows: result.values };
  if (result.counters) out.stats = result.counters;
  return JSON.stringify(out, null, 2) + '\n';
}

export function fileStem(statement) {
  const words = statement.replace(/\/\/[^\n]*/g, '').match(/[A-Za-z0-9_]+/g) || ['result'];
  return 'kg-' + words.slice(0, 5).join('-').toLowerCase().slice(0, 40);
}
