//! Bolt 5.0–5.4, the protocol of every official Neo4j driver.

pub mod packstream;
pub mod values;
