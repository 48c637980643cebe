//! Store CRUD, transactions (read-your-writes, rollback, checkpoints), persistence, indexes.

use kgstore::db::OpenOptions;
use kgstore::error::{Error, ErrorClass, StoreError};
use kgstore::model::{Direction, Properties};
use kgstore::store::{GraphRead, GraphWrite, IndexDef, Store};
use kgstore::Value;

fn props(kv: &[(&str, Value)]) -> Properties {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn labels(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| s.to_string()).collect()
}

fn query_class(e: &Error) -> Option<(ErrorClass, String)> {
    e.as_query().map(|q| (q.class, q.detail.clone()))
}

#[test]
fn node_and_relationship_crud() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t
        .create_node(
            &labels(&["Company", "Lab"]),
            props(&[("name", "DeepSeek".into()), ("founded", Value::Int(2023))]),
        )
        .unwrap();
    let b = t
        .create_node(&labels(&["Investor"]), props(&[("name", "HF".into())]))
        .unwrap();
    let r = t
        .create_relationship("INVESTED_IN", b, a, props(&[("amount", Value::Float(1.5))]))
        .unwrap();
    // read-your-writes before commit
    let n = t.node(a).unwrap().unwrap();
    assert_eq!(n.labels, vec!["Company", "Lab"]);
    assert_eq!(n.properties["name"], Value::from("DeepSeek"));
    let rel = t.relationship(r).unwrap().unwrap();
    assert_eq!(
        (rel.rel_type.as_str(), rel.start, rel.end),
        ("INVESTED_IN", b, a)
    );
    assert_eq!(t.edges(b, Direction::Outgoing, &[]).unwrap().len(), 1);
    assert_eq!(t.edges(a, Direction::Outgoing, &[]).unwrap().len(), 0);
    let e = t.edges(a, Direction::Incoming, &["INVESTED_IN"]).unwrap();
    assert_eq!((e[0].rel, e[0].other, e[0].outgoing), (r, b, false));
    assert_eq!(t.degree(a, Direction::Both, &["OTHER"]).unwrap(), 0);
    t.commit().unwrap();

    let mut t = store.begin();
    assert!(t
        .set_node_property(a, "name", "DeepSeek AI".into())
        .unwrap());
    assert!(!t
        .set_node_property(a, "name", "DeepSeek AI".into())
        .unwrap());
    assert!(t.set_node_property(a, "founded", Value::Null).unwrap());
    assert!(t.add_label(b, "Fund").unwrap());
    assert!(!t.add_label(b, "Fund").unwrap());
    assert!(t.remove_label(a, "Lab").unwrap());
    assert!(t
        .set_relationship_property(r, "year", Value::Int(2025))
        .unwrap());
    t.commit().unwrap();

    let t = store.begin();
    let n = t.node(a).unwrap().unwrap();
    assert_eq!(n.labels, vec!["Company"]);
    assert_eq!(n.properties.len(), 1);
    assert_eq!(
        t.node_property(a, "name").unwrap(),
        Some("DeepSeek AI".into())
    );
    assert_eq!(
        t.relationship_property(r, "year").unwrap(),
        Some(Value::Int(2025))
    );
    assert!(t.node_has_label(b, "Fund").unwrap());
    let lab: Vec<u64> = t
        .nodes_with_label("Lab")
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert!(lab.is_empty());
    assert_eq!(t.node_count().unwrap(), 2);
    drop(t);

    let mut t = store.begin();
    let err = t.delete_node(a).unwrap_err();
    assert_eq!(
        query_class(&err),
        Some((
            ErrorClass::ConstraintVerificationFailed,
            "DeleteConnectedNode".into()
        ))
    );
    assert!(t.delete_relationship(r).unwrap());
    assert!(t.delete_node(a).unwrap());
    assert!(!t.delete_node(a).unwrap());
    t.commit().unwrap();
    let t = store.begin();
    assert_eq!(t.node(a).unwrap(), None);
    assert_eq!(t.relationship(r).unwrap(), None);
    assert_eq!(t.edges(b, Direction::Both, &[]).unwrap(), vec![]);
    assert_eq!(t.node_count().unwrap(), 1);
    assert_eq!(t.relationship_count().unwrap(), 0);
    let ids: Vec<u64> = t.node_ids().unwrap().map(|x| x.unwrap()).collect();
    assert_eq!(ids, vec![b]);
}

#[test]
fn relationship_to_missing_node_and_unstorable_value_fail() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t.create_node(&[], Properties::new()).unwrap();
    let err = t
        .create_relationship("R", a, 999, Properties::new())
        .unwrap_err();
    assert_eq!(
        query_class(&err).map(|c| c.0),
        Some(ErrorClass::EntityNotFound)
    );
    let err = t.set_node_property(a, "x", Value::NodeRef(a)).unwrap_err();
    assert_eq!(query_class(&err).map(|c| c.0), Some(ErrorClass::TypeError));
}

