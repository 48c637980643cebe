// The table and JSON views of a result.
import { cellText, isNode, isRel, isPath } from './values.js';
import * as style from './style.js';

const PAGE = 500;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function cell(v) {
  const td = el('td');
  if (v === null || v === undefined) {
    td.append(el('span', 'null', 'null'));
  } else if (isNode(v)) {
    const label = style.styleLabel(v.labels);
    const chip = el('span', 'chip', v.labels.map((l) => ':' + l).join('') || '()');
    const s = style.labelStyle(label);
    chip.style.background = s.fill;
    chip.style.borderColor = s.border;
    td.append(chip, ' ', el('span', 'caption', style.nodeCaption(v)), el('span', 'dim', ` #${v.id}`));
    td.title = cellText(v);
  } else if (isRel(v)) {
    td.append(el('span', 'chip rel', ':' + v.type), el('span', 'dim', ` #${v.id} (${v.start}→${v.end})`));
    td.title = cellText(v);
  } else if (isPath(v)) {
    td.append(el('span', 'dim', `path of ${v.relationships.length}: `), cellText(v));
  } else if (typeof v === 'number') {
    td.className = 'num';
    td.textContent = Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  } else {
    td.textContent = cellText(v);
  }
  return td;
}

export function renderTable(host, result) {
  host.textContent = '';
  if (!result.fields.length) {
    host.append(el('p', 'empty', 'The statement returned no columns.'));
    return;
  }
  const table = el('table', 'result');
  const head = el('tr');
  head.append(el('th', 'rownum', ''));
  result.fields.forEach((f) => head.append(el('th', '', f)));
  table.append(el('thead'));
  table.tHead.append(head);
  const body = el('tbody');
  table.append(body);
  let shown = 0;
  const more = el('button', 'more');
  const page = () => {
    const end = Math.min(result.values.length, shown + PAGE);
    const frag = document.createDocumentFragment();
    for (let i = shown; i < end; i++) {
      const tr = el('tr');
      tr.append(el('td', 'rownum', String(i + 1)));
      result.values[i].forEach((v) => tr.append(cell(v)));
      frag.append(tr);
    }
    body.append(frag);
    shown = end;
    more.textContent = `Show ${Math.min(PAGE, result.values.length - shown)} more of ${(result.values.length - shown).toLocaleString('en-US')} rows`;
    more.hidden = shown >= result.values.length;
  };
  more.onclick = page;
  page();
  if (!result.values.length) host.append(el('p', 'empty', '(no rows)'));
  host.append(table, more);
}

export function renderJson(host, result) {
  const out = { columns: result.fields, rows: result.values };
  if (result.counters) out.stats = result.counters;
  let text = JSON.stringify(out, null, 2);
  const cap = 2000000;
  if (text.length > cap) text = text.slice(0, cap) + '\n… (cut at 2 MB here: export JSON for the whole result)';
  host.textContent = text;
}
