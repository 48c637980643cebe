// The page's only way to the server: kg serve's HTTP Query API (the one curl users see).
//   POST /db/{db}/query/v2 {"statement", "parameters"} -> {"data": {"fields", "values"}}
//   errors: {"errors": [{"code", "message"}]}; GET / (JSON) tells about the server.

const AUTH_KEY = 'kg.explorer.auth';
let database = 'neo4j';
let loginPrompt = null; // async () => ({user, password}) | null, set by the page

export function setLoginPrompt(f) { loginPrompt = f; }
export function databaseName() { return database; }

function authHeader() {
  const a = sessionStorage.getItem(AUTH_KEY);
  return a ? { Authorization: 'Basic ' + a } : {};
}

export class QueryError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code || 'Error';
    const pos = errorPosition(message);
    this.line = pos ? pos.line : null;
    this.column = pos ? pos.column : null;
  }
}

// Where a message places its error: `(line 2, column 13 …)` (Neo4j's wording), `line 2,
// column 13`, or a leading `2:13:` (kg's diagnostics).
export function errorPosition(message) {
  const m = /line (\d+),? column (\d+)/i.exec(message || '') || /^\s*(\d+):(\d+):/.exec(message || '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

// One sign-in at a time: requests refused together wait for the same dialog.
let signingIn = null;
function signIn(again) {
  if (!signingIn) {
    signingIn = (async () => {
      const who = await loginPrompt(again);
      if (who) sessionStorage.setItem(AUTH_KEY, btoa(unescape(encodeURIComponent(`${who.user}:${who.password}`))));
      return Boolean(who);
    })().finally(() => { signingIn = null; });
  }
  return signingIn;
}

async function request(method, url, body, headers = {}) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const sent = sessionStorage.getItem(AUTH_KEY);
    const res = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...authHeader(), ...headers },
      body,
      credentials: 'omit',
    });
    if (res.status === 401 && loginPrompt) {
      // Someone signed in meanwhile: try again with their credentials.
      if (sessionStorage.getItem(AUTH_KEY) !== sent) continue;
      if (!(await signIn(Boolean(sent)))) {
        throw new QueryError('Neo.ClientError.Security.Unauthorized', 'not signed in');
      }
      continue;
    }
    return res;
  }
  throw new QueryError('Neo.ClientError.Security.Unauthorized', 'the user name or password is wrong');
}

// What the server says about itself; {} when it says nothing we understand.
export async function discover() {
  try {
    const res = await request('GET', '/');
    const type = res.headers.get('Content-Type') || '';
    if (!res.ok || !type.includes('json')) return {};
    const info = await res.json();
    if (info.default_database) database = info.default_database;
    return info;
  } catch (_) {
    return {};
  }
}

// Runs one statement; resolves to {fields, values, counters, ms} or throws a QueryError.
export async function run(statement, parameters = {}) {
  const started = performance.now();
  let res;
  try {
    res = await request('POST', `/db/${encodeURIComponent(database)}/query/v2`,
      JSON.stringify({ statement, parameters, includeCounters: true }), { 'Content-Type': 'application/json' });
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw new QueryError('Network', `cannot reach the server: ${e.message}`);
  }
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  if (body && Array.isArray(body.errors) && body.errors.length) {
    const e = body.errors[0];
    throw new QueryError(e.code, e.message);
  }
  if (!res.ok || !body || !body.data) {
    throw new QueryError(`HTTP ${res.status}`, (body && body.message) || res.statusText || 'the server refused the request');
  }
  return {
    fields: body.data.fields || [],
    values: body.data.values || [],
    counters: writeCounters(body.counters),
    ms: Math.round(performance.now() - started),
  };
}

// Neo4j's counters (`nodesCreated`, …) as kg's write stats: the non-zero ones, snake_case
// (`nodes_created`), as `kg query --format json` writes them; null when nothing was written.
function writeCounters(c) {
  if (!c) return null;
  const out = {};
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number' && v > 0 && k !== 'systemUpdates') out[k.replace(/[A-Z]/g, (x) => '_' + x.toLowerCase())] = v;
  }
  return Object.keys(out).length ? out : null;
}

export function signOut() { sessionStorage.removeItem(AUTH_KEY); }
