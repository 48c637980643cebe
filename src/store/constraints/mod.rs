//! Schema constraints beyond single-property node uniqueness (Neo4j 5): property existence,
//! property type, node and relationship keys, composite and relationship uniqueness.
//!
//! A single-property node uniqueness constraint is a unique index (as before), so that older
//! builds keep enforcing it; every other constraint is a record under `'Y' id` (the id drawn
//! from the index sequence, so indexes and constraints share one id space, as in Neo4j). The
//! records are part of format 10: builds before it refuse such a database rather than open it
//! without enforcing them.
//!
//! Enforcement is deferred to the end of the statement: every write notes the node or
//! relationship it changed (only while records exist), and [`Txn::validate_constraints`]
//! checks the noted entities against the records (the façade calls it after each statement;
//! `commit` calls it too, so no commit path skips it). Uniqueness and node keys look up
//! candidates through an index on the first property (the constraint creates one it owns
//! when none exists); relationship uniqueness scans the relationships of its type once per
//! validation, as relationships have no property indexes.

pub(super) mod def;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::model::{NodeId, RelId};
use crate::value::Value;

use super::keys::{self, KIND_TYPE};
use super::txn::Txn;
use super::{GraphRead, GraphWrite, IndexDef};

pub use def::{ConstraintDef, ConstraintKind, PropertyType, ScalarType};

/// Property values equal as uniqueness sees them (`1` and `1.0` are the same value).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        _ => a == b,
    }
}

/// A hashable key for a tuple of values under [`same_value`] (integral floats as integers).
fn tuple_key(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        let v = match v {
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(*f as i64),
            v => v.clone(),
        };
        // Stored values always encode; a failure only makes the key less precise.
        let _ = super::codec::encode_value(&mut out, &v);
        out.push(0xff);
    }
    out
}

fn violation(detail: &str, message: String) -> crate::error::Error {
    QueryError::new(
        ErrorClass::ConstraintVerificationFailed,
        detail,
        Phase::Runtime,
        message,
    )
    .into()
}

/// Fails when an entity's own properties (`id`, `props`) break `def`: a missing or mistyped
/// property. Nodes and relationships are checked alike.
fn refuse_own(def: &ConstraintDef, id: u64, props: &[(String, Value)]) -> Result<()> {
    match def.own_violation(id, props) {
        Some(m) => Err(violation(detail_of(&def.kind), m)),
        None => Ok(()),
    }
}

/// Fails when a uniqueness look-up found a clash: another entity (node or relationship id)
/// with the same `values` of `def`'s properties.
fn refuse_clash(def: &ConstraintDef, found: Option<(u64, Vec<Value>)>) -> Result<()> {
    match found {
        Some((other, values)) => Err(violation(
            detail_of(&def.kind),
            def.clash_message(other, &values),
        )),
        None => Ok(()),
    }
}

fn detail_of(kind: &ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::Unique => "UniquenessConstraintViolation",
        ConstraintKind::Key => "KeyConstraintViolation",
        ConstraintKind::Exists => "PropertyExistenceConstraintViolation",
        ConstraintKind::Type(_) => "PropertyTypeConstraintViolation",
    }
}

