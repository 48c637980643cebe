//! The `algo.*` and `kg.*` procedures: argument checking, projection lookup, and turning
//! algorithm results into rows (nodes as `NodeRef`, paths as `PathRef`).

use std::sync::Arc;

use crate::error::Result;
use crate::model::{Direction, NodeId};
use crate::store::GraphRead;
use crate::value::{PathRef, Value};

use super::centrality::{self, PageRankConfig};
use super::components;
use super::ownership;
use super::paths;
use super::projection::{argument_error, Config, Projection, ProjectionCache, ProjectionSpec};

/// Which procedure a [`AlgoProcedure`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PageRank,
    Degree,
    Betweenness,
    Wcc,
    Scc,
    ShortestPath,
    OwnershipEffective,
    OwnershipControllers,
    SupplyDependents,
}

/// Name, inputs, outputs (name, Cypher type) and a one-line description.
pub struct Spec {
    pub name: &'static str,
    pub inputs: &'static [(&'static str, &'static str)],
    pub outputs: &'static [(&'static str, &'static str)],
    pub description: &'static str,
}

/// Optional trailing input, Neo4j style: `name = default` may be omitted in a CALL.
const CONFIG: (&str, &str) = ("config = {}", "MAP?");

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::PageRank,
        Kind::Degree,
        Kind::Betweenness,
        Kind::Wcc,
        Kind::Scc,
        Kind::ShortestPath,
        Kind::OwnershipEffective,
        Kind::OwnershipControllers,
        Kind::SupplyDependents,
    ];

    pub fn spec(self) -> Spec {
        match self {
            Kind::PageRank => Spec {
                name: "algo.pageRank",
                inputs: &[CONFIG],
                outputs: &[("node", "NODE"), ("score", "FLOAT")],
                description: "PageRank (NetworkX definition): config dampingFactor (0.85), tolerance (1e-10), maxIterations (1000), labels, relationshipTypes",
            },
            Kind::Degree => Spec {
                name: "algo.degree",
                inputs: &[CONFIG],
                outputs: &[("node", "NODE"), ("inDegree", "INTEGER"), ("outDegree", "INTEGER"), ("degree", "INTEGER")],
                description: "In-, out- and total degree within the projection: config labels, relationshipTypes",
            },
            Kind::Betweenness => Spec {
                name: "algo.betweenness",
                inputs: &[CONFIG],
                outputs: &[("node", "NODE"), ("score", "FLOAT")],
                description: "Brandes betweenness, directed and unnormalised (NetworkX normalized=False): config labels, relationshipTypes",
            },
            Kind::Wcc => Spec {
                name: "algo.wcc",
                inputs: &[CONFIG],
                outputs: &[("node", "NODE"), ("componentId", "INTEGER")],
                description: "Weakly connected components; componentId is the smallest node id in the component: config labels, relationshipTypes",
            },
            Kind::Scc => Spec {
                name: "algo.scc",
                inputs: &[CONFIG],
                outputs: &[("node", "NODE"), ("componentId", "INTEGER")],
                description: "Strongly connected components; componentId is the smallest node id in the component: config labels, relationshipTypes",
            },
            Kind::ShortestPath => Spec {
                name: "algo.shortestPath",
                inputs: &[("source", "NODE"), ("target", "NODE"), CONFIG],
                outputs: &[("path", "PATH"), ("cost", "FLOAT")],
                description: "Shortest path: Dijkstra on config weight (a relationship property; defaultWeight for missing values), hop count without it; config direction (OUTGOING, INCOMING, BOTH), labels, relationshipTypes",
            },
            Kind::OwnershipEffective => Spec {
                name: "kg.ownership.effective",
                inputs: &[("name", "STRING")],
                outputs: &[("company", "NODE"), ("stake", "FLOAT"), ("paths", "LIST<PATH>")],
                description: "Every organisation the named party owns directly or indirectly with its effective stake (sum over OWNS walks of the product of stakes, cycles solved exactly); stake is null when a chain crosses an unknown stake",
            },
            Kind::OwnershipControllers => Spec {
                name: "kg.ownership.controllers",
                inputs: &[("name", "STRING")],
                outputs: &[("controller", "NODE"), ("path", "PATH")],
                description: "Ultimate controllers of the named organisation via CONTROLS (precedence) and majority OWNS chains, with the control chain",
            },
            Kind::SupplyDependents => Spec {
                name: "kg.supply.dependents",
                inputs: &[("name", "STRING")],
                outputs: &[("dependent", "NODE"), ("depth", "INTEGER")],
                description: "Who depends on the named supplier directly or through SUPPLIES chains, with the shortest chain length",
            },
        }
    }
}

