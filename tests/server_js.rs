//! `kg serve` with the official JavaScript driver, `neo4j-driver` from npm (which nobody here
//! wrote): sessions, explicit and managed transactions, isolation, errors as Neo4j codes,
//! authentication failure, many sessions at once, and a client killed mid-transaction. The
//! driver's basics (hydration of every type, parameters) are in tests/server_bolt.rs.
//!
//! Needs `node` and `KG_NODE_PATH` (or `KG_NODE_MODULES`), a `node_modules` directory holding
//! `neo4j-driver` (`.ci/run` installs it); without it each test prints "skipped" and passes,
//! unless `KG_REQUIRE_DRIVERS` is set.

#[path = "support/serve.rs"]
mod serve;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serve::{kg_check, node_modules, run_client, script, KgServer};

fn node(modules: &Path, script_name: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(script(&format!("js/{script_name}")))
        .args(args)
        .env("NODE_PATH", modules);
    cmd
}

#[test]
fn js_driver_sessions_transactions_errors_and_auth() {
    let Some(modules) = node_modules("js_driver_sessions_transactions_errors_and_auth") else {
        return;
    };
    let server = KgServer::start(&["--auth", "neo4j:js-pw"]);
    for scheme in ["bolt", "neo4j"] {
        let url = format!("{scheme}://{}", server.bolt);
        let out = run_client(
            node(&modules, "sessions.cjs", &[&url, "neo4j", "js-pw"]),
            Duration::from_secs(60),
            &server,
        );
        eprintln!(
            "sessions.cjs {url}: {} checks",
            out.matches("\nok ").count()
        );
    }
}

#[test]
fn js_thirty_two_sessions_read_and_write_with_isolation() {
    let Some(modules) = node_modules("js_thirty_two_sessions_read_and_write_with_isolation") else {
        return;
    };
    let mut server = KgServer::start(&[]);
    let url = format!("bolt://{}", server.bolt);
    let out = run_client(
        node(
            &modules,
            "concurrency.cjs",
            &[&url, "neo4j", "x", "32", "10"],
        ),
        Duration::from_secs(50),
        &server,
    );
    eprintln!("{}", out.lines().next().unwrap_or(""));
    assert!(
        server.stop().is_some_and(|s| s.success()),
        "kg serve did not stop cleanly: {}",
        server.log()
    );
    kg_check(&server.db());
}

#[test]
fn js_client_killed_mid_transaction_leaves_nothing_behind() {
    let Some(modules) = node_modules("js_client_killed_mid_transaction_leaves_nothing_behind")
    else {
        return;
    };
    let server = KgServer::start(&[]);
    let url = format!("bolt://{}", server.bolt);
    let mut victim = node(&modules, "killed_mid_tx.cjs", &[&url, "neo4j", "x"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(victim.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("in transaction: 100 orphans"), "{line:?}");
    victim.kill().unwrap();
    victim.wait().unwrap();

    // Nothing of the killed transaction is visible, and the writer lock it held is free again
    // well before the transaction timeout: a new write commits at once.
    let out = run_client(
        {
            let mut cmd = Command::new("node");
            cmd.arg("-e")
                .arg(
                    "const neo4j = require('neo4j-driver');\
                     const d = neo4j.driver(process.argv[1], neo4j.auth.basic('neo4j', 'x'));\
                     (async () => {\
                       const t0 = Date.now();\
                       await d.executeQuery('CREATE (:After)');\
                       const n = (await d.executeQuery('MATCH (o:Orphan) RETURN count(o) AS n')).records[0].get('n').toNumber();\
                       console.log(`orphans ${n} write after ${Date.now() - t0} ms`);\
                       if (n !== 0) throw new Error('orphans left');\
                       await d.close(); console.log('all checks passed');\
                     })().catch(e => { console.error(e); process.exit(1) })",
                )
                .arg(&url)
                .env("NODE_PATH", &modules);
            cmd
        },
        Duration::from_secs(30),
        &server,
    );
    eprintln!("{}", out.lines().next().unwrap_or(""));
    let ms: u64 = out
        .split("write after ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(
        ms < 5000,
        "the write waited {ms} ms for a dead client's lock"
    );
}

/// A driver opening a pool logs on once per connection: only the first logon of a password
/// may pay the slow hash (600k PBKDF2 rounds, 0.3-0.7 s of CPU each here). Before, each of
/// 32 connections paid it and a fresh 32-client pool waited ~6 s for its first answers.
/// Measured against wrong passwords, which always pay it, with the same driver overhead.
#[test]
fn js_repeated_logons_pay_the_slow_hash_once() {
    let Some(modules) = node_modules("js_repeated_logons_pay_the_slow_hash_once") else {
        return;
    };
    let server = KgServer::start(&["--auth", "neo4j:logon-pw"]);
    let url = format!("bolt://{}", server.bolt);
    let mut cmd = Command::new("node");
    cmd.arg("-e")
        .arg(
            "const neo4j = require('neo4j-driver');\
             const connect = async pw => {\
               const d = neo4j.driver(process.argv[1], neo4j.auth.basic('neo4j', pw));\
               try { await d.verifyConnectivity() } catch (e) {\
                 if (e.code !== 'Neo.ClientError.Security.Unauthorized') throw e } finally { await d.close() }\
             };\
             const eight = async pw => { const t = Date.now(); for (let i = 0; i < 8; i++) await connect(pw); return Date.now() - t };\
             (async () => {\
               await connect('logon-pw');\
               const right = await eight('logon-pw');\
               const wrong = await eight('wrong-pw');\
               console.log(`8 logons ${right} ms, 8 wrong passwords ${wrong} ms`);\
               if (right >= 0.7 * wrong) throw new Error('every logon paid the slow hash');\
               console.log('all checks passed');\
             })().catch(e => { console.error(e); process.exit(1) })",
        )
        .arg(&url)
        .env("NODE_PATH", &modules);
    let out = run_client(cmd, Duration::from_secs(60), &server);
    eprintln!("{}", out.lines().next().unwrap_or(""));
}
