//! The store's catalog ids of the names an import numbered itself (`staging.rs`), asked of
//! the bulk loader once per name and then found by index: an entity's labels, type and
//! property keys cost no hashing of their names.

use crate::error::Result;
use crate::model::{NodeId, RelId};
use crate::store::BulkLoader;
use crate::value::Value;

use super::staging::Staging;

/// Catalog ids by the import's own name numbers; `None` until the name is first written (a
/// key whose values are all null never enters the catalog, as before).
#[derive(Default)]
pub(crate) struct CatalogIds {
    keys: Vec<Option<u32>>,
    labels: Vec<Option<u32>>,
    types: Vec<Option<u32>>,
    /// The current node's label ids (reused: no allocation per node).
    label_buf: Vec<u32>,
}

/// The id in `slot` for name number `i`, asked of `intern` the first time.
fn cached(
    slot: &mut Vec<Option<u32>>,
    i: u32,
    intern: impl FnOnce() -> Result<u32>,
) -> Result<u32> {
    let i = i as usize;
    if slot.len() <= i {
        slot.resize(i + 1, None);
    }
    match slot[i] {
        Some(id) => Ok(id),
        None => {
            let id = intern()?;
            slot[i] = Some(id);
            Ok(id)
        }
    }
}

impl CatalogIds {
    /// Property keys by the import's numbers → by catalog id, in place; null values dropped
    /// first, so that their keys are not interned.
    fn props(
        &mut self,
        bulk: &mut BulkLoader,
        s: &Staging,
        props: &mut Vec<(u32, Value)>,
    ) -> Result<()> {
        props.retain(|(_, v)| !v.is_null());
        for (k, _) in props.iter_mut() {
            let name = &s.keys.names[*k as usize];
            *k = cached(&mut self.keys, *k, || bulk.key_id(name))?;
        }
        Ok(())
    }

    /// Adds a node with labels and property keys numbered as in `s`.
    pub fn node(
        &mut self,
        bulk: &mut BulkLoader,
        s: &Staging,
        labels: &[u32],
        mut props: Vec<(u32, Value)>,
    ) -> Result<NodeId> {
        // Keys before labels, the order in which `add_node` interns them: the same catalog ids.
        self.props(bulk, s, &mut props)?;
        let mut ids = std::mem::take(&mut self.label_buf);
        ids.clear();
        for &l in labels {
            let name = &s.labels.names[l as usize];
            ids.push(cached(&mut self.labels, l, || bulk.label_id(name))?);
        }
        let added = bulk.add_node_ids(&ids, props);
        self.label_buf = ids;
        added
    }

    /// Adds a relationship with its type and property keys numbered as in `s`.
    pub fn rel(
        &mut self,
        bulk: &mut BulkLoader,
        s: &Staging,
        rel_type: u32,
        (start, end): (NodeId, NodeId),
        mut props: Vec<(u32, Value)>,
    ) -> Result<RelId> {
        self.props(bulk, s, &mut props)?;
        let name = &s.types.names[rel_type as usize];
        let t = cached(&mut self.types, rel_type, || bulk.type_id(name))?;
        bulk.add_relationship_ids(t, start, end, props)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{GraphRead, Store};

    /// The same entities through `add_node`/`add_relationship` by name and through
    /// [`CatalogIds`]: the same graph, the same catalog ids, and a key whose only value is
    /// null is not interned by either.
    #[test]
    fn ids_by_import_number_write_what_names_write() {
        let mut s = Staging::default();
        let (a, nul, b) = (s.keys.intern("a"), s.keys.intern("nul"), s.keys.intern("b"));
        let (person, city) = (s.labels.intern("Person"), s.labels.intern("City"));
        let knows = s.types.intern("KNOWS");
        let props = || {
            vec![
                (b, Value::Int(1)),
                (nul, Value::Null),
                (a, Value::from("x")),
                (b, Value::Int(2)),
            ]
        };
        let by_name = Store::open_temporary().unwrap();
        let by_id = Store::open_temporary().unwrap();
        let named = |p: Vec<(u32, Value)>| {
            p.into_iter()
                .map(|(k, v)| (s.keys.names[k as usize].clone(), v))
                .collect::<Vec<_>>()
        };
        {
            let mut bulk = by_name.bulk_loader().unwrap();
            let x = bulk
                .add_node(&["City", "Person", "City"], named(props()))
                .unwrap();
            let y = bulk.add_node(&["Person"], named(vec![])).unwrap();
            bulk.add_relationship("KNOWS", x, y, named(props()))
                .unwrap();
            bulk.finish().unwrap();
        }
        {
            let mut bulk = by_id.bulk_loader().unwrap();
            let mut ids = CatalogIds::default();
            let x = ids
                .node(&mut bulk, &s, &[city, person, city], props())
                .unwrap();
            let y = ids.node(&mut bulk, &s, &[person], vec![]).unwrap();
            ids.rel(&mut bulk, &s, knows, (x, y), props()).unwrap();
            bulk.finish().unwrap();
        }
        let (t1, t2) = (by_name.begin(), by_id.begin());
        let node = t2.node(0).unwrap().expect("node 0");
        assert_eq!(Some(&node), t1.node(0).unwrap().as_ref());
        assert_eq!(node.labels, ["City", "Person"]);
        let mut shown: Vec<_> = node
            .properties
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        shown.sort();
        assert_eq!(shown, [r#"a=String("x")"#, "b=Int(2)"]);
        let rel = t2.relationship(0).unwrap().expect("rel 0");
        assert_eq!(Some(&rel), t1.relationship(0).unwrap().as_ref());
        assert_eq!((rel.rel_type.as_str(), rel.start, rel.end), ("KNOWS", 0, 1));
        assert_eq!(rel.properties, node.properties);
        // "nul" had only a null: interned by neither.
        assert_eq!(t1.property_keys().unwrap(), ["a", "b"]);
        assert_eq!(t2.property_keys().unwrap(), ["a", "b"]);
    }
}