/// One procedure instance; all procedures of a database share one projection cache.
pub struct AlgoProcedure {
    pub kind: Kind,
    pub cache: Arc<ProjectionCache>,
}

impl AlgoProcedure {
    /// Runs the procedure. `generation` is the committed store generation the graph view
    /// shows, or `None` for a view with uncommitted writes (no caching then).
    pub fn run(
        &self,
        graph: &dyn GraphRead,
        generation: Option<u64>,
        args: &[Value],
    ) -> Result<Vec<Vec<Value>>> {
        let spec = self.kind.spec();
        let max = spec.inputs.len();
        let min = spec
            .inputs
            .iter()
            .filter(|(_, t)| !t.ends_with('?'))
            .count();
        if args.len() < min || args.len() > max {
            return Err(argument_error(format!(
                "{} takes {} argument{}, got {}",
                spec.name,
                if min == max {
                    format!("{min}")
                } else {
                    format!("{min} to {max}")
                },
                if max == 1 { "" } else { "s" },
                args.len()
            )));
        }
        let name = spec.name;
        match self.kind {
            Kind::PageRank => {
                let cfg = Config::parse(
                    name,
                    args.first(),
                    &["dampingFactor", "tolerance", "maxIterations"],
                )?;
                let defaults = PageRankConfig::default();
                let pr = PageRankConfig {
                    damping: cfg.float("dampingFactor", defaults.damping)?,
                    tolerance: cfg.float("tolerance", defaults.tolerance)?,
                    max_iterations: u32::try_from(
                        cfg.int("maxIterations", i64::from(defaults.max_iterations))?,
                    )
                    .map_err(|_| {
                        argument_error(format!("{name}: maxIterations must be between 0 and 2^32"))
                    })?,
                };
                let proj = self.project(graph, generation, &cfg)?;
                let scores = centrality::page_rank(&proj, &pr)?;
                Ok(per_node(&proj, |v| vec![Value::Float(scores[v])]))
            }
            Kind::Degree => {
                let cfg = Config::parse(name, args.first(), &[])?;
                let proj = self.project(graph, generation, &cfg)?;
                let deg = centrality::degrees(&proj);
                Ok(per_node(&proj, |v| {
                    let (i, o) = deg[v];
                    vec![
                        Value::Int(i as i64),
                        Value::Int(o as i64),
                        Value::Int((i + o) as i64),
                    ]
                }))
            }
            Kind::Betweenness => {
                let cfg = Config::parse(name, args.first(), &[])?;
                let proj = self.project(graph, generation, &cfg)?;
                let score = centrality::betweenness(&proj)?;
                Ok(per_node(&proj, |v| vec![Value::Float(score[v])]))
            }
            Kind::Wcc | Kind::Scc => {
                let cfg = Config::parse(name, args.first(), &[])?;
                let proj = self.project(graph, generation, &cfg)?;
                let comp = if self.kind == Kind::Wcc {
                    components::weakly_connected(&proj)
                } else {
                    components::strongly_connected(&proj)
                };
                Ok(per_node(&proj, |v| vec![Value::Int(comp[v] as i64)]))
            }
            Kind::ShortestPath => self.shortest_path(graph, generation, args),
            Kind::OwnershipEffective => {
                let mut rows = Vec::new();
                for party in named(graph, name, args)? {
                    for h in ownership::effective_stakes(graph, party)? {
                        rows.push(vec![
                            Value::NodeRef(h.company),
                            h.stake.map_or(Value::Null, Value::Float),
                            Value::List(h.paths.into_iter().map(path_value).collect()),
                        ]);
                    }
                }
                Ok(rows)
            }
            Kind::OwnershipControllers => {
                let mut rows = Vec::new();
                for company in named(graph, name, args)? {
                    for (c, path) in ownership::ultimate_controllers(graph, company)? {
                        rows.push(vec![Value::NodeRef(c), path_value(path)]);
                    }
                }
                Ok(rows)
            }
            Kind::SupplyDependents => {
                let mut rows = Vec::new();
                for supplier in named(graph, name, args)? {
                    for (d, depth) in ownership::supply_dependents(graph, supplier)? {
                        rows.push(vec![Value::NodeRef(d), Value::Int(i64::from(depth))]);
                    }
                }
                Ok(rows)
            }
        }
    }