#[test]
fn self_loops_and_edge_order() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t.create_node(&[], Properties::new()).unwrap();
    let b = t.create_node(&[], Properties::new()).unwrap();
    let r1 = t.create_relationship("T", a, a, Properties::new()).unwrap();
    let r2 = t.create_relationship("S", a, b, Properties::new()).unwrap();
    let r3 = t.create_relationship("T", b, a, Properties::new()).unwrap();
    let both = t.edges(a, Direction::Both, &[]).unwrap();
    let rels: Vec<u64> = both.iter().map(|e| e.rel).collect();
    // type T was interned first, then S; within a type by relationship id
    assert_eq!(rels, vec![r1, r3, r2]);
    assert_eq!(t.degree(a, Direction::Both, &[]).unwrap(), 3);
    assert_eq!(t.degree(a, Direction::Outgoing, &[]).unwrap(), 2);
    assert_eq!(t.degree(a, Direction::Incoming, &["T"]).unwrap(), 2);
}

#[test]
fn rollback_by_drop_and_checkpoints() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    t.create_node(&labels(&["A"]), Properties::new()).unwrap();
    drop(t);
    let t = store.begin();
    assert_eq!(t.node_count().unwrap(), 0);
    drop(t);

    let mut t = store.begin();
    let a = t
        .create_node(&labels(&["A"]), props(&[("x", Value::Int(1))]))
        .unwrap();
    let cp = t.checkpoint();
    t.set_node_property(a, "x", Value::Int(2)).unwrap();
    let b = t.create_node(&labels(&["B"]), Properties::new()).unwrap();
    t.create_relationship("R", a, b, Properties::new()).unwrap();
    t.restore(cp);
    assert_eq!(t.node_property(a, "x").unwrap(), Some(Value::Int(1)));
    assert_eq!(t.node(b).unwrap(), None);
    assert_eq!(t.degree(a, Direction::Both, &[]).unwrap(), 0);
    assert_eq!(t.node_count().unwrap(), 1);
    // labels and types created after the checkpoint are forgotten too, and can be re-created
    let c = t.create_node(&labels(&["B"]), Properties::new()).unwrap();
    t.commit().unwrap();
    let t = store.begin();
    assert_eq!(t.node(c).unwrap().unwrap().labels, vec!["B"]);
    assert_eq!(t.node_count().unwrap(), 2);
    assert!(store.generation() > 1);
}

#[test]
fn indexes_and_unique_constraints() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t
        .create_node(&labels(&["C"]), props(&[("v", Value::Int(1))]))
        .unwrap();
    let b = t
        .create_node(&labels(&["C"]), props(&[("v", Value::Float(1.0))]))
        .unwrap();
    let c = t
        .create_node(&labels(&["C"]), props(&[("v", "1".into())]))
        .unwrap();
    t.create_index(
        IndexDef {
            name: "c_v".into(),
            label: "C".into(),
            property: "v".into(),
            unique: false,
            kind: Default::default(),
        },
        false,
    )
    .unwrap();
    assert_eq!(
        t.index_lookup("C", "v", &Value::Int(1)).unwrap(),
        Some(vec![a, b])
    );
    assert_eq!(
        t.index_lookup("C", "v", &"1".into()).unwrap(),
        Some(vec![c])
    );
    assert_eq!(t.index_lookup("C", "w", &Value::Int(1)).unwrap(), None);
    t.set_node_property(a, "v", Value::Int(2)).unwrap();
    assert_eq!(
        t.index_lookup("C", "v", &Value::Int(1)).unwrap(),
        Some(vec![b])
    );
    assert!(t
        .create_index(
            IndexDef {
                name: "c_v".into(),
                label: "C".into(),
                property: "v".into(),
                unique: false,
                kind: Default::default(),
            },
            true,
        )
        .is_ok());
    t.commit().unwrap();

    let mut t = store.begin();
    t.create_index(
        IndexDef {
            name: "u".into(),
            label: "U".into(),
            property: "k".into(),
            unique: true,
            kind: Default::default(),
        },
        false,
    )
    .unwrap();
    let x = t
        .create_node(&labels(&["U"]), props(&[("k", "a".into())]))
        .unwrap();
    let err = t
        .create_node(&labels(&["U"]), props(&[("k", "a".into())]))
        .unwrap_err();
    assert_eq!(
        query_class(&err).map(|c| c.0),
        Some(ErrorClass::ConstraintVerificationFailed)
    );
    let y = t.create_node(&[], props(&[("k", "a".into())])).unwrap();
    assert!(t.add_label(y, "U").is_err());
    t.set_node_property(x, "k", "b".into()).unwrap();
    assert!(t.add_label(y, "U").unwrap());
    t.commit().unwrap();
    let t = store.begin();
    assert_eq!(
        t.index_lookup("U", "k", &"a".into()).unwrap(),
        Some(vec![y])
    );
    assert_eq!(t.indexes().unwrap().len(), 2);
    drop(t);
    let mut t = store.begin();
    t.drop_index("c_v", false).unwrap();
    assert!(t.drop_index("c_v", false).is_err());
    t.commit().unwrap();
    assert_eq!(
        store
            .begin()
            .index_lookup("C", "v", &Value::Int(1))
            .unwrap(),
        None
    );
}

