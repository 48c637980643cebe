//! The JSON format and the JSON shape of values (shared with jsonl and exporters):
//! one line `{"columns": [...], "rows": [[...]], "stats": {...}}` per statement, plus
//! `"why": [{...}]` (one provenance object per row) when the statement ran with `--why`.
//!
//! Shapes (a public contract): node `{"id", "labels", "properties"}`, relationship
//! `{"id", "type", "start", "end", "properties"}`, path `{"nodes", "relationships"}`, date an
//! ISO string, floats always with `.` or exponent (non-finite floats as the strings `"NaN"`,
//! `"Infinity"`, `"-Infinity"`, which JSON cannot spell as numbers), point as Neo4j's HTTP API
//! writes it (a GeoJSON geometry with Neo4j's `crs` object, see [`point_json`]).

use std::io::{self, Write};

use serde_json::{json, Map, Value as Json};

use crate::model::{Node, Path, Properties, Relationship};
use crate::result::{QueryResult, WriteStats};
use crate::value::{Crs, Point, Value};

use super::format_float;

pub fn render(result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    let mut obj = Map::new();
    obj.insert("columns".into(), json!(result.columns));
    let rows: Vec<Json> = result
        .rows
        .iter()
        .map(|row| Json::Array(row.iter().map(to_json).collect()))
        .collect();
    obj.insert("rows".into(), Json::Array(rows));
    if let Some(whys) = &result.why {
        // Provenance (`--why`): one object per row, in row order (`RowWhy::to_value`).
        let whys = whys.iter().map(|w| to_json(&w.to_value())).collect();
        obj.insert(super::why::WHY_FIELD.into(), Json::Array(whys));
    }
    if !result.stats.is_empty() {
        obj.insert("stats".into(), stats_json(&result.stats));
    }
    serde_json::to_writer(&mut *out, &Json::Object(obj)).map_err(io::Error::from)?;
    writeln!(out)
}

/// The non-zero write counters by name (`nodes_created`, `properties_set`, …).
pub fn stats_json(s: &WriteStats) -> Json {
    let all = [
        ("nodes_created", s.nodes_created),
        ("nodes_deleted", s.nodes_deleted),
        ("relationships_created", s.relationships_created),
        ("relationships_deleted", s.relationships_deleted),
        ("properties_set", s.properties_set),
        ("labels_added", s.labels_added),
        ("labels_removed", s.labels_removed),
        ("indexes_added", s.indexes_added),
        ("indexes_removed", s.indexes_removed),
        ("constraints_added", s.constraints_added),
        ("constraints_removed", s.constraints_removed),
    ];
    let mut map = Map::new();
    for (k, v) in all {
        if v > 0 {
            map.insert(k.into(), json!(v));
        }
    }
    Json::Object(map)
}

/// A value in the JSON output contract.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::Float(f) => float_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => Json::String(value.temporal_text().unwrap_or_default()),
        Value::Point(p) => point_json(p),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Value::Node(n) => node_json(n),
        Value::Relationship(r) => relationship_json(r),
        Value::Path(p) => path_json(p),
        Value::NodeRef(id) => json!({ "id": id }),
        Value::RelRef(id) => json!({ "id": id }),
        Value::PathRef(p) => json!({ "nodes": p.nodes, "relationships": p.rels }),
    }
}

/// A point as Neo4j's HTTP API writes it: `{"type": "Point", "coordinates": [x, y(, z)],
/// "crs": {"srid", "name", "type": "link", "properties": {"href", "type": "ogcwkt"}}}`, a
/// GeoJSON geometry that names its system. `kg import` reads it back (`value_from_json`).
pub fn point_json(p: &Point) -> Json {
    let srid = p.crs().srid();
    let registry = if p.crs().is_geographic() {
        "epsg"
    } else {
        "sr-org"
    };
    json!({
        "type": "Point",
        "coordinates": p.coords(),
        "crs": {
            "srid": srid,
            "name": p.crs().name(),
            "type": "link",
            "properties": {
                "href": format!("http://spatialreference.org/ref/{registry}/{srid}/ogcwkt/"),
                "type": "ogcwkt",
            },
        },
    })
}

/// The point a JSON object in the [`point_json`] shape stands for (only `type`,
/// `coordinates` and `crs.srid` are read); `None` for any other JSON.
pub fn point_from_json(j: &Json) -> Option<Point> {
    let o = j.as_object()?;
    if o.get("type")?.as_str()? != "Point" {
        return None;
    }
    let srid = o.get("crs")?.get("srid")?.as_i64()?;
    let coords: Vec<f64> = o
        .get("coordinates")?
        .as_array()?
        .iter()
        .map(Json::as_f64)
        .collect::<Option<_>>()?;
    Point::new(Crs::from_srid(srid)?, &coords).ok()
}

fn float_json(f: f64) -> Json {
    // serde_json prints finite floats with ryu, which keeps `1.0` and exponents.
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .unwrap_or_else(|| Json::String(format_float(f)))
}

fn props_json(p: &Properties) -> Json {
    Json::Object(p.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

pub fn node_json(n: &Node) -> Json {
    json!({ "id": n.id, "labels": n.labels, "properties": props_json(&n.properties) })
}

pub fn relationship_json(r: &Relationship) -> Json {
    json!({
        "id": r.id,
        "type": r.rel_type,
        "start": r.start,
        "end": r.end,
        "properties": props_json(&r.properties),
    })
}

pub fn path_json(p: &Path) -> Json {
    json!({
        "nodes": p.nodes.iter().map(node_json).collect::<Vec<_>>(),
        "relationships": p.relationships.iter().map(relationship_json).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Date;

    #[test]
    fn contract_shapes() {
        let mut props = Properties::new();
        props.insert("name".into(), Value::from("智谱"));
        props.insert(
            "founded".into(),
            Value::Date(Date::new(2019, 6, 1).unwrap()),
        );
        let n = Node {
            id: 3,
            labels: vec!["Company".into()],
            properties: props,
        };
        let r = QueryResult {
            columns: vec!["n".into(), "x".into()],
            rows: vec![vec![Value::Node(Box::new(n)), Value::Float(1.0)]],
            stats: WriteStats {
                nodes_created: 1,
                ..WriteStats::default()
            },
            plan: None,
            why: None,
        };
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"columns\":[\"n\",\"x\"],\"rows\":[[{\"id\":3,\"labels\":[\"Company\"],\"properties\":{\"founded\":\"2019-06-01\",\"name\":\"智谱\"}},1.0]],\"stats\":{\"nodes_created\":1}}\n"
        );
    }

    #[test]
    fn floats_keep_their_point() {
        assert_eq!(to_json(&Value::Float(2.0)).to_string(), "2.0");
        assert_eq!(to_json(&Value::Float(1e300)).to_string(), "1e+300");
        assert_eq!(to_json(&Value::Float(f64::NAN)).to_string(), "\"NaN\"");
    }
}