impl Txn {
    /// The constraint records (not the unique indexes), read once per transaction.
    pub(crate) fn constraint_records(&self) -> Result<Arc<Vec<ConstraintDef>>> {
        if let Some(r) = self.constraint_work.records.get() {
            return Ok(Arc::clone(r));
        }
        let mut list = Vec::new();
        for item in self.kv_scan(&[keys::P_CONSTRAINT]) {
            let (k, v) = item?;
            let id = k
                .get(1..9)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes);
            match id.and_then(|id| ConstraintDef::decode(id, &v)) {
                Some(def) => list.push(def),
                None => return Err(self.corrupt("constraint definition")),
            }
        }
        let list = Arc::new(list);
        let _ = self.constraint_work.records.set(Arc::clone(&list));
        Ok(list)
    }

    /// Every constraint, the unique indexes included, by name.
    pub(crate) fn all_constraints(&self) -> Result<Vec<ConstraintDef>> {
        let mut out: Vec<ConstraintDef> = (*self.constraint_records()?).clone();
        for (i, ix) in self.indexes()?.into_iter().enumerate() {
            if ix.unique {
                let id = self
                    .index_metas()
                    .iter()
                    .find(|m| m.name == ix.name)
                    .map_or(i as u64, |m| u64::from(m.id));
                out.push(ConstraintDef {
                    id,
                    name: ix.name.clone(),
                    kind: ConstraintKind::Unique,
                    on_relationships: false,
                    label: ix.label,
                    properties: vec![ix.property],
                    owned_index: Some(ix.name),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Notes that node `id` changed, for the next validation (only while records exist).
    pub(crate) fn note_node(&mut self, id: NodeId) -> Result<()> {
        if !self.constraint_records()?.is_empty() {
            self.constraint_work.nodes.insert(id);
        }
        Ok(())
    }

    pub(crate) fn note_rel(&mut self, id: RelId) -> Result<()> {
        if !self.constraint_records()?.is_empty() {
            self.constraint_work.rels.insert(id);
        }
        Ok(())
    }

    /// Notes nodes and relationships a bulk load wrote (ids in `nodes` and `rels`).
    pub(crate) fn note_range(
        &mut self,
        nodes: std::ops::Range<NodeId>,
        rels: std::ops::Range<RelId>,
    ) -> Result<()> {
        if !self.constraint_records()?.is_empty() {
            self.constraint_work.nodes.extend(nodes);
            self.constraint_work.rels.extend(rels);
        }
        Ok(())
    }

    /// Checks the entities written since the last call against every constraint record;
    /// the first violation is the error. The noted entities are forgotten either way.
    pub fn validate_constraints(&mut self) -> Result<()> {
        let nodes = std::mem::take(&mut self.constraint_work.nodes);
        let rels = std::mem::take(&mut self.constraint_work.rels);
        if nodes.is_empty() && rels.is_empty() {
            return Ok(());
        }
        let records = self.constraint_records()?;
        let (rel_defs, node_defs): (Vec<&ConstraintDef>, Vec<&ConstraintDef>) =
            records.iter().partition(|d| d.on_relationships);
        if !node_defs.is_empty() {
            for id in nodes {
                self.check_node(id, &node_defs)?;
            }
        }
        if !rel_defs.is_empty() && !rels.is_empty() {
            self.check_rels(&rels, &rel_defs)?;
        }
        Ok(())
    }

    /// Node `id` (if it still exists) against the node constraints of its labels.
    fn check_node(&self, id: NodeId, defs: &[&ConstraintDef]) -> Result<()> {
        let Some(node) = self.node(id)? else {
            return Ok(());
        };
        let props: Vec<(String, Value)> = node.properties.into_iter().collect();
        for def in defs.iter().filter(|d| node.labels.contains(&d.label)) {
            refuse_own(def, id, &props)?;
            if let Some(values) = def.unique_values(&props) {
                let other = self.node_clash(def, id, &values)?;
                refuse_clash(def, other.map(|o| (o, values)))?;
            }
        }
        Ok(())
    }

    /// Another node with the constraint's label and the same `values`, found through an
    /// index on the first property where there is one.
    fn node_clash(
        &self,
        def: &ConstraintDef,
        id: NodeId,
        values: &[Value],
    ) -> Result<Option<NodeId>> {
        let candidates: Vec<NodeId> =
            match self.index_lookup(&def.label, &def.properties[0], &values[0])? {
                Some(ids) => ids,
                None => self.nodes_with_label(&def.label)?.collect::<Result<_>>()?,
            };
        for other in candidates {
            if other == id || !self.node_has_label(other, &def.label)? {
                continue;
            }
            let mut all = true;
            for (p, v) in def.properties.iter().zip(values) {
                match self.node_property(other, p)? {
                    Some(o) if same_value(&o, v) => {}
                    _ => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                return Ok(Some(other));
            }
        }
        Ok(None)
    }

    /// The relationships `ids` (those still there) against the relationship constraints.
    fn check_rels(&self, ids: &BTreeSet<RelId>, defs: &[&ConstraintDef]) -> Result<()> {
        let mut unique_wanted: Vec<&ConstraintDef> = Vec::new();
        for &id in ids {
            let Some(rel) = self.relationship(id)? else {
                continue;
            };
            let props: Vec<(String, Value)> = rel.properties.into_iter().collect();
            for def in defs.iter().filter(|d| d.label == rel.rel_type) {
                refuse_own(def, id, &props)?;
                if def.unique_values(&props).is_some()
                    && !unique_wanted.iter().any(|d| d.name == def.name)
                {
                    unique_wanted.push(def);
                }
            }
        }
        for def in unique_wanted {
            refuse_clash(def, self.rel_clash(def, Some(ids))?)?;
        }
        Ok(())
    }

    /// Two relationships of the constraint's type with the same values, at least one of them
    /// in `among` (any two when `None`): one pass over all relationships.
    fn rel_clash(
        &self,
        def: &ConstraintDef,
        among: Option<&BTreeSet<RelId>>,
    ) -> Result<Option<(RelId, Vec<Value>)>> {
        let mut seen: HashMap<Vec<u8>, (RelId, bool)> = HashMap::new();
        for id in self.rels_of_type(&def.label)? {
            let mut values = Vec::with_capacity(def.properties.len());
            for p in &def.properties {
                match self.relationship_property(id, p)? {
                    Some(v) => values.push(v),
                    None => break,
                }
            }
            if values.len() != def.properties.len() {
                continue;
            }
            let mine = among.is_none_or(|s| s.contains(&id));
            match seen.entry(tuple_key(&values)) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let (first, first_mine) = *e.get();
                    if mine || first_mine {
                        return Ok(Some((if mine { first } else { id }, values)));
                    }
                    e.insert((first, first_mine));
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((id, mine));
                }
            }
        }
        Ok(None)
    }

    /// The ids of the relationships of type `name`, in id order (none when the type was never
    /// created): one pass over every relationship record.
    fn rels_of_type(&self, name: &str) -> Result<Vec<RelId>> {
        let Some(type_id) = self.cat_id(KIND_TYPE, name) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for id in self.relationship_ids()? {
            let id = id?;
            if self
                .rel_record(id)?
                .is_some_and(|rec| rec.rel_type == type_id)
            {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Creates a constraint record after checking the existing data against it. Returns
    /// false when `if_not_exists` found an equivalent constraint or one of the same name.
    pub fn create_constraint(
        &mut self,
        mut def: ConstraintDef,
        if_not_exists: bool,
    ) -> Result<bool> {
        self.write_access()?;
        let existing = self.all_constraints()?;
        let equivalent = existing.iter().find(|e| {
            e.same_schema(&def)
                && std::mem::discriminant(&e.kind) == std::mem::discriminant(&def.kind)
                && (e.kind == def.kind || !matches!(def.kind, ConstraintKind::Type(_)))
        });
        if let Some(e) = equivalent.or_else(|| existing.iter().find(|e| e.name == def.name)) {
            if if_not_exists {
                return Ok(false);
            }
            let message = if e.name == def.name {
                format!("There already exists a constraint called '{}'.", e.name)
            } else {
                format!(
                    "An equivalent constraint already exists, 'Constraint( name='{}', type='{}', schema={} )'.",
                    e.name,
                    e.type_name(),
                    e.schema_text()
                )
            };
            return Err(QueryError::new(
                ErrorClass::SemanticError,
                "ConstraintAlreadyExists",
                Phase::Runtime,
                message,
            )
            .into());
        }
        let conflict = existing.iter().find(|e| {
            e.same_schema(&def)
                && matches!(
                    (&e.kind, &def.kind),
                    (ConstraintKind::Unique, ConstraintKind::Key)
                        | (ConstraintKind::Key, ConstraintKind::Unique)
                        | (ConstraintKind::Type(_), ConstraintKind::Type(_))
                )
        });
        if let Some(e) = conflict {
            return Err(QueryError::new(
                ErrorClass::SemanticError,
                "ConstraintAlreadyExists",
                Phase::Runtime,
                format!(
                    "Constraint already exists: Constraint( name='{}', type='{}', schema={} )",
                    e.name,
                    e.type_name(),
                    e.schema_text()
                ),
            )
            .into());
        }
        if self.indexes()?.iter().any(|i| i.name == def.name) {
            return Err(QueryError::new(
                ErrorClass::SemanticError,
                "ConstraintAlreadyExists",
                Phase::Runtime,
                format!("There already exists an index called '{}'.", def.name),
            )
            .into());
        }
        // Node uniqueness looks its candidates up through an index on the first property:
        // one the constraint owns unless one exists.
        let wants_index = !def.on_relationships
            && matches!(def.kind, ConstraintKind::Unique | ConstraintKind::Key);
        if wants_index
            && !self
                .indexes()?
                .iter()
                .any(|i| i.label == def.label && i.property == def.properties[0])
        {
            self.create_index(
                IndexDef {
                    name: def.name.clone(),
                    label: def.label.clone(),
                    property: def.properties[0].clone(),
                    unique: false,
                    kind: super::IndexKind::Range,
                },
                false,
            )?;
            def.owned_index = Some(def.name.clone());
        }
        def.id = self.next_id(keys::META_NEXT_INDEX)?;
        self.check_existing(&def).map_err(|e| match e {
            crate::error::Error::Query(q) => QueryError::new(
                ErrorClass::ConstraintVerificationFailed,
                "ConstraintCreationFailed",
                Phase::Runtime,
                format!(
                    "Unable to create Constraint( name='{}', type='{}', schema={} ):\n{}",
                    def.name,
                    def.type_name().replace('_', " "),
                    def.schema_text(),
                    q.message
                ),
            )
            .into(),
            other => other,
        })?;
        self.kv_put(keys::constraint_def(def.id), Some(def.encode()));
        self.constraint_work.forget();
        Ok(true)
    }

    /// Every existing entity the new constraint covers, checked against it.
    fn check_existing(&self, def: &ConstraintDef) -> Result<()> {
        if def.on_relationships {
            for id in self.rels_of_type(&def.label)? {
                let Some(rel) = self.relationship(id)? else {
                    continue;
                };
                let props: Vec<(String, Value)> = rel.properties.into_iter().collect();
                refuse_own(def, id, &props)?;
            }
            if matches!(def.kind, ConstraintKind::Unique | ConstraintKind::Key) {
                refuse_clash(def, self.rel_clash(def, None)?)?;
            }
            return Ok(());
        }
        let ids: Vec<NodeId> = self.nodes_with_label(&def.label)?.collect::<Result<_>>()?;
        for id in ids {
            self.check_node(id, &[def])?;
        }
        Ok(())
    }

    /// Drops constraint `name` (a record and the index it owns, or a unique index). Returns
    /// false when there is none and `if_exists`.
    pub fn drop_constraint(&mut self, name: &str, if_exists: bool) -> Result<bool> {
        self.write_access()?;
        if let Some(def) = self.constraint_records()?.iter().find(|d| d.name == name) {
            let def = def.clone();
            self.kv_put(keys::constraint_def(def.id), None);
            if let Some(ix) = &def.owned_index {
                self.drop_index(ix, true)?;
            }
            self.constraint_work.forget();
            return Ok(true);
        }
        if self.indexes()?.iter().any(|i| i.name == name && i.unique) {
            self.drop_index(name, false)?;
            return Ok(true);
        }
        if if_exists {
            return Ok(false);
        }
        Err(QueryError::new(
            ErrorClass::SemanticError,
            "ConstraintNotFound",
            Phase::Runtime,
            format!("Unable to drop constraint `{name}`: No such constraint {name}."),
        )
        .into())
    }

    /// The constraint that owns index `name`, if one does.
    pub fn index_owner(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .constraint_records()?
            .iter()
            .find(|d| d.owned_index.as_deref() == Some(name))
            .map(|d| d.name.clone()))
    }

    /// Every violation of every constraint record in the committed data (`kg check`).
    pub(crate) fn constraint_problems(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for def in self.constraint_records()?.iter() {
            if let Err(e) = self.check_existing(def) {
                out.push(format!("constraint `{}`: {e}", def.name));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::def::type_of;
    use super::*;

    fn def(kind: ConstraintKind, rel: bool, props: &[&str]) -> ConstraintDef {
        ConstraintDef {
            id: 7,
            name: "c".into(),
            kind,
            on_relationships: rel,
            label: "Book".into(),
            properties: props.iter().map(|p| p.to_string()).collect(),
            owned_index: Some("c".into()),
        }
    }

    #[test]
    fn definitions_round_trip_through_their_encoding() {
        let t = PropertyType::normalized(vec![
            (ScalarType::Float, false),
            (ScalarType::String, true),
            (ScalarType::Integer, false),
        ]);
        assert_eq!(t.to_string(), "INTEGER | FLOAT | LIST<STRING NOT NULL>");
        for d in [
            def(ConstraintKind::Key, false, &["a", "b"]),
            def(ConstraintKind::Exists, true, &["x"]),
            def(ConstraintKind::Type(t), false, &["x"]),
        ] {
            assert_eq!(ConstraintDef::decode(7, &d.encode()), Some(d.clone()));
        }
        assert_eq!(ConstraintDef::decode(7, &[2, 0]), None);
        assert_eq!(ConstraintDef::decode(7, &[]), None);
    }

    #[test]
    fn types_match_stored_values() {
        let t = PropertyType::normalized(vec![(ScalarType::Integer, true)]);
        assert!(t.matches(&Value::List(vec![Value::Int(1)])));
        assert!(t.matches(&Value::List(vec![])));
        assert!(!t.matches(&Value::Int(1)));
        assert!(!t.matches(&Value::List(vec![Value::Float(1.0)])));
        assert_eq!(type_of(&Value::Float(1.5)), "FLOAT");
        assert_eq!(
            type_of(&Value::List(vec![Value::String("a".into())])),
            "LIST<STRING NOT NULL>"
        );
    }

    /// Data that breaks a record (which no checked write path leaves) is what
    /// `kg check` reports; a later write to such a node is refused.
    #[test]
    fn check_reports_data_that_breaks_a_constraint() {
        use crate::store::{GraphWrite, Store};
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        let n = t.create_node(&["Book".into()], Default::default()).unwrap();
        let mut d = def(ConstraintKind::Exists, false, &["isbn"]);
        d.owned_index = None;
        // The record lands without the data being checked (a damaged or hand-edited store).
        t.kv_put(keys::constraint_def(d.id), Some(d.encode()));
        t.commit().unwrap();
        let report = store.check().unwrap();
        assert!(!report.is_clean());
        assert!(
            report
                .to_string()
                .contains("Node(0) with label `Book` must have the property `isbn`"),
            "{report}"
        );
        let mut t = store.begin();
        t.set_node_property(n, "title", Value::String("x".into()))
            .unwrap();
        assert!(t.commit().is_err());
    }

    #[test]
    fn create_statements_quote_names() {
        let d = def(ConstraintKind::Key, true, &["a b", "c"]);
        assert_eq!(
            d.create_statement(),
            "CREATE CONSTRAINT c IF NOT EXISTS FOR ()-[r:Book]-() REQUIRE (r.`a b`, r.c) IS RELATIONSHIP KEY"
        );
    }
}
