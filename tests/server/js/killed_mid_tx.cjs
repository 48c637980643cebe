// Opens an explicit transaction, writes :Orphan nodes in it, prints "in transaction" and then
// waits to be killed (run by tests/server_js.rs, which kills this process with SIGKILL).
// Usage: node killed_mid_tx.cjs URL USER PASSWORD
const neo4j = require('neo4j-driver')

const [url, user, password] = process.argv.slice(2)

async function main () {
  const driver = neo4j.driver(url, neo4j.auth.basic(user, password))
  const session = driver.session()
  const tx = session.beginTransaction()
  await tx.run('UNWIND range(1, 100) AS i CREATE (:Orphan {i: i})')
  const n = (await tx.run('MATCH (o:Orphan) RETURN count(o) AS n')).records[0].get('n').toNumber()
  console.log(`in transaction: ${n} orphans`)
  setInterval(() => {}, 1000)
}

main().catch(e => { console.error(e); process.exit(1) })
