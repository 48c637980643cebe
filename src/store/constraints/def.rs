//! What a constraint is: its kinds, the property types a type constraint names, and the
//! definition record with its encoding, its Cypher and Neo4j's messages about it.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::model::{NodeId, RelId};
use crate::value::Value;

/// What a constraint requires.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    /// The combination of the properties is unique among entities that have all of them.
    Unique,
    /// Every property exists, and their combination is unique.
    Key,
    /// The (single) property exists.
    Exists,
    /// The (single) property, where present, has this type.
    Type(PropertyType),
}

/// A property type a type constraint allows: one of Neo4j's property types, or a closed
/// union of them (`INTEGER | FLOAT`), kept in Neo4j's order and without repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyType {
    pub alts: Vec<(ScalarType, bool)>,
}

/// The property types a constraint can name; `(t, true)` in [`PropertyType::alts`] is
/// `LIST<t NOT NULL>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScalarType {
    Boolean,
    String,
    Integer,
    Float,
    Date,
    LocalTime,
    ZonedTime,
    LocalDateTime,
    ZonedDateTime,
    Duration,
    Point,
}

const SCALARS: [ScalarType; 11] = [
    ScalarType::Boolean,
    ScalarType::String,
    ScalarType::Integer,
    ScalarType::Float,
    ScalarType::Date,
    ScalarType::LocalTime,
    ScalarType::ZonedTime,
    ScalarType::LocalDateTime,
    ScalarType::ZonedDateTime,
    ScalarType::Duration,
    ScalarType::Point,
];

impl ScalarType {
    /// The type's name as Neo4j writes it (`LOCAL DATETIME`).
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Boolean => "BOOLEAN",
            ScalarType::String => "STRING",
            ScalarType::Integer => "INTEGER",
            ScalarType::Float => "FLOAT",
            ScalarType::Date => "DATE",
            ScalarType::LocalTime => "LOCAL TIME",
            ScalarType::ZonedTime => "ZONED TIME",
            ScalarType::LocalDateTime => "LOCAL DATETIME",
            ScalarType::ZonedDateTime => "ZONED DATETIME",
            ScalarType::Duration => "DURATION",
            ScalarType::Point => "POINT",
        }
    }

    fn matches(self, v: &Value) -> bool {
        match self {
            ScalarType::Boolean => matches!(v, Value::Bool(_)),
            ScalarType::String => matches!(v, Value::String(_)),
            ScalarType::Integer => matches!(v, Value::Int(_)),
            ScalarType::Float => matches!(v, Value::Float(_)),
            ScalarType::Date => matches!(v, Value::Date(_)),
            ScalarType::LocalTime => matches!(v, Value::LocalTime(_)),
            ScalarType::ZonedTime => matches!(v, Value::Time(_)),
            ScalarType::LocalDateTime => matches!(v, Value::LocalDateTime(_)),
            ScalarType::ZonedDateTime => matches!(v, Value::DateTime(_)),
            ScalarType::Duration => matches!(v, Value::Duration(_)),
            ScalarType::Point => matches!(v, Value::Point(_)),
        }
    }
}

impl PropertyType {
    /// The type with its members sorted in Neo4j's order (scalars, then lists) and deduplicated.
    pub fn normalized(mut alts: Vec<(ScalarType, bool)>) -> PropertyType {
        alts.sort_by_key(|(t, list)| (*list, *t));
        alts.dedup();
        PropertyType { alts }
    }

    /// True when a stored value `v` is of this type.
    pub fn matches(&self, v: &Value) -> bool {
        self.alts.iter().any(|(t, list)| match (list, v) {
            (false, v) => t.matches(v),
            (true, Value::List(items)) => items.iter().all(|i| t.matches(i)),
            (true, _) => false,
        })
    }
}

impl fmt::Display for PropertyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (t, list)) in self.alts.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            if *list {
                write!(f, "LIST<{} NOT NULL>", t.name())?;
            } else {
                f.write_str(t.name())?;
            }
        }
        Ok(())
    }
}

/// A constraint as `SHOW CONSTRAINTS` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintDef {
    /// Shared with the indexes' ids (Neo4j's `id` column).
    pub id: u64,
    pub name: String,
    pub kind: ConstraintKind,
    /// True for a relationship type's constraint, false for a label's.
    pub on_relationships: bool,
    /// The label or relationship type.
    pub label: String,
    pub properties: Vec<String>,
    /// The index this constraint created and drops with it.
    pub owned_index: Option<String>,
}

