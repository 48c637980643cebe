//! Procedures callable with `CALL name(args) YIELD ...`: the contract (`Procedure`,
//! `ProcedureSignature`, `ProcedureContext`), the registry a `Database` holds, and the
//! built-ins `db.labels()`, `db.relationshipTypes()`, `db.propertyKeys()`, `kg.procedures()`,
//! and Neo4j's schema procedures `db.schema.nodeTypeProperties()`,
//! `db.schema.relTypeProperties()`, `db.schema.visualization()` (in `schema`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::store::GraphRead;
use crate::value::Value;

pub mod schema;

/// Name, typed inputs and outputs (types as Cypher writes them, e.g. `INTEGER?`), description.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcedureSignature {
    pub name: String,
    pub inputs: Vec<(String, String)>,
    pub outputs: Vec<(String, String)>,
    pub description: String,
}

impl ProcedureSignature {
    /// `name(in :: TYPE, ...) :: (out :: TYPE, ...)`, as Neo4j prints signatures.
    pub fn display(&self) -> String {
        let list = |v: &[(String, String)]| {
            v.iter()
                .map(|(n, t)| format!("{n} :: {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}({}) :: ({})",
            self.name,
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// What a procedure sees while it runs.
pub struct ProcedureContext<'a> {
    graph: &'a dyn GraphRead,
    generation: u64,
    registry: &'a Registry,
}

impl<'a> ProcedureContext<'a> {
    pub fn new(graph: &'a dyn GraphRead, generation: u64, registry: &'a Registry) -> Self {
        ProcedureContext {
            graph,
            generation,
            registry,
        }
    }

    pub fn graph(&self) -> &dyn GraphRead {
        self.graph
    }

    /// Bumps on every commit: a procedure may cache a projection of the graph per generation.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The generation when the graph view is exactly the committed store; `None` inside a
    /// transaction that has written, whose view no cached projection describes.
    pub fn committed_generation(&self) -> Option<u64> {
        (!self.graph.has_uncommitted_writes()).then_some(self.generation)
    }

    /// Signatures of every registered procedure, by name.
    pub fn procedures(&self) -> Vec<ProcedureSignature> {
        self.registry.signatures()
    }
}

pub trait Procedure: Send + Sync {
    fn signature(&self) -> &ProcedureSignature;
    /// Rows with one value per output column, in output order.
    fn call(&self, ctx: &ProcedureContext, args: &[Value]) -> Result<Vec<Vec<Value>>>;
}

/// Registered procedures by lower-case name.
#[derive(Clone, Default)]
pub struct Registry {
    map: BTreeMap<String, Arc<dyn Procedure>>,
}

impl Registry {
    /// A registry holding the built-in procedures.
    pub fn with_builtins() -> Registry {
        let mut r = Registry::default();
        for p in builtins() {
            r.register(p);
        }
        r
    }

    pub fn register(&mut self, p: Arc<dyn Procedure>) {
        self.map.insert(p.signature().name.to_ascii_lowercase(), p);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn Procedure>> {
        self.map.get(&name.to_ascii_lowercase())
    }

    pub fn signatures(&self) -> Vec<ProcedureSignature> {
        let mut v: Vec<ProcedureSignature> =
            self.map.values().map(|p| p.signature().clone()).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }
}

/// One row of `kg.functions()`: Neo4j 5's columns of `SHOW FUNCTIONS YIELD *` in its order,
/// then kgstore's `arguments` (how many, e.g. `2 to 3`).
fn function_row(f: &crate::functions::FunctionInfo) -> Vec<Value> {
    let s = |t: &str| Value::String(t.to_string());
    let arguments = match (f.min_args, f.max_args) {
        (lo, usize::MAX) => format!("{lo} or more"),
        (lo, hi) if lo == hi => lo.to_string(),
        (lo, hi) => format!("{lo} to {hi}"),
    };
    let doc = crate::functions::catalog::doc(f.name);
    let category = if f.aggregate { "Aggregating" } else { "Scalar" };
    let (category, description, signature, args, returns) = match doc {
        Some(d) => (
            s(d.category),
            s(d.description),
            Value::String(d.signature(f)),
            d.args
                .iter()
                .map(|a| {
                    let mut m = std::collections::BTreeMap::new();
                    m.insert("name".to_string(), s(a.name));
                    m.insert("type".to_string(), s(a.ty));
                    m.insert("description".to_string(), s(a.description));
                    m.insert("isDeprecated".to_string(), Value::Bool(false));
                    if let Some(default) = a.default {
                        m.insert("default".to_string(), s(default));
                    }
                    Value::Map(m)
                })
                .collect(),
            s(d.returns),
        ),
        // The catalog's test keeps every function documented; this is only a fallback.
        None => (
            s(category),
            Value::Null,
            Value::Null,
            Vec::new(),
            Value::Null,
        ),
    };
    vec![
        s(f.name),
        category,
        description,
        signature,
        Value::Bool(true),
        Value::List(args),
        returns,
        Value::Bool(f.aggregate),
        // Roles need Neo4j's SHOW ROLE privilege there; kgstore has no roles: null.
        Value::Null,
        Value::Null,
        Value::Bool(false),
        Value::Null,
        Value::String(arguments),
    ]
}

/// Checks (and where Cypher allows, converts) an argument against a declared input type.
pub fn coerce_argument(proc_name: &str, input: &(String, String), v: Value) -> Result<Value> {
    let ty = input.1.trim().to_ascii_uppercase();
    let nullable = ty.ends_with('?');
    let base = ty.trim_end_matches('?').trim();
    let ok = match (&v, base) {
        (Value::Null, _) => nullable || base == "ANY",
        (_, "ANY") => true,
        (Value::Int(_), "INTEGER" | "NUMBER") => true,
        (Value::Int(i), "FLOAT") => return Ok(Value::Float(*i as f64)),
        (Value::Float(_), "FLOAT" | "NUMBER") => true,
        (Value::String(_), "STRING") => true,
        (Value::Bool(_), "BOOLEAN") => true,
        (Value::Map(_), "MAP") => true,
        (Value::Date(_), "DATE") => true,
        (Value::LocalTime(_), "LOCALTIME") => true,
        (Value::Time(_), "TIME") => true,
        (Value::LocalDateTime(_), "LOCALDATETIME") => true,
        (Value::DateTime(_), "DATETIME") => true,
        (Value::Duration(_), "DURATION") => true,
        (Value::List(_), b) if b.starts_with("LIST") => true,
        (Value::NodeRef(_) | Value::Node(_), "NODE") => true,
        (Value::RelRef(_) | Value::Relationship(_), "RELATIONSHIP") => true,
        (Value::PathRef(_) | Value::Path(_), "PATH") => true,
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(QueryError::new(
            ErrorClass::SyntaxError,
            "InvalidArgumentType",
            // Checked before the procedure runs, as a compile-time argument check would.
            Phase::Compile,
            format!(
                "procedure `{proc_name}` expects {} for `{}`, got {}",
                input.1,
                input.0,
                v.type_name()
            ),
        )
        .into())
    }
}

struct Builtin {
    sig: ProcedureSignature,
    f: fn(&ProcedureContext) -> Result<Vec<Vec<Value>>>,
}

impl Procedure for Builtin {
    fn signature(&self) -> &ProcedureSignature {
        &self.sig
    }
    fn call(&self, ctx: &ProcedureContext, _args: &[Value]) -> Result<Vec<Vec<Value>>> {
        (self.f)(ctx)
    }
}

/// The output columns of a built-in procedure (empty for any other name).
pub fn builtin_outputs(name: &str) -> Vec<String> {
    builtins()
        .iter()
        .find(|p| p.signature().name == name)
        .map(|p| {
            p.signature()
                .outputs
                .iter()
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// `labelsOrTypes` of an index: null for the index over every node (empty label).
fn labels_of(label: &str) -> Value {
    if label.is_empty() {
        Value::Null
    } else {
        Value::List(vec![Value::String(label.to_string())])
    }
}

fn names(v: Vec<String>) -> Vec<Vec<Value>> {
    v.into_iter().map(|s| vec![Value::String(s)]).collect()
}

fn builtins() -> Vec<Arc<dyn Procedure>> {
    let sig = |name: &str, out: &[(&str, &str)], description: &str| ProcedureSignature {
        name: name.into(),
        inputs: vec![],
        outputs: out
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
        description: description.into(),
    };
    // `db.awaitIndexes([timeOutSeconds])`: kgstore builds an index within the statement that
    // creates it, so there is never one to wait for (scripts written for Neo4j call it).
    let mut await_indexes = sig(
        "db.awaitIndexes",
        &[],
        "Waits for every index to come online: kgstore's are online once created, so it returns at once.",
    );
    await_indexes.inputs = vec![("timeOutSeconds = 300".into(), "INTEGER?".into())];
    vec![
        Arc::new(Builtin {
            sig: await_indexes,
            f: |_| Ok(Vec::new()),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.labels",
                &[("label", "STRING")],
                "Lists every node label in the database.",
            ),
            f: |ctx| Ok(names(ctx.graph().labels()?)),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.relationshipTypes",
                &[("relationshipType", "STRING")],
                "Lists every relationship type in the database.",
            ),
            f: |ctx| Ok(names(ctx.graph().relationship_types()?)),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.propertyKeys",
                &[("propertyKey", "STRING")],
                "Lists every property key in the database.",
            ),
            f: |ctx| Ok(names(ctx.graph().property_keys()?)),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.schema.nodeTypeProperties",
                &[
                    ("nodeType", "STRING"),
                    ("nodeLabels", "LIST<STRING>"),
                    ("propertyName", "STRING"),
                    ("propertyTypes", "LIST<STRING>"),
                    ("mandatory", "BOOLEAN"),
                ],
                "Shows the property schema of the nodes, derived from the data: one row per label set and property, with its value types.",
            ),
            f: |ctx| schema::node_type_properties(ctx.graph()),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.schema.relTypeProperties",
                &[
                    ("relType", "STRING"),
                    ("propertyName", "STRING"),
                    ("propertyTypes", "LIST<STRING>"),
                    ("mandatory", "BOOLEAN"),
                ],
                "Shows the property schema of the relationships, derived from the data: one row per type and property, with its value types.",
            ),
            f: |ctx| schema::rel_type_properties(ctx.graph()),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.schema.visualization",
                &[
                    ("nodes", "LIST<NODE>"),
                    ("relationships", "LIST<RELATIONSHIP>"),
                ],
                "Visualizes the schema of the data: a virtual node per label and a virtual relationship per (label, type, label) that occurs.",
            ),
            f: |ctx| schema::visualization(ctx.graph()),
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.indexes",
                &[
                    ("name", "STRING"),
                    ("type", "STRING"),
                    ("entityType", "STRING"),
                    ("labelsOrTypes", "LIST<STRING>"),
                    ("properties", "LIST<STRING>"),
                    ("owningConstraint", "STRING"),
                ],
                "Lists the property indexes (also `SHOW INDEXES`): RANGE or TEXT, each answering equality, range, prefix and substring scans.",
            ),
            f: |ctx| {
                let constraints = ctx.graph().constraints()?;
                Ok(ctx
                    .graph()
                    .indexes()?
                    .into_iter()
                    .map(|ix| {
                        let owner = constraints
                            .iter()
                            .find(|c| c.owned_index.as_deref() == Some(ix.name.as_str()))
                            .map(|c| Value::String(c.name.clone()));
                        vec![
                            Value::String(ix.name.clone()),
                            Value::String(ix.kind.name().into()),
                            Value::String("NODE".into()),
                            labels_of(&ix.label),
                            Value::List(vec![Value::String(ix.property.clone())]),
                            owner.unwrap_or(Value::Null),
                        ]
                    })
                    .collect())
            },
        }),
        Arc::new(Builtin {
            sig: sig(
                "db.constraints",
                &[
                    ("id", "INTEGER"),
                    ("name", "STRING"),
                    ("type", "STRING"),
                    ("entityType", "STRING"),
                    ("labelsOrTypes", "LIST<STRING>"),
                    ("properties", "LIST<STRING>"),
                    ("ownedIndex", "STRING"),
                    ("propertyType", "STRING"),
                ],
                "Lists the constraints (also `SHOW CONSTRAINTS`), in Neo4j 5's columns.",
            ),
            f: |ctx| {
                Ok(ctx
                    .graph()
                    .constraints()?
                    .into_iter()
                    .map(|c| {
                        let strings = |v: &[String]| {
                            Value::List(v.iter().map(|s| Value::String(s.clone())).collect())
                        };
                        vec![
                            Value::Int(c.id as i64),
                            Value::String(c.name.clone()),
                            Value::String(c.type_name().into()),
                            Value::String(
                                if c.on_relationships { "RELATIONSHIP" } else { "NODE" }.into(),
                            ),
                            strings(std::slice::from_ref(&c.label)),
                            strings(&c.properties),
                            c.owned_index.clone().map_or(Value::Null, Value::String),
                            match &c.kind {
                                crate::store::ConstraintKind::Type(t) => Value::String(t.to_string()),
                                _ => Value::Null,
                            },
                        ]
                    })
                    .collect())
            },
        }),
        Arc::new(Builtin {
            sig: sig(
                "kg.functions",
                &[
                    ("name", "STRING"),
                    ("category", "STRING"),
                    ("description", "STRING"),
                    ("signature", "STRING"),
                    ("isBuiltIn", "BOOLEAN"),
                    ("argumentDescription", "LIST<MAP>"),
                    ("returnDescription", "STRING"),
                    ("aggregating", "BOOLEAN"),
                    ("rolesExecution", "LIST<STRING>"),
                    ("rolesBoostedExecution", "LIST<STRING>"),
                    ("isDeprecated", "BOOLEAN"),
                    ("deprecatedBy", "STRING"),
                    ("arguments", "STRING"),
                ],
                "Lists the built-in functions (also `SHOW FUNCTIONS`).",
            ),
            f: |_| {
                // By name, as Neo4j lists them.
                let mut all: Vec<_> = crate::functions::all().iter().collect();
                all.sort_by_key(|f| f.name);
                Ok(all.into_iter().map(function_row).collect())
            },
        }),
        Arc::new(Builtin {
            sig: sig(
                "kg.procedures",
                &[
                    ("name", "STRING"),
                    ("signature", "STRING"),
                    ("description", "STRING"),
                    ("mode", "STRING"),
                    ("worldAffecting", "BOOLEAN"),
                    ("admin", "BOOLEAN"),
                ],
                "Lists the procedures available to CALL.",
            ),
            f: |ctx| {
                Ok(ctx
                    .procedures()
                    .into_iter()
                    .map(|s| {
                        vec![
                            Value::String(s.name.clone()),
                            Value::String(s.display()),
                            Value::String(s.description.clone()),
                            // Every procedure reads the graph only (`ProcedureContext`).
                            Value::String("READ".into()),
                            Value::Bool(false),
                            Value::Bool(false),
                        ]
                    })
                    .collect())
            },
        }),
    ]
}

#[cfg(test)]
mod tests {
    /// `SHOW … YIELD *` expands to the parser's own column lists: they must be the signatures'.
    #[test]
    fn show_columns_are_the_signatures_outputs() {
        for p in [
            "db.indexes",
            "db.constraints",
            "kg.procedures",
            "kg.functions",
        ] {
            assert_eq!(
                crate::parser::show::all_columns(p),
                super::builtin_outputs(p),
                "{p}"
            );
        }
    }
}
