//! The bulk loader: same graph as transactional writes, consistent across batches, merges
//! with existing data, honours indexes and unique constraints.

use kgstore::error::ErrorClass;
use kgstore::model::{Direction, Properties};
use kgstore::store::{GraphRead, GraphWrite, IndexDef, Store};
use kgstore::Value;

/// A deterministic pseudo-random graph: (labels per node, edges (type, from, to)).
fn graph(nodes: u64, rels: u64) -> Vec<(&'static str, u64, u64)> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..rels)
        .map(|_| {
            let t = ["OWNS", "SUPPLIES", "LISTED_ON"][(next() % 3) as usize];
            // skewed: low ids are hubs
            let a = (next() % nodes) * (next() % nodes) / nodes;
            let b = next() % nodes;
            (t, a, b)
        })
        .collect()
}

#[test]
fn bulk_load_matches_transactional_writes() {
    let (n, m) = (700u64, 5000u64);
    let edges = graph(n, m);
    let bulk_store = Store::open_temporary().unwrap();
    let tx_store = Store::open_temporary().unwrap();

    let mut bulk = bulk_store.bulk_loader().unwrap();
    bulk.set_batch_size(97, 1013); // several flushes, blocks split across them
    let mut t = tx_store.begin();
    for i in 0..n {
        let labels: &[&str] = if i % 3 == 0 {
            &["Company", "Lab"]
        } else {
            &["Person"]
        };
        let props = [
            ("id", Value::Int(i as i64)),
            ("name", Value::from(format!("n{i}"))),
        ];
        let a = bulk.add_node(labels, props.clone()).unwrap();
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let b = t
            .create_node(
                &labels,
                props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )
            .unwrap();
        assert_eq!(a, b);
    }
    for (i, (ty, a, b)) in edges.iter().enumerate() {
        let props = [("w", Value::Int(i as i64))];
        let r1 = bulk.add_relationship(ty, *a, *b, props.clone()).unwrap();
        let r2 = t
            .create_relationship(
                ty,
                *a,
                *b,
                props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )
            .unwrap();
        assert_eq!(r1, r2);
    }
    let report = bulk.finish().unwrap();
    assert_eq!((report.nodes, report.relationships), (n, m));
    assert!(report.batches >= 5, "{report:?}");
    t.commit().unwrap();

    let check = bulk_store.check().unwrap();
    assert!(check.is_clean(), "{check}");
    assert!(tx_store.check().unwrap().is_clean());

    let (x, y) = (bulk_store.begin(), tx_store.begin());
    assert_eq!(x.stats().unwrap(), y.stats().unwrap());
    for id in 0..n {
        assert_eq!(x.node(id).unwrap(), y.node(id).unwrap());
        for d in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            assert_eq!(x.edges(id, d, &[]).unwrap(), y.edges(id, d, &[]).unwrap());
            assert_eq!(
                x.degree(id, d, &["OWNS"]).unwrap(),
                y.degree(id, d, &["OWNS"]).unwrap()
            );
        }
    }
    for id in (0..m).step_by(37) {
        assert_eq!(x.relationship(id).unwrap(), y.relationship(id).unwrap());
    }
    let labs: Vec<u64> = x
        .nodes_with_label("Lab")
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(labs, (0..n).filter(|i| i % 3 == 0).collect::<Vec<_>>());
}

#[test]
fn bulk_load_appends_to_existing_data_and_indexes() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t
        .create_node(&["C".to_string()], Properties::new())
        .unwrap();
    let b = t
        .create_node(&["C".to_string()], Properties::new())
        .unwrap();
    t.create_relationship("R", a, b, Properties::new()).unwrap();
    t.create_index(
        IndexDef {
            name: "u".into(),
            label: "C".into(),
            property: "name".into(),
            unique: true,
            kind: Default::default(),
        },
        false,
    )
    .unwrap();
    t.commit().unwrap();

    let mut bulk = store.bulk_loader().unwrap();
    let c = bulk.add_node(&["C"], [("name", Value::from("x"))]).unwrap();
    bulk.add_relationship("R", a, c, Vec::<(&str, Value)>::new())
        .unwrap();
    bulk.add_relationship("R", c, a, Vec::<(&str, Value)>::new())
        .unwrap();
    let err = bulk
        .add_node(&["C"], [("name", Value::from("x"))])
        .unwrap_err();
    assert_eq!(
        err.as_query().map(|q| q.class),
        Some(ErrorClass::ConstraintVerificationFailed)
    );
    let err = bulk
        .add_relationship("R", a, 12345, Vec::<(&str, Value)>::new())
        .unwrap_err();
    assert_eq!(
        err.as_query().map(|q| q.class),
        Some(ErrorClass::EntityNotFound)
    );
    bulk.finish().unwrap();

    let t = store.begin();
    assert_eq!(
        t.index_lookup("C", "name", &"x".into()).unwrap(),
        Some(vec![c])
    );
    assert_eq!(t.degree(a, Direction::Outgoing, &["R"]).unwrap(), 2);
    assert_eq!(t.degree(a, Direction::Incoming, &[]).unwrap(), 1);
    assert_eq!(t.node_count().unwrap(), 3);
    drop(t);
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{report}");
    // a normal transaction after a bulk load still works (writer lock released)
    let mut t = store.begin();
    t.create_node(&[], Properties::new()).unwrap();
    t.commit().unwrap();
}
