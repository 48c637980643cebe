// The official neo4j-driver for JavaScript against `kg serve` (run by tests/server_bolt.rs).
// Usage: node driver_basics.cjs URL USER PASSWORD   (neo4j-driver found through NODE_PATH)
const neo4j = require('neo4j-driver')

const [url, user, password] = process.argv.slice(2)

function check (name, cond, detail) {
  if (!cond) throw new Error(`${name} failed: ${detail}`)
  console.log('ok', name)
}

async function main () {
  console.log('driver', require('neo4j-driver/package.json').version, 'url', url)
  const driver = neo4j.driver(url, neo4j.auth.basic(user, password))
  try {
    const info = await driver.getServerInfo()
    check('server agent', info.agent.startsWith('Neo4j/'), info.agent)
    await driver.executeQuery('MATCH (n) DETACH DELETE n')

    const { records, summary, keys } = await driver.executeQuery(
      'CREATE (a:Person {name: $a})-[r:KNOWS {since: 2020}]->(b:Person {name: $b}) RETURN a, r, b',
      { a: 'Ada', b: 'Bob' })
    const c = summary.counters.updates()
    check('counters', c.nodesCreated === 2 && c.relationshipsCreated === 1, JSON.stringify(c))
    check('keys', keys.join(',') === 'a,r,b', keys)
    const a = records[0].get('a')
    const r = records[0].get('r')
    check('node', neo4j.isNode(a) && a.labels[0] === 'Person' && a.properties.name === 'Ada', a)
    check('relationship', neo4j.isRelationship(r) && r.type === 'KNOWS' &&
      r.startNodeElementId === a.elementId, r)

    const paths = await driver.executeQuery(
      "MATCH p = (:Person {name: 'Bob'})<-[:KNOWS]-(:Person {name: 'Ada'}) RETURN p")
    const p = paths.records[0].get('p')
    check('path', neo4j.isPath(p) && p.start.properties.name === 'Bob' && p.end.properties.name === 'Ada' &&
      p.segments.length === 1, p)

    const t = (await driver.executeQuery(
      "RETURN date('2026-06-30') AS d, localtime('12:34:56.789') AS lt, time('12:34:56+01:00') AS t, " +
      "localdatetime('2026-06-30T12:34:56') AS ldt, datetime('2026-06-30T12:34:56-05:00') AS dt, " +
      "datetime('2026-01-15T08:00[Europe/Stockholm]') AS dz, duration('P1Y2M3DT4H5M6.7S') AS du")).records[0]
    check('date', t.get('d').toString() === '2026-06-30', t.get('d'))
    check('localtime', t.get('lt').toString() === '12:34:56.789000000', t.get('lt'))
    check('time', t.get('t').toString() === '12:34:56+01:00', t.get('t'))
    check('localdatetime', t.get('ldt').toString() === '2026-06-30T12:34:56', t.get('ldt'))
    check('datetime', t.get('dt').toString() === '2026-06-30T12:34:56-05:00', t.get('dt'))
    check('datetime zone', t.get('dz').timeZoneId === 'Europe/Stockholm' && t.get('dz').hour.toNumber() === 8,
      t.get('dz'))
    check('duration', t.get('du').months.toNumber() === 14 && t.get('du').days.toNumber() === 3, t.get('du'))

    const params = {
      i: neo4j.int('9007199254740993'),
      f: 1.5,
      s: 'héllo 世界',
      l: [1, 'two', null],
      m: { k: [true] },
      d: new neo4j.types.Date(1969, 7, 20),
      dt: new neo4j.types.DateTime(2026, 3, 29, 2, 30, 0, 5, 3600),
      dz: new neo4j.types.DateTime(2026, 11, 1, 1, 30, 0, 0, undefined, 'America/New_York'),
      du: new neo4j.types.Duration(1, 2, 3, 4)
    }
    const back = (await driver.executeQuery('RETURN $p AS p', { p: params })).records[0].get('p')
    check('int64 parameter', back.i.toString() === '9007199254740993', back.i)
    check('string parameter', back.s === params.s, back.s)
    // JavaScript numbers travel as floats.
    check('list parameter', JSON.stringify(back.l) === JSON.stringify([1, 'two', null]), back.l)
    for (const k of ['d', 'dt', 'du']) {
      check(`parameter ${k}`, back[k].toString() === params[k].toString(), `${params[k]} came back as ${back[k]}`)
    }
    // A zoned date-time sent without its offset comes back with it (the earlier one in the
    // autumn overlap, as the driver resolved it).
    const dz = back.dz
    check('parameter dz', dz.timeZoneId === 'America/New_York' && dz.day.toNumber() === 1 &&
      dz.hour.toNumber() === 1 && dz.minute.toNumber() === 30, `${params.dz} came back as ${dz}`)

    const session = driver.session()
    try {
      const n = await session.executeWrite(async tx => {
        await tx.run('MERGE (c:Counter {id: 1}) SET c.n = coalesce(c.n, 0) + 1')
        const res = await tx.run('MATCH (c:Counter {id: 1}) RETURN c.n AS n')
        return res.records[0].get('n').toNumber()
      })
      check('executeWrite', n === 1, n)
      const many = await session.run('UNWIND range(1, 2500) AS i RETURN i')
      check('paged result', many.records.length === 2500, many.records.length)
    } finally {
      await session.close()
    }

    try {
      await driver.executeQuery('MATCH (n RETURN n')
      throw new Error('no error for bad syntax')
    } catch (e) {
      check('syntax error', e.code === 'Neo.ClientError.Statement.SyntaxError', e.code)
    }
  } finally {
    await driver.close()
  }
  console.log('all checks passed')
}

main().catch(e => { console.error(e); process.exit(1) })
