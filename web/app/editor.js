// The Cypher editor: CodeMirror 5 with its Cypher mode, bracket matching, completion of
// keywords, functions, labels, relationship types, property keys and parameters, Ctrl-Enter
// to run, history on Ctrl-Up/Down, and errors marked at their line and column.

const names = { keywords: [], functions: [], labels: [], types: [], keys: [], params: [] };

export function setNames(patch) { Object.assign(names, patch); }

function hint(cm) {
  const cur = cm.getCursor();
  const line = cm.getLine(cur.line);
  let start = cur.ch;
  while (start > 0 && /[\w$`]/.test(line.charAt(start - 1))) start--;
  let word = line.slice(start, cur.ch);
  const before = line.slice(0, start);
  let list;
  let quote = (s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : '`' + s.replace(/`/g, '``') + '`');
  if (word.startsWith('$')) {
    list = names.params.map((p) => '$' + p);
    quote = (s) => s;
  } else if (/:\s*$/.test(before) || /\|\s*$/.test(before)) {
    // `(n:` is a label, `[r:` a relationship type: look back for the nearest bracket.
    const open = Math.max(before.lastIndexOf('('), before.lastIndexOf('['));
    list = open >= 0 && before.charAt(open) === '[' ? names.types : names.labels;
  } else if (/\.\s*$/.test(before)) {
    list = names.keys;
  } else {
    list = [...names.keywords, ...names.functions.map((f) => f + '('), ...names.labels, ...names.types];
    quote = (s) => s;
  }
  word = word.replace(/^`/, '').toLowerCase();
  const seen = new Set();
  const matches = [];
  for (const s of list) {
    if (seen.has(s)) continue;
    seen.add(s);
    const bare = s.replace(/^\$/, '').toLowerCase();
    if (!word || bare.startsWith(word.replace(/^\$/, ''))) matches.push(quote(s));
  }
  return { list: matches.slice(0, 60), from: CodeMirror.Pos(cur.line, start), to: cur };
}

export function createEditor(host, { onRun, history }) {
  let histPos = -1;
  let draft = '';
  const step = (cm, dir) => {
    const items = history();
    if (!items.length) return;
    if (histPos === -1) draft = cm.getValue();
    histPos = Math.max(-1, Math.min(items.length - 1, histPos + dir));
    cm.setValue(histPos === -1 ? draft : items[histPos]);
    cm.setCursor(cm.lineCount(), 0);
  };
  const cm = CodeMirror(host, {
    mode: 'application/x-cypher-query',
    lineNumbers: true,
    matchBrackets: true,
    autoCloseBrackets: true,
    lineWrapping: true,
    viewportMargin: Infinity,
    placeholder: 'MATCH (n) RETURN n LIMIT 25        — Ctrl-Enter runs, Ctrl-Space completes',
    extraKeys: {
      'Ctrl-Enter': () => onRun(),
      'Cmd-Enter': () => onRun(),
      'Ctrl-Space': (c) => c.showHint({ hint, completeSingle: false }),
      'Ctrl-Up': (c) => step(c, 1),
      'Ctrl-Down': (c) => step(c, -1),
      'Ctrl-/': 'toggleComment',
      'Cmd-/': 'toggleComment',
      Tab: (c) => (c.state.completionActive ? CodeMirror.Pass : c.execCommand('indentMore')),
    },
  });
  cm.on('inputRead', (c, change) => {
    if (change.origin !== '+input' || c.state.completionActive) return;
    const ch = change.text[change.text.length - 1].slice(-1);
    const cur = c.getCursor();
    const line = c.getLine(cur.line).slice(0, cur.ch);
    if (ch === ':' || ch === '.' || ch === '$' || /(^|[^\w$`])[A-Za-z_]\w$/.test(line)) {
      c.showHint({ hint, completeSingle: false, closeCharacters: /[\s()\[\]{};>,]/ });
    }
  });
  cm.on('change', () => clearError(cm));
  cm.on('changes', () => { histPos = -1; });
  return cm;
}

let marks = [];
export function clearError(cm) {
  marks.forEach((m) => (m.clear ? m.clear() : cm.removeLineClass(m, 'background', 'cm-error-line')));
  marks = [];
}

// Marks the error at (1-based) line and column of the editor text; lineOffset is where the
// failing statement starts when the editor holds several.
export function markError(cm, line, column, lineOffset = 0) {
  clearError(cm);
  const l = Math.min(cm.lineCount() - 1, Math.max(0, line - 1 + lineOffset));
  const text = cm.getLine(l);
  const from = Math.min(text.length, Math.max(0, column - 1));
  let to = from;
  while (to < text.length && /[\w$`'"]/.test(text.charAt(to))) to++;
  if (to === from) to = Math.min(text.length, from + 1);
  const handle = cm.addLineClass(l, 'background', 'cm-error-line');
  marks.push(handle);
  if (to > from) marks.push(cm.markText({ line: l, ch: from }, { line: l, ch: to }, { className: 'cm-error-mark' }));
  cm.setCursor({ line: l, ch: from });
}

// Splits the editor text into statements on `;` outside strings, backticks and comments;
// each with the line it starts on.
export function splitStatements(text) {
  const out = [];
  let start = 0;
  let i = 0;
  const push = (end) => {
    const raw = text.slice(start, end);
    const body = raw.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
    if (body) {
      const lead = raw.length - raw.replace(/^\s+/, '').length;
      const line = text.slice(0, start + lead).split('\n').length - 1;
      out.push({ text: raw.trim(), line });
    }
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? text.length : e + 2;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else {
      i++;
    }
  }
  push(text.length);
  return out;
}