impl ConstraintDef {
    /// Neo4j's `type` column: `UNIQUENESS`, `NODE_KEY`, `NODE_PROPERTY_EXISTENCE`, …
    pub fn type_name(&self) -> &'static str {
        match (&self.kind, self.on_relationships) {
            (ConstraintKind::Unique, false) => "UNIQUENESS",
            (ConstraintKind::Unique, true) => "RELATIONSHIP_UNIQUENESS",
            (ConstraintKind::Key, false) => "NODE_KEY",
            (ConstraintKind::Key, true) => "RELATIONSHIP_KEY",
            (ConstraintKind::Exists, false) => "NODE_PROPERTY_EXISTENCE",
            (ConstraintKind::Exists, true) => "RELATIONSHIP_PROPERTY_EXISTENCE",
            (ConstraintKind::Type(_), false) => "NODE_PROPERTY_TYPE",
            (ConstraintKind::Type(_), true) => "RELATIONSHIP_PROPERTY_TYPE",
        }
    }

    /// The schema as Neo4j's messages write it: `(:Book {isbn})`, `()-[:R {a, b}]-()`.
    pub fn schema_text(&self) -> String {
        let props = self.properties.join(", ");
        if self.on_relationships {
            format!("()-[:{} {{{props}}}]-()", self.label)
        } else {
            format!("(:{} {{{props}}})", self.label)
        }
    }

    /// Neo4j's description of the constraint (`userDescription` in APOC, the `constraints` of
    /// `db.schema.visualization()`): `Constraint( id=3, name='c', type='NODE_KEY', schema=(:L {p}) )`.
    pub fn description(&self) -> String {
        let ty = match &self.kind {
            ConstraintKind::Type(t) => format!(", propertyType={t}"),
            _ => String::new(),
        };
        format!(
            "Constraint( id={}, name='{}', type='{}', schema={}{ty} )",
            self.id,
            self.name,
            self.type_name(),
            self.schema_text()
        )
    }

    /// The Cypher that creates this constraint (export, `kg check` messages).
    pub fn create_statement(&self) -> String {
        format!(
            "CREATE CONSTRAINT {} IF NOT EXISTS {}",
            quote(&self.name),
            self.definition()
        )
    }

    /// What the constraint holds, as `CREATE CONSTRAINT` writes it after the name:
    /// `FOR (n:Book) REQUIRE n.isbn IS NOT NULL` (the shell's `:schema` lists these).
    pub fn definition(&self) -> String {
        let var = if self.on_relationships { "r" } else { "n" };
        let target = if self.on_relationships {
            format!("()-[{var}:{}]-()", quote(&self.label))
        } else {
            format!("({var}:{})", quote(&self.label))
        };
        let props: Vec<String> = self
            .properties
            .iter()
            .map(|p| format!("{var}.{}", quote(p)))
            .collect();
        let props = if props.len() == 1 {
            props[0].clone()
        } else {
            format!("({})", props.join(", "))
        };
        let require = match &self.kind {
            ConstraintKind::Unique => "IS UNIQUE".to_string(),
            ConstraintKind::Key if self.on_relationships => "IS RELATIONSHIP KEY".to_string(),
            ConstraintKind::Key => "IS NODE KEY".to_string(),
            ConstraintKind::Exists => "IS NOT NULL".to_string(),
            ConstraintKind::Type(t) => format!("IS :: {t}"),
        };
        format!("FOR {target} REQUIRE {props} {require}")
    }

    pub(super) fn same_schema(&self, other: &ConstraintDef) -> bool {
        self.on_relationships == other.on_relationships
            && self.label == other.label
            && self.properties == other.properties
    }

    pub(super) fn entity_word(&self) -> (&'static str, &'static str) {
        if self.on_relationships {
            ("Relationship", "type")
        } else {
            ("Node", "label")
        }
    }

    /// Why the entity `id` with `props` breaks this constraint's own-entity rules (existence
    /// and type), or `None`. Uniqueness needs the other entities and is checked apart.
    pub(super) fn own_violation(&self, id: u64, props: &[(String, Value)]) -> Option<String> {
        let get = |p: &str| props.iter().find(|(k, _)| k == p).map(|(_, v)| v);
        let (entity, word) = self.entity_word();
        match &self.kind {
            ConstraintKind::Exists if get(&self.properties[0]).is_none() => Some(format!(
                "{entity}({id}) with {word} `{}` must have the property `{}`",
                self.label, self.properties[0]
            )),
            ConstraintKind::Key if self.properties.iter().any(|p| get(p).is_none()) => {
                Some(if self.properties.len() == 1 {
                    format!(
                        "{entity}({id}) with {word} `{}` must have the property `{}`",
                        self.label, self.properties[0]
                    )
                } else {
                    let list: Vec<String> =
                        self.properties.iter().map(|p| format!("`{p}`")).collect();
                    format!(
                        "{entity}({id}) with {word} `{}` must have the properties ({})",
                        self.label,
                        list.join(", ")
                    )
                })
            }
            ConstraintKind::Type(t) => match get(&self.properties[0]) {
                Some(v) if !t.matches(v) => Some(format!(
                    "{entity}({id}) with {word} `{}` required the property `{}` to be of type `{t}`, but was of type `{}`.",
                    self.label,
                    self.properties[0],
                    type_of(v)
                )),
                _ => None,
            },
            _ => None,
        }
    }

    /// The values of this constraint's properties in `props`, if the entity has all of them
    /// and the constraint asks for uniqueness.
    pub(super) fn unique_values(&self, props: &[(String, Value)]) -> Option<Vec<Value>> {
        if !matches!(self.kind, ConstraintKind::Unique | ConstraintKind::Key) {
            return None;
        }
        self.properties
            .iter()
            .map(|p| props.iter().find(|(k, _)| k == p).map(|(_, v)| v.clone()))
            .collect()
    }

    pub(super) fn clash_message(&self, other: u64, values: &[Value]) -> String {
        let (entity, word) = self.entity_word();
        let pairs: Vec<String> = self
            .properties
            .iter()
            .zip(values)
            .map(|(p, v)| format!("`{p}` = {}", crate::store::display_value(v)))
            .collect();
        let noun = if pairs.len() == 1 {
            "property"
        } else {
            "properties"
        };
        format!(
            "{entity}({other}) already exists with {word} `{}` and {noun} {}",
            self.label,
            pairs.join(", ")
        )
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        use crate::store::codec::put_varint;
        let mut out = vec![1u8];
        let put_str = |out: &mut Vec<u8>, s: &str| {
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        };
        put_str(&mut out, &self.name);
        out.push(u8::from(self.on_relationships));
        out.push(match self.kind {
            ConstraintKind::Unique => 0,
            ConstraintKind::Key => 1,
            ConstraintKind::Exists => 2,
            ConstraintKind::Type(_) => 3,
        });
        put_str(&mut out, &self.label);
        put_varint(&mut out, self.properties.len() as u64);
        for p in &self.properties {
            put_str(&mut out, p);
        }
        put_str(&mut out, self.owned_index.as_deref().unwrap_or(""));
        if let ConstraintKind::Type(t) = &self.kind {
            put_varint(&mut out, t.alts.len() as u64);
            for (s, list) in &t.alts {
                out.push(*s as u8);
                out.push(u8::from(*list));
            }
        }
        out
    }

    pub(super) fn decode(id: u64, buf: &[u8]) -> Option<ConstraintDef> {
        use crate::store::codec::get_varint;
        if buf.first() != Some(&1) {
            return None;
        }
        let mut pos = 1;
        let get_str = |pos: &mut usize| -> Option<String> {
            let len = usize::try_from(get_varint(buf, pos)?).ok()?;
            let s = std::str::from_utf8(buf.get(*pos..pos.checked_add(len)?)?).ok()?;
            *pos += len;
            Some(s.to_string())
        };
        let name = get_str(&mut pos)?;
        let on_relationships = *buf.get(pos)? == 1;
        let kind_tag = *buf.get(pos + 1)?;
        pos += 2;
        let label = get_str(&mut pos)?;
        let n = get_varint(buf, &mut pos)?;
        let mut properties = Vec::new();
        for _ in 0..n.min(64) {
            properties.push(get_str(&mut pos)?);
        }
        if properties.is_empty() || properties.len() as u64 != n {
            return None;
        }
        let owned = get_str(&mut pos)?;
        let kind = match kind_tag {
            0 => ConstraintKind::Unique,
            1 => ConstraintKind::Key,
            2 => ConstraintKind::Exists,
            3 => {
                let n = get_varint(buf, &mut pos)?;
                let mut alts = Vec::new();
                for _ in 0..n.min(32) {
                    let s = *SCALARS.get(usize::from(*buf.get(pos)?))?;
                    alts.push((s, *buf.get(pos + 1)? == 1));
                    pos += 2;
                }
                ConstraintKind::Type(PropertyType { alts })
            }
            _ => return None,
        };
        Some(ConstraintDef {
            id,
            name,
            kind,
            on_relationships,
            label,
            properties,
            owned_index: (!owned.is_empty()).then_some(owned),
        })
    }
}

/// A name in backticks where Cypher needs them.
fn quote(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// A stored value's type as Neo4j's type-constraint messages name it.
pub(super) fn type_of(v: &Value) -> String {
    if let Value::List(items) = v {
        let inner = SCALARS
            .iter()
            .find(|t| items.first().is_some_and(|i| t.matches(i)))
            .map_or("NOTHING", |t| t.name());
        return format!("LIST<{inner} NOT NULL>");
    }
    SCALARS
        .iter()
        .find(|t| t.matches(v))
        .map_or_else(|| v.type_name().to_string(), |t| t.name().to_string())
}

/// A transaction's constraint bookkeeping: the records (read once) and the entities its
/// writes touched since the last validation.
#[derive(Default)]
pub(crate) struct ConstraintWork {
    pub(super) records: OnceLock<Arc<Vec<ConstraintDef>>>,
    pub(super) nodes: BTreeSet<NodeId>,
    pub(super) rels: BTreeSet<RelId>,
}

impl ConstraintWork {
    /// Forgets the cached records (after a constraint changed or a checkpoint was restored).
    pub fn forget(&mut self) {
        self.records = OnceLock::new();
    }
}