#[test]
fn persistence_across_reopen_and_format_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..Default::default()
    };
    let (a, r) = {
        let store = Store::open(&path, &opts).unwrap();
        let mut t = store.begin();
        let a = t
            .create_node(&labels(&["P"]), props(&[("name", "x".into())]))
            .unwrap();
        let r = t
            .create_relationship("SELF", a, a, Properties::new())
            .unwrap();
        t.create_index(
            IndexDef {
                name: "p".into(),
                label: "P".into(),
                property: "name".into(),
                unique: true,
                kind: Default::default(),
            },
            false,
        )
        .unwrap();
        t.commit().unwrap();
        (a, r)
    };
    {
        let store = Store::open(&path, &opts).unwrap();
        let t = store.begin();
        assert_eq!(t.node(a).unwrap().unwrap().labels, vec!["P"]);
        assert_eq!(t.relationship(r).unwrap().unwrap().rel_type, "SELF");
        assert_eq!(
            t.index_lookup("P", "name", &"x".into()).unwrap(),
            Some(vec![a])
        );
        let stats = t.stats().unwrap();
        assert_eq!(stats.labels, vec![("P".to_string(), 1)]);
        // a second open of the same directory is refused while the first is alive
        let err = Store::open(&path, &opts).unwrap_err();
        assert!(
            matches!(err, Error::Store(StoreError::Locked { .. })),
            "{err}"
        );
        // new ids never collide with old ones
        drop(t);
        let mut t = store.begin();
        let b = t.create_node(&[], Properties::new()).unwrap();
        assert_ne!(a, b);
        t.commit().unwrap();
    }
    // pretend a newer kgstore wrote it
    {
        let db = sled::open(&path).unwrap();
        db.insert(b"\x00format", &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&path, &opts).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        Error::Store(StoreError::NewerFormat { found: 99, .. })
    ));
    assert!(
        msg.contains("99") && msg.contains(&kgstore::store::FORMAT_VERSION.to_string()),
        "{msg}"
    );

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "hi").unwrap();
    let err = Store::open(&other, &opts).unwrap_err();
    assert!(err.to_string().contains("not a kgstore database"), "{err}");
}

#[test]
fn index_over_every_node_follows_writes() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t
        .create_node(&labels(&["Lab"]), props(&[("name", "DeepSeek".into())]))
        .unwrap();
    let b = t
        .create_node(&labels(&[]), props(&[("name", "DeepSeek".into())]))
        .unwrap();
    let def = IndexDef {
        name: "any_name".into(),
        label: String::new(),
        property: "name".into(),
        unique: false,
        kind: Default::default(),
    };
    t.create_index(def, false).unwrap();
    t.commit().unwrap();

    let mut t = store.begin();
    let found = |t: &kgstore::store::Txn, v: &str| {
        let mut ids = t
            .index_lookup("", "name", &Value::from(v))
            .unwrap()
            .unwrap();
        ids.sort();
        ids
    };
    assert_eq!(found(&t, "DeepSeek"), vec![a, b]);
    // A label change neither adds nor drops entries; property changes and deletes do.
    t.add_label(b, "Investor").unwrap();
    t.remove_label(a, "Lab").unwrap();
    assert_eq!(found(&t, "DeepSeek"), vec![a, b]);
    t.set_node_property(a, "name", "Zhipu AI".into()).unwrap();
    t.delete_node(b).unwrap();
    let c = t
        .create_node(&labels(&["ChipMaker"]), props(&[("name", "MetaX".into())]))
        .unwrap();
    assert_eq!(found(&t, "DeepSeek"), Vec::<u64>::new());
    assert_eq!(found(&t, "Zhipu AI"), vec![a]);
    assert_eq!(found(&t, "MetaX"), vec![c]);
    t.commit().unwrap();
    // The empty label is not a label of the graph, and the store stays consistent.
    let t = store.begin();
    assert!(!t.labels().unwrap().iter().any(|l| l.is_empty()));
    assert!(t.indexes().unwrap().iter().any(|i| i.label.is_empty()));
    assert!(store.check().unwrap().is_clean());
}
