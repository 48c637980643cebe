//! Neo4j's typed JSON (`application/vnd.neo4j.query`): every value is `{"$type": T, "_value":
//! V}`, so a client can tell a date from a string. The official Python driver's `http://` mode
//! speaks only this format, both for parameters and for results. Plain JSON (the default) uses
//! the shapes of `kg query --format json` instead (`render::json`).
//!
//! Element ids are the decimal ids of nodes and relationships (`kg query` shows the same ids).

use serde_json::{json, Map, Value as Json};

use crate::model::{Node, Path, Properties, Relationship};
use crate::render::format_float;
use crate::temporal::TimeZone;
use crate::value::{Crs, Point, Value};

fn typed(t: &str, v: Json) -> Json {
    json!({ "$type": t, "_value": v })
}

/// `value` in typed JSON.
pub fn to_typed(value: &Value) -> Json {
    match value {
        Value::Null => typed("Null", Json::Null),
        Value::Bool(b) => typed("Boolean", Json::Bool(*b)),
        Value::Int(i) => typed("Integer", Json::String(i.to_string())),
        Value::Float(f) => typed("Float", Json::String(crate::render::format_float(*f))),
        Value::String(s) => typed("String", Json::String(s.clone())),
        Value::List(items) => typed("List", Json::Array(items.iter().map(to_typed).collect())),
        Value::Map(m) => typed(
            "Map",
            Json::Object(m.iter().map(|(k, v)| (k.clone(), to_typed(v))).collect()),
        ),
        Value::Date(_) => temporal("Date", value),
        Value::LocalTime(_) => temporal("LocalTime", value),
        Value::Time(_) => temporal("Time", value),
        Value::LocalDateTime(_) => temporal("LocalDateTime", value),
        Value::DateTime(dt) => match dt.timezone() {
            TimeZone::Named(_) => temporal("ZonedDateTime", value),
            TimeZone::Offset(_) => temporal("OffsetDateTime", value),
        },
        Value::Duration(_) => temporal("Duration", value),
        Value::Point(p) => typed("Point", Json::String(wkt(p))),
        Value::Node(n) => node(n),
        Value::Relationship(r) => relationship(r),
        Value::Path(p) => path(p),
        // Resolved before results leave the engine; an id is all there is to show.
        Value::NodeRef(id) => typed(
            "Node",
            json!({ "_element_id": id.to_string(), "_labels": [], "_properties": {} }),
        ),
        Value::RelRef(_) | Value::PathRef(_) => typed("Null", Json::Null),
    }
}

/// A point as the Query API writes it: `SRID=4326;POINT (12.5 55.6)` (`POINT Z` in 3D).
fn wkt(p: &Point) -> String {
    let coords: Vec<String> = p.coords().iter().map(|c| format_float(*c)).collect();
    let z = if coords.len() == 3 { " Z" } else { "" };
    format!("SRID={};POINT{z} ({})", p.crs().srid(), coords.join(" "))
}

/// The point of a `SRID=…;POINT (…)` text (see [`wkt`]).
fn point_from_wkt(text: &str) -> Result<Value, String> {
    let bad = || format!("`{text}` is not a point (`SRID=7203;POINT (1.0 2.0)`)");
    let (srid, rest) = text.trim().split_once(';').ok_or_else(bad)?;
    let srid: i64 = srid
        .trim()
        .strip_prefix("SRID=")
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let rest = rest.trim();
    let body = rest
        .strip_prefix("POINT Z")
        .or_else(|| rest.strip_prefix("POINT"))
        .ok_or_else(bad)?
        .trim()
        .strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .ok_or_else(bad)?;
    let coords = body
        .split_whitespace()
        .map(|c| c.parse::<f64>().map_err(|_| bad()))
        .collect::<Result<Vec<f64>, String>>()?;
    let crs = Crs::from_srid(srid)
        .ok_or_else(|| format!("Unknown coordinate reference system: code={srid}"))?;
    Ok(Value::Point(Box::new(Point::new(crs, &coords)?)))
}

fn temporal(t: &str, v: &Value) -> Json {
    typed(t, Json::String(v.temporal_text().unwrap_or_default()))
}

fn props(p: &Properties) -> Json {
    Json::Object(p.iter().map(|(k, v)| (k.clone(), to_typed(v))).collect())
}

fn node(n: &Node) -> Json {
    typed(
        "Node",
        json!({
            "_element_id": n.id.to_string(),
            "_labels": n.labels,
            "_properties": props(&n.properties),
        }),
    )
}

fn relationship(r: &Relationship) -> Json {
    typed(
        "Relationship",
        json!({
            "_element_id": r.id.to_string(),
            "_start_node_element_id": r.start.to_string(),
            "_end_node_element_id": r.end.to_string(),
            "_type": r.rel_type,
            "_properties": props(&r.properties),
        }),
    )
}

/// A path as the alternating list node, relationship, node, …
fn path(p: &Path) -> Json {
    let mut items = Vec::with_capacity(p.nodes.len() + p.relationships.len());
    for (i, n) in p.nodes.iter().enumerate() {
        items.push(node(n));
        if let Some(r) = p.relationships.get(i) {
            items.push(relationship(r));
        }
    }
    typed("Path", Json::Array(items))
}

