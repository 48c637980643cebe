//! Graph algorithms and ownership analytics: a cached CSR projection of the store that
//! petgraph's traits can walk, the `algo.*` / `kg.*` procedures, and `shortestPath` for MATCH.
//!
//! Architecture invariant: only this module imports `petgraph`.

pub mod centrality;
pub mod components;
pub mod ownership;
pub mod paths;
pub mod procs;
pub mod projection;
pub mod register;
pub mod visit;

pub use paths::{shortest_paths, shortest_paths_projected, shortest_paths_with_tick};
pub use procs::{AlgoProcedure, Kind};
pub use projection::{Projection, ProjectionCache, ProjectionSpec};
pub use register::procedures;