    fn project(
        &self,
        graph: &dyn GraphRead,
        generation: Option<u64>,
        cfg: &Config,
    ) -> Result<Arc<Projection>> {
        self.cache
            .get(graph, generation, &ProjectionSpec::from_config(cfg)?)
    }

    fn shortest_path(
        &self,
        graph: &dyn GraphRead,
        generation: Option<u64>,
        args: &[Value],
    ) -> Result<Vec<Vec<Value>>> {
        let name = "algo.shortestPath";
        let (Some(source), Some(target)) = (
            node_arg(name, "source", &args[0])?,
            node_arg(name, "target", &args[1])?,
        ) else {
            return Ok(Vec::new()); // a null endpoint (e.g. from OPTIONAL MATCH) has no path
        };
        let cfg = Config::parse(name, args.get(2), &["weight", "defaultWeight", "direction"])?;
        let direction = match cfg
            .string("direction")?
            .map(|s| s.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("OUTGOING") => Direction::Outgoing,
            Some("INCOMING") => Direction::Incoming,
            Some("BOTH") | Some("UNDIRECTED") => Direction::Both,
            Some(other) => {
                return Err(argument_error(format!(
                    "{name}: config direction must be OUTGOING, INCOMING or BOTH, got '{other}'"
                )))
            }
        };
        let proj = self.project(graph, generation, &cfg)?;
        match cfg.string("weight")? {
            None => {
                let found = paths::shortest_paths_projected(
                    &proj,
                    source,
                    target,
                    direction,
                    &[],
                    0,
                    None,
                    false,
                )?;
                Ok(found
                    .into_iter()
                    .map(|p| {
                        let hops = p.rels.len() as f64;
                        vec![path_value(p), Value::Float(hops)]
                    })
                    .collect())
            }
            Some(key) => {
                let default = match cfg.get("defaultWeight") {
                    None => None,
                    Some(_) => Some(cfg.float("defaultWeight", 0.0)?),
                };
                let mut weight = |rel| -> Result<f64> {
                    let w = match graph.relationship_property(rel, &key)? {
                        Some(Value::Int(i)) => i as f64,
                        Some(Value::Float(f)) => f,
                        None | Some(Value::Null) => default.ok_or_else(|| {
                            argument_error(format!(
                                "{name}: relationship {rel} has no `{key}` property (set defaultWeight in the config to use a default)"
                            ))
                        })?,
                        Some(other) => {
                            return Err(argument_error(format!(
                                "{name}: weight `{key}` of relationship {rel} is {}, not a number",
                                other.type_name()
                            )))
                        }
                    };
                    if w.is_nan() || w < 0.0 {
                        return Err(argument_error(format!(
                            "{name}: weight `{key}` of relationship {rel} is {w}; Dijkstra needs non-negative weights"
                        )));
                    }
                    Ok(w)
                };
                Ok(
                    paths::dijkstra(&proj, source, target, direction, &mut weight)?
                        .map(|(p, cost)| vec![path_value(p), Value::Float(cost)])
                        .into_iter()
                        .collect(),
                )
            }
        }
    }
}

/// One row per projected node: the node then `cols(dense index)`.
fn per_node(proj: &Projection, mut cols: impl FnMut(usize) -> Vec<Value>) -> Vec<Vec<Value>> {
    (0..proj.node_count())
        .map(|v| {
            let mut row = vec![Value::NodeRef(proj.node_id(v as u32))];
            row.extend(cols(v));
            row
        })
        .collect()
}

fn path_value(p: PathRef) -> Value {
    Value::PathRef(Box::new(p))
}

/// A node argument: a node (value or reference) or an integer node id; `None` for null.
fn node_arg(procedure: &str, what: &str, v: &Value) -> Result<Option<NodeId>> {
    match v {
        Value::Null => Ok(None),
        Value::NodeRef(id) => Ok(Some(*id)),
        Value::Node(n) => Ok(Some(n.id)),
        Value::Int(i) if *i >= 0 => Ok(Some(*i as NodeId)),
        other => Err(argument_error(format!(
            "{procedure}: {what} must be a node, got {}",
            other.type_name()
        ))),
    }
}

/// The nodes named by the single STRING argument (a null name names nothing).
fn named(graph: &dyn GraphRead, procedure: &str, args: &[Value]) -> Result<Vec<NodeId>> {
    match args.first() {
        Some(Value::String(s)) => ownership::find_by_name(graph, s),
        Some(Value::Null) | None => Ok(Vec::new()),
        Some(other) => Err(argument_error(format!(
            "{procedure}: name must be a string, got {}",
            other.type_name()
        ))),
    }
}
