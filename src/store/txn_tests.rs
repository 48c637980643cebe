//! A batch of `CALL { } IN TRANSACTIONS` goes on with the block cache of the batch before it
//! (`Txn::commit_batch`): these check that what it reads from that cache is what the commit
//! left, block by block, bitmap by bitmap, and index delta by index delta.

use super::*;
use crate::model::Properties;
use crate::store::{GraphRead, GraphWrite};
use crate::value::Value;

fn props(v: i64) -> Properties {
    [("v".to_string(), Value::Int(v))].into_iter().collect()
}

/// Every node's labels and `v` as `t` sees them.
fn snapshot(t: &Txn, nodes: u64) -> Vec<Option<(Vec<String>, Option<Value>)>> {
    (0..nodes)
        .map(|id| {
            t.node(id).unwrap().map(|n| {
                let mut labels = n.labels.clone();
                labels.sort();
                (labels, n.properties.get("v").cloned())
            })
        })
        .collect()
}

#[test]
fn a_batch_reads_what_the_batch_before_it_committed() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    for i in 0..200 {
        let label = if i < 100 { "P" } else { "Q" };
        t.create_node(&[label.into()], props(i)).unwrap();
    }
    t.commit().unwrap();

    let mut t = store.begin();
    t.write_access().unwrap();
    // Read twice, so the cache holds node 3's block and label Q's bitmap around node 3.
    for _ in 0..2 {
        assert_eq!(t.node_property(3, "v").unwrap(), Some(Value::Int(3)));
        assert!(!t.node_has_label(3, "Q").unwrap());
        assert!(t.node_exists(4).unwrap());
    }
    let before = store.generation();
    assert!(t.blocks.cached(before, &keys::node_block(3)).is_some());
    t.set_node_property(3, "v", Value::Int(99)).unwrap();
    t.add_label(3, "Q").unwrap();
    t.delete_node(4).unwrap();
    t.commit_batch().unwrap();

    // The cache went on to the commit's generation (it was not dropped) ...
    assert_eq!(store.generation(), before + 1);
    assert!(matches!(
        t.blocks.cached(store.generation(), &keys::node_block(3)),
        Some(Some(_))
    ));
    // ... and answers with the committed bytes, as a fresh transaction reading sled does.
    assert_eq!(t.node_property(3, "v").unwrap(), Some(Value::Int(99)));
    assert!(t.node_has_label(3, "Q").unwrap());
    assert!(!t.node_exists(4).unwrap());
    assert_eq!(snapshot(&t, 200), snapshot(&store.begin(), 200));

    // A second batch writes over the carried blocks again.
    t.set_node_property(5, "v", Value::Int(-5)).unwrap();
    t.remove_label(3, "P").unwrap();
    t.commit_batch().unwrap();
    assert_eq!(snapshot(&t, 200), snapshot(&store.begin(), 200));
    t.commit().unwrap();
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn a_commit_by_another_transaction_retires_the_cache() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    t.create_node(&["P".into()], props(1)).unwrap();
    t.commit().unwrap();
    let r = store.begin();
    for _ in 0..2 {
        assert_eq!(r.node_property(0, "v").unwrap(), Some(Value::Int(1)));
    }
    let mut w = store.begin();
    w.set_node_property(0, "v", Value::Int(2)).unwrap();
    w.commit().unwrap();
    assert_eq!(r.node_property(0, "v").unwrap(), Some(Value::Int(2)));
}

/// The batch after one that committed index deltas (too few to fold) finds them: its answer
/// to "are there committed deltas" is not the one cached before they were committed.
#[test]
fn merge_in_batches_finds_deltas_the_batch_before_committed() {
    let db = crate::db::Database::open_in_memory().unwrap();
    let run = |q: &str| db.run(q, &crate::db::Params::new()).unwrap();
    run("CREATE INDEX p_id FOR (n:P) ON (n.id)");
    let r = run(
        "UNWIND [1, 1, 2, 1, 2, 3] AS i CALL (i) { MERGE (:P {id: i}) } IN TRANSACTIONS OF 1 ROWS",
    );
    assert_eq!(r.stats.nodes_created, 3);
    let deltas = db.store().begin().kv_scan(&[keys::P_INDEX_DELTA]).count();
    assert_eq!(deltas, 3, "the batches' index entries stayed deltas");
    let r = run("MATCH (n:P) RETURN count(n), count(DISTINCT n.id)");
    assert_eq!(r.rows[0], vec![Value::Int(3), Value::Int(3)]);
    assert!(db.store().check().unwrap().is_clean());
}