/// A parameter value from typed JSON. Untyped JSON is read as plain JSON, so a hand-written
/// request may mix both.
pub fn from_typed(json: &Json) -> Result<Value, String> {
    let Json::Object(obj) = json else {
        return Ok(crate::params::from_json(json));
    };
    let (Some(Json::String(t)), Some(v), 2) = (obj.get("$type"), obj.get("_value"), obj.len())
    else {
        return map(obj);
    };
    let text = || {
        v.as_str()
            .ok_or_else(|| format!("a {t} value must be given as a string"))
    };
    let temporal = |function: &str| {
        let s = text()?;
        crate::value::parse_tagged(function, s)
            .ok_or_else(|| format!("`{s}` is not a valid {t} value"))
    };
    Ok(match t.as_str() {
        "Null" => Value::Null,
        "Boolean" => Value::Bool(
            v.as_bool()
                .ok_or_else(|| "a Boolean value must be true or false".to_string())?,
        ),
        "Integer" => match v {
            Json::Number(n) => Value::Int(
                n.as_i64()
                    .ok_or_else(|| format!("{n} is not a 64-bit integer"))?,
            ),
            _ => {
                let s = text()?;
                Value::Int(
                    s.trim()
                        .parse()
                        .map_err(|_| format!("`{s}` is not a 64-bit integer"))?,
                )
            }
        },
        "Float" => match v {
            Json::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            _ => {
                let s = text()?;
                Value::Float(match s.trim() {
                    "NaN" | "-NaN" => f64::NAN,
                    "Infinity" => f64::INFINITY,
                    "-Infinity" => f64::NEG_INFINITY,
                    other => other.parse().map_err(|_| format!("`{s}` is not a float"))?,
                })
            }
        },
        "String" => Value::String(text()?.to_string()),
        "List" => match v {
            Json::Array(items) => {
                Value::List(items.iter().map(from_typed).collect::<Result<_, _>>()?)
            }
            _ => return Err("a List value must be a JSON array".into()),
        },
        "Map" => match v {
            Json::Object(m) => map(m)?,
            _ => return Err("a Map value must be a JSON object".into()),
        },
        "Date" => temporal("date")?,
        "LocalTime" => temporal("localtime")?,
        "Time" => temporal("time")?,
        "LocalDateTime" => temporal("localdatetime")?,
        "OffsetDateTime" | "ZonedDateTime" => temporal("datetime")?,
        "Duration" => temporal("duration")?,
        "Point" => point_from_wkt(text()?)?,
        other => {
            return Err(format!(
                "parameters of type {other} are not supported by kgstore"
            ))
        }
    })
}

fn map(obj: &Map<String, Json>) -> Result<Value, String> {
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in obj {
        out.insert(k.clone(), from_typed(v)?);
    }
    Ok(Value::Map(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse_literal;

    #[test]
    fn every_type_round_trips() {
        for lit in [
            "null",
            "true",
            "-42",
            "1.5",
            "'智谱'",
            "[1, 'a', [2.0]]",
            "{a: 1, b: {c: 'x'}}",
            "date('2026-01-15')",
            "localtime('09:30:01.5')",
            "time('09:30+08:00')",
            "localdatetime('2026-01-15T09:30')",
            "datetime('2026-01-15T09:30:00Z')",
            "datetime('2026-01-15T09:30+08:00[Asia/Shanghai]')",
            "duration('P1Y2M3DT4H5M6.5S')",
        ] {
            let v = parse_literal(lit).unwrap();
            let j = to_typed(&v);
            assert_eq!(from_typed(&j), Ok(v), "{lit}: {j}");
        }
    }

    #[test]
    fn shapes_the_python_driver_reads() {
        assert_eq!(
            to_typed(&Value::Int(7)).to_string(),
            r#"{"$type":"Integer","_value":"7"}"#
        );
        let dt = parse_literal("datetime('2026-01-15T09:30+08:00[Asia/Shanghai]')").unwrap();
        assert_eq!(to_typed(&dt)["$type"], "ZonedDateTime");
        let dt = parse_literal("datetime('2026-01-15T09:30+08:00')").unwrap();
        assert_eq!(to_typed(&dt)["$type"], "OffsetDateTime");
    }

    #[test]
    fn bad_typed_values_are_errors() {
        for bad in [
            json!({"$type": "Integer", "_value": "x"}),
            json!({"$type": "Date", "_value": "2026-02-30"}),
            json!({"$type": "Point", "_value": "SRID=7203;POINT (1 2 3)"}),
            json!({"$type": "Point", "_value": "SRID=1;POINT (1 2)"}),
            json!({"$type": "Point", "_value": "POINT (1 2)"}),
            json!({"$type": "List", "_value": 3}),
            json!({"$type": "Boolean", "_value": "yes"}),
        ] {
            assert!(from_typed(&bad).is_err(), "{bad}");
        }
        // Plain JSON is read as such.
        assert_eq!(from_typed(&json!(3)), Ok(Value::Int(3)));
    }
}
