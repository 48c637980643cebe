// The official neo4j-driver for JavaScript against `kg serve`: what tests/server/driver_basics.cjs
// does not cover — sessions and auto-commit, explicit transactions (commit, rollback, failure
// inside), isolation between sessions, managed transactions waiting for the writer, every error
// class as its Neo4j code, and authentication failure. Run by tests/server_js.rs.
// Usage: node sessions.cjs URL USER PASSWORD   (neo4j-driver found through NODE_PATH)
const neo4j = require('neo4j-driver')

const [url, user, password] = process.argv.slice(2)

function check (name, cond, detail) {
  if (!cond) throw new Error(`${name} failed: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`)
  console.log('ok', name)
}

async function expectCode (name, fn, code) {
  try {
    await fn()
  } catch (e) {
    check(name, e instanceof neo4j.Neo4jError && e.code === code, `${e.code}: ${e.message}`)
    return e
  }
  throw new Error(`${name} failed: no error, expected ${code}`)
}

const count = async (driver, q) =>
  (await driver.executeQuery(q)).records[0].get(0).toNumber()

async function main () {
  console.log('driver', require('neo4j-driver/package.json').version, 'url', url)

  // Authentication failure first: the right code, and a working driver afterwards.
  const bad = neo4j.driver(url, neo4j.auth.basic(user, password + '-wrong'))
  try {
    await expectCode('wrong password on verifyConnectivity', () => bad.verifyConnectivity(),
      'Neo.ClientError.Security.Unauthorized')
    await expectCode('wrong password on executeQuery', () => bad.executeQuery('RETURN 1'),
      'Neo.ClientError.Security.Unauthorized')
  } finally {
    await bad.close()
  }
  const nobody = neo4j.driver(url, neo4j.auth.basic('nobody', password))
  try {
    await expectCode('unknown user', () => nobody.verifyConnectivity(), 'Neo.ClientError.Security.Unauthorized')
  } finally {
    await nobody.close()
  }

  const driver = neo4j.driver(url, neo4j.auth.basic(user, password), { maxTransactionRetryTime: 30000 })
  try {
    await driver.verifyConnectivity()
    const info = await driver.getServerInfo()
    check('verifyConnectivity and getServerInfo', info.agent.startsWith('Neo4j/') && info.protocolVersion >= 5, info)
    await driver.executeQuery('MATCH (n) DETACH DELETE n')

    // Auto-commit through session.run, with parameters of several types.
    const s = driver.session()
    try {
      const r = await s.run('CREATE (n:T {name: $name, n: $n, f: $f, ok: $ok, tags: $tags, none: $none}) RETURN n',
        { name: 'auto', n: neo4j.int(42), f: 2.5, ok: true, tags: ['a', 'b'], none: null })
      const n = r.records[0].get('n')
      check('session.run node', n.properties.name === 'auto' && n.properties.n.toNumber() === 42 &&
        n.properties.f === 2.5 && n.properties.ok === true && n.properties.tags.join() === 'a,b' &&
        !('none' in n.properties), n.properties)
      check('session.run counters', r.summary.counters.updates().nodesCreated === 1 &&
        r.summary.counters.updates().propertiesSet === 5, r.summary.counters.updates())
      check('summary query type', r.summary.queryType === 'rw' || r.summary.queryType === 'w', r.summary.queryType)
      const id = (await s.run('MATCH (n:T {name: "auto"}) RETURN elementId(n) AS id')).records[0].get('id')
      check('elementId matches hydration', id === n.elementId, `${id} vs ${n.elementId}`)
      // Streaming with the reactive-style subscribe API.
      const seen = []
      await new Promise((resolve, reject) => s.run('UNWIND range(1, 5) AS i RETURN i').subscribe({
        onNext: rec => seen.push(rec.get('i').toNumber()),
        onCompleted: resolve,
        onError: reject
      }))
      check('subscribe', seen.join() === '1,2,3,4,5', seen)
    } finally {
      await s.close()
    }

    // A two-hop path in both directions of travel.
    await driver.executeQuery("CREATE (:P {i: 1})-[:R {w: 1}]->(:P {i: 2})<-[:R {w: 2}]-(:P {i: 3})")
    const path = (await driver.executeQuery(
      'MATCH p = (:P {i: 1})-[:R]->(:P {i: 2})<-[:R]-(:P {i: 3}) RETURN p')).records[0].get('p')
    check('path of two segments', neo4j.isPath(path) && path.length === 2 &&
      path.segments[0].start.properties.i.toNumber() === 1 &&
      path.segments[1].start.properties.i.toNumber() === 2 &&
      path.segments[1].end.properties.i.toNumber() === 3 &&
      path.segments[1].relationship.properties.w.toNumber() === 2 &&
      path.segments[1].relationship.startNodeElementId === path.end.elementId, path)

    // executeQuery routed to readers, with a result transformer.
    const names = await driver.executeQuery('MATCH (n:T) RETURN n.name AS name', {},
      { routing: neo4j.routing.READ, resultTransformer: neo4j.resultTransformers.mappedResultTransformer({ map: r => r.get('name') }) })
    check('executeQuery READ with transformer', names.records.join() === 'auto', names)
    await expectCode('executeQuery READ refuses a write', () =>
      driver.executeQuery('CREATE (:Nope)', {}, { routing: neo4j.routing.READ }), 'Neo.ClientError.Statement.AccessMode')
    check('refused write left nothing', await count(driver, 'MATCH (n:Nope) RETURN count(n)') === 0, '')

    // Explicit transactions: commit, rollback, and isolation from another session while open.
    const a = driver.session()
    const b = driver.session()
    try {
      let tx = a.beginTransaction()
      await tx.run('CREATE (:X {v: 1}), (:X {v: 2})')
      const inside = (await tx.run('MATCH (x:X) RETURN count(x) AS c')).records[0].get('c').toNumber()
      check('own writes visible inside the transaction', inside === 2, inside)
      const outside = (await b.run('MATCH (x:X) RETURN count(x) AS c')).records[0].get('c').toNumber()
      check('uncommitted writes invisible to another session', outside === 0, outside)
      await tx.commit()
      check('committed writes visible', await count(driver, 'MATCH (x:X) RETURN count(x)') === 2, '')

      tx = a.beginTransaction()
      await tx.run('CREATE (:X {v: 3})')
      await tx.rollback()
      check('rolled-back writes gone', await count(driver, 'MATCH (x:X) RETURN count(x)') === 2, '')

      // A failure inside an explicit transaction: the transaction is over, nothing of it stays,
      // and the session works afterwards.
      tx = a.beginTransaction()
      await tx.run('CREATE (:X {v: 4})')
      await expectCode('error inside a transaction', () => tx.run('RETURN 1 / 0'),
        'Neo.ClientError.Statement.ArgumentError')
      await tx.close()
      check('failed transaction left nothing', await count(driver, 'MATCH (x:X) RETURN count(x)') === 2, '')
      check('session usable after failure',
        (await a.run('RETURN 7 AS x')).records[0].get('x').toNumber() === 7, '')

      // A managed write waits for another session's open write transaction and then succeeds.
      tx = b.beginTransaction()
      await tx.run('CREATE (:X {v: 5})')
      const started = Date.now()
      const pending = a.executeWrite(t => t.run('MATCH (x:X) RETURN count(x) AS c'))
        .then(() => a.executeWrite(async t => {
          await t.run('CREATE (:X {v: 6})')
          return (await t.run('MATCH (x:X) RETURN count(x) AS c')).records[0].get('c').toNumber()
        }))
      await new Promise(resolve => setTimeout(resolve, 500))
      await tx.commit()
      const seenByWriter = await pending
      check('managed write after another commit sees it', seenByWriter === 4, `${seenByWriter} after ${Date.now() - started} ms`)

      // Managed transaction retry: a transient failure thrown by the work is retried.
      let attempts = 0
      const v = await a.executeWrite(async t => {
        attempts++
        await t.run('CREATE (:Retry {attempt: $n})', { n: attempts })
        if (attempts < 3) {
          throw new neo4j.Neo4jError('try again', 'Neo.TransientError.Transaction.DeadlockDetected')
        }
        return attempts
      })
      check('executeWrite retries transient errors', v === 3 && attempts === 3, attempts)
      const kept = (await driver.executeQuery('MATCH (r:Retry) RETURN collect(r.attempt) AS a')).records[0].get('a')
      check('only the successful attempt is kept', kept.length === 1 && Number(kept[0]) === 3, kept)

      // executeRead refuses writes.
      await expectCode('executeRead refuses a write', () => a.executeRead(t => t.run('CREATE (:Nope)')),
        'Neo.ClientError.Statement.AccessMode')
    } finally {
      await a.close()
      await b.close()
    }

    // Every error class as its code, and a failed statement writes nothing.
    await driver.executeQuery('CREATE CONSTRAINT u_k IF NOT EXISTS FOR (n:U) REQUIRE n.k IS UNIQUE')
    await driver.executeQuery('CREATE (:U {k: 1})')
    const cases = [
      ['syntax error', 'MATCH (n RETURN n', 'Neo.ClientError.Statement.SyntaxError'],
      ['undefined variable', 'RETURN nowhere', 'Neo.ClientError.Statement.SyntaxError'],
      ['type error', 'RETURN 1 + true', 'Neo.ClientError.Statement.TypeError'],
      ['argument error', 'RETURN range(1, 2, 0)', 'Neo.ClientError.Statement.ArgumentError'],
      ['missing parameter', 'RETURN $nope', 'Neo.ClientError.Statement.ParameterMissing'],
      ['constraint violation', 'UNWIND [2, 1] AS k CREATE (:U {k: k})', 'Neo.ClientError.Schema.ConstraintValidationFailed'],
      ['unknown procedure', 'CALL no.such.proc()', 'Neo.ClientError.Procedure.ProcedureNotFound']
    ]
    for (const [name, q, code] of cases) {
      const e = await expectCode(name, () => driver.executeQuery(q), code)
      check(`${name} not retriable`, !e.retriable, e.retriable)
    }
    const e = await expectCode('message keeps the position', () => driver.executeQuery('RETURN 1 +'),
      'Neo.ClientError.Statement.SyntaxError')
    check('position in message', /line 1, column \d+/.test(e.message), e.message)
    check('constraint violation wrote nothing',
      await count(driver, 'MATCH (u:U) RETURN count(u)') === 1, '')
  } finally {
    await driver.close()
  }
  console.log('all checks passed')
}

main().catch(e => { console.error(e); process.exit(1) })
