// Many sessions of the official neo4j-driver at once against `kg serve` (run by
// tests/server_js.rs). Usage: node concurrency.cjs URL USER PASSWORD CLIENTS SECONDS
//
// Each of CLIENTS sessions (each its own Bolt connection) loops for SECONDS: it either writes
// a pair of :Pair nodes in one managed transaction (acknowledged when executeWrite resolves)
// or reads — the number of :Pair nodes must always be even and no :Pending node may ever be
// seen. Another session keeps an explicit transaction open with a :Pending node and rolls it
// back. Afterwards every acknowledged pair is present, and nothing else.
const neo4j = require('neo4j-driver')

const [url, user, password, clientsArg, secondsArg] = process.argv.slice(2)
const clients = Number(clientsArg)
const stopAt = Date.now() + Number(secondsArg) * 1000

const acked = []
const errors = []
let reads = 0
let writes = 0

async function client (driver, i) {
  const session = driver.session()
  try {
    while (Date.now() < stopAt) {
      try {
        if (Math.random() < 0.5) {
          const id = `${i}-${writes++}`
          await session.executeWrite(async tx => {
            await tx.run('CREATE (:Pair {id: $id, half: 1})', { id })
            await tx.run('CREATE (:Pair {id: $id, half: 2})', { id })
          })
          acked.push(id)
        } else {
          const rec = (await session.executeRead(tx => tx.run(
            'MATCH (p:Pair) WITH count(p) AS pairs OPTIONAL MATCH (q:Pending) RETURN pairs, count(q) AS pending'
          ))).records[0]
          const pairs = rec.get('pairs').toNumber()
          const pending = rec.get('pending').toNumber()
          if (pairs % 2 !== 0) errors.push(`client ${i} saw an odd number of :Pair nodes: ${pairs}`)
          if (pending !== 0) errors.push(`client ${i} saw an uncommitted :Pending node`)
          reads++
        }
      } catch (e) {
        errors.push(`client ${i}: ${e.code} ${e.message}`)
        return
      }
    }
  } finally {
    await session.close()
  }
}

async function pendingWriter (driver) {
  const session = driver.session()
  try {
    while (Date.now() < stopAt) {
      const tx = session.beginTransaction()
      await tx.run('CREATE (:Pending), (:Pending)')
      await new Promise(resolve => setTimeout(resolve, 30))
      await tx.rollback()
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  } catch (e) {
    errors.push(`pending writer: ${e.code} ${e.message}`)
  } finally {
    await session.close()
  }
}

async function main () {
  const driver = neo4j.driver(url, neo4j.auth.basic(user, password),
    { maxConnectionPoolSize: clients + 4, maxTransactionRetryTime: 60000 })
  try {
    await driver.verifyConnectivity()
    const all = [pendingWriter(driver)]
    for (let i = 0; i < clients; i++) all.push(client(driver, i))
    await Promise.all(all)
    if (errors.length) {
      console.log(errors.slice(0, 20).join('\n'))
      throw new Error(`${errors.length} errors`)
    }
    const { records } = await driver.executeQuery(
      'MATCH (p:Pair) RETURN collect(DISTINCT p.id) AS ids, count(p) AS n')
    const present = new Set(records[0].get('ids'))
    const missing = acked.filter(id => !present.has(id))
    if (missing.length) throw new Error(`${missing.length} acknowledged pairs missing, e.g. ${missing[0]}`)
    if (present.size !== acked.length) throw new Error(`${present.size} pairs present, ${acked.length} acknowledged`)
    if (records[0].get('n').toNumber() !== 2 * acked.length) throw new Error(`${records[0].get('n')} :Pair nodes`)
    const pending = (await driver.executeQuery('MATCH (q:Pending) RETURN count(q) AS n')).records[0].get('n').toNumber()
    if (pending !== 0) throw new Error(`${pending} :Pending nodes after their rollbacks`)
    if (reads < clients || acked.length < clients) throw new Error(`too little done: ${acked.length} pairs, ${reads} reads`)
    console.log(`${clients} sessions, ${secondsArg} s: ${acked.length} pairs written, ${reads} reads`)
  } finally {
    await driver.close()
  }
  console.log('all checks passed')
}

main().catch(e => { console.error(e); process.exit(1) })
