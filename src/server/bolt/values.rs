//! Our [`Value`]s as PackStream values and back: the Bolt 5 structures for graph entities and
//! temporal types.
//!
//! The structures (tag byte, fields), as Bolt 5.0–5.4 and the drivers' hydration code
//! (`neo4j-python-driver`: `_codec/hydration/bolt/v1`, `v2`) define them:
//!
//! | type | tag | fields |
//! |---|---|---|
//! | Node | `N` 0x4E | id, labels, properties, element_id |
//! | Relationship | `R` 0x52 | id, start id, end id, type, properties, element_id, start element_id, end element_id |
//! | UnboundRelationship | `r` 0x72 | id, type, properties, element_id |
//! | Path | `P` 0x50 | nodes (distinct), unbound relationships (distinct), indices |
//! | Date | `D` 0x44 | days since 1970-01-01 |
//! | Time | `T` 0x54 | nanoseconds since local midnight, offset seconds |
//! | LocalTime | `t` 0x74 | nanoseconds since midnight |
//! | DateTime | `I` 0x49 | UTC seconds since the epoch, nanoseconds, offset seconds |
//! | DateTimeZoneId | `i` 0x69 | UTC seconds since the epoch, nanoseconds, zone id |
//! | LocalDateTime | `d` 0x64 | seconds since the epoch as if UTC, nanoseconds |
//! | Duration | `E` 0x45 | months, days, seconds, nanoseconds |
//! | Point2D | `X` 0x58 | srid, x, y |
//! | Point3D | `Y` 0x59 | srid, x, y, z |
//!
//! Element ids are the decimal ids, the same text `elementId()` returns, so a driver's
//! `node.element_id` can be passed back into `WHERE elementId(n) = $id`. The Path `indices`
//! alternate a relationship index (1-based; negative when the relationship is traversed
//! against its direction) and a node index. The legacy 4.x date-time tags `F`/`f` (local
//! seconds) are not accepted: Bolt 5 uses only the UTC forms.

use std::collections::BTreeMap;

use super::packstream::PackValue;
use crate::model::{Node, Path, Relationship};
use crate::temporal::{
    DateTime, Duration, LocalDateTime, LocalTime, Time, TimeZone, Zone, MAX_EPOCH_DAY,
    MAX_OFFSET_SECONDS, MIN_EPOCH_DAY, NANOS_PER_DAY, NANOS_PER_SECOND,
};
use crate::value::{Crs, Date, Point, Value};

pub const NODE: u8 = b'N';
pub const RELATIONSHIP: u8 = b'R';
pub const UNBOUND_RELATIONSHIP: u8 = b'r';
pub const PATH: u8 = b'P';
pub const DATE: u8 = b'D';
pub const TIME: u8 = b'T';
pub const LOCAL_TIME: u8 = b't';
pub const DATE_TIME: u8 = b'I';
pub const DATE_TIME_ZONE_ID: u8 = b'i';
pub const LOCAL_DATE_TIME: u8 = b'd';
pub const DURATION: u8 = b'E';
pub const POINT_2D: u8 = b'X';
pub const POINT_3D: u8 = b'Y';

fn st(tag: u8, fields: Vec<PackValue>) -> PackValue {
    PackValue::Struct { tag, fields }
}

fn props(p: &BTreeMap<String, Value>) -> PackValue {
    PackValue::Map(p.iter().map(|(k, v)| (k.clone(), to_pack(v))).collect())
}

fn eid(id: u64) -> PackValue {
    PackValue::String(id.to_string())
}

fn node(n: &Node) -> PackValue {
    st(
        NODE,
        vec![
            PackValue::Int(n.id as i64),
            PackValue::List(n.labels.iter().cloned().map(PackValue::String).collect()),
            props(&n.properties),
            eid(n.id),
        ],
    )
}

fn relationship(r: &Relationship) -> PackValue {
    st(
        RELATIONSHIP,
        vec![
            PackValue::Int(r.id as i64),
            PackValue::Int(r.start as i64),
            PackValue::Int(r.end as i64),
            PackValue::String(r.rel_type.clone()),
            props(&r.properties),
            eid(r.id),
            eid(r.start),
            eid(r.end),
        ],
    )
}

/// The position of `n` in `nodes`, appending it when new (paths are short: a linear scan).
fn node_index<'a>(nodes: &mut Vec<&'a Node>, n: &'a Node) -> i64 {
    match nodes.iter().position(|m| m.id == n.id) {
        Some(i) => i as i64,
        None => {
            nodes.push(n);
            (nodes.len() - 1) as i64
        }
    }
}

fn path(p: &Path) -> PackValue {
    let mut nodes: Vec<&Node> = Vec::new();
    let mut rels: Vec<&Relationship> = Vec::new();
    let mut indices = Vec::with_capacity(p.relationships.len() * 2);
    let Some(first) = p.nodes.first() else {
        return PackValue::Null;
    };
    node_index(&mut nodes, first);
    for (i, r) in p.relationships.iter().enumerate() {
        let Some(next) = p.nodes.get(i + 1) else {
            break;
        };
        let prev = &p.nodes[i];
        let ri = match rels.iter().position(|x| x.id == r.id) {
            Some(k) => k as i64 + 1,
            None => {
                rels.push(r);
                rels.len() as i64
            }
        };
        let forward = r.start == prev.id && r.end == next.id;
        indices.push(PackValue::Int(if forward { ri } else { -ri }));
        indices.push(PackValue::Int(node_index(&mut nodes, next)));
    }
    st(
        PATH,
        vec![
            PackValue::List(nodes.into_iter().map(node).collect()),
            PackValue::List(
                rels.into_iter()
                    .map(|r| {
                        st(
                            UNBOUND_RELATIONSHIP,
                            vec![
                                PackValue::Int(r.id as i64),
                                PackValue::String(r.rel_type.clone()),
                                props(&r.properties),
                                eid(r.id),
                            ],
                        )
                    })
                    .collect(),
            ),
            PackValue::List(indices),
        ],
    )
}

/// A result value as PackStream (what a RECORD carries).
pub fn to_pack(v: &Value) -> PackValue {
    match v {
        Value::Null => PackValue::Null,
        Value::Bool(b) => PackValue::Bool(*b),
        Value::Int(i) => PackValue::Int(*i),
        Value::Float(f) => PackValue::Float(*f),
        Value::String(s) => PackValue::String(s.clone()),
        Value::List(items) => PackValue::List(items.iter().map(to_pack).collect()),
        Value::Map(m) => props(m),
        Value::Date(d) => st(DATE, vec![PackValue::Int(d.to_days())]),
        Value::LocalTime(t) => st(LOCAL_TIME, vec![PackValue::Int(t.nanos_of_day())]),
        Value::Time(t) => st(
            TIME,
            vec![
                PackValue::Int(t.time.nanos_of_day()),
                PackValue::Int(i64::from(t.offset)),
            ],
        ),
        Value::LocalDateTime(t) => st(
            LOCAL_DATE_TIME,
            vec![
                PackValue::Int(t.epoch_second()),
                PackValue::Int(t.time.nanosecond()),
            ],
        ),
        Value::DateTime(t) => {
            let seconds = PackValue::Int(t.epoch_second());
            let nanos = PackValue::Int(t.local.time.nanosecond());
            match t.zone {
                Some(z) => st(
                    DATE_TIME_ZONE_ID,
                    vec![seconds, nanos, PackValue::String(z.name().to_string())],
                ),
                None => st(
                    DATE_TIME,
                    vec![seconds, nanos, PackValue::Int(i64::from(t.offset))],
                ),
            }
        }
        Value::Duration(d) => st(
            DURATION,
            vec![
                PackValue::Int(d.months),
                PackValue::Int(d.days),
                PackValue::Int(d.seconds),
                PackValue::Int(i64::from(d.nanos)),
            ],
        ),
        Value::Point(p) => {
            let mut fields = vec![PackValue::Int(p.crs().srid())];
            fields.extend(p.coords().iter().map(|c| PackValue::Float(*c)));
            st(
                if fields.len() == 3 {
                    POINT_2D
                } else {
                    POINT_3D
                },
                fields,
            )
        }
        Value::Node(n) => node(n),
        Value::Relationship(r) => relationship(r),
        Value::Path(p) => path(p),
        // The engine resolves references before a result leaves it; ids alone would be
        // misleading, so an unresolved one (never expected) is sent as null.
        Value::NodeRef(_) | Value::RelRef(_) | Value::PathRef(_) => PackValue::Null,
    }
}

/// A parameter value a client sent, as our value; `Err` says why it cannot be one.
pub fn from_pack(v: PackValue) -> Result<Value, String> {
    Ok(match v {
        PackValue::Null => Value::Null,
        PackValue::Bool(b) => Value::Bool(b),
        PackValue::Int(i) => Value::Int(i),
        PackValue::Float(f) => Value::Float(f),
        PackValue::String(s) => Value::String(s),
        PackValue::Bytes(_) => {
            return Err("byte arrays are not supported as values by kgstore".into());
        }
        PackValue::List(items) => Value::List(
            items
                .into_iter()
                .map(from_pack)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        PackValue::Map(entries) => Value::Map(map_from_pack(entries)?),
        PackValue::Struct { tag, fields } => structure(tag, fields)?,
    })
}

/// A map parameter (or the parameters of RUN) as our map.
pub fn map_from_pack(entries: Vec<(String, PackValue)>) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        out.insert(k, from_pack(v)?);
    }
    Ok(out)
}

fn ints<const N: usize>(name: &str, fields: &[PackValue]) -> Result<[i64; N], String> {
    let mut out = [0i64; N];
    if fields.len() < N {
        return Err(format!("a {name} structure needs {N} integer fields"));
    }
    for (o, f) in out.iter_mut().zip(fields) {
        *o = f
            .as_int()
            .ok_or_else(|| format!("a {name} structure holds a {} field", f.kind()))?;
    }
    Ok(out)
}

fn arity(name: &str, fields: &[PackValue], n: usize) -> Result<(), String> {
    if fields.len() == n {
        Ok(())
    } else {
        Err(format!(
            "a {name} structure has {n} fields, not {}",
            fields.len()
        ))
    }
}

fn offset(seconds: i64) -> Result<i32, String> {
    i32::try_from(seconds)
        .ok()
        .filter(|o| o.abs() <= MAX_OFFSET_SECONDS)
        .ok_or_else(|| format!("the offset {seconds} s is beyond ±18:00"))
}

fn nanos_of_second(n: i64) -> Result<i64, String> {
    if (0..NANOS_PER_SECOND).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} nanoseconds is not within a second"))
    }
}

fn local_time(nanos: i64) -> Result<LocalTime, String> {
    if (0..NANOS_PER_DAY).contains(&nanos) {
        Ok(LocalTime::from_nanos_wrapping(i128::from(nanos)))
    } else {
        Err(format!("{nanos} nanoseconds is not a time of day"))
    }
}

fn instant(seconds: i64, nanos: i64) -> Result<i128, String> {
    let nanos = nanos_of_second(nanos)?;
    Ok(i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos))
}

const OUT_OF_RANGE: &str = "the date-time is outside the supported years";

fn structure(tag: u8, fields: Vec<PackValue>) -> Result<Value, String> {
    Ok(match tag {
        DATE => {
            arity("Date", &fields, 1)?;
            let [days] = ints("Date", &fields)?;
            if !(MIN_EPOCH_DAY..=MAX_EPOCH_DAY).contains(&days) {
                return Err("the date is outside the supported years".into());
            }
            Value::Date(Date::from_days(days))
        }
        LOCAL_TIME => {
            arity("LocalTime", &fields, 1)?;
            let [n] = ints("LocalTime", &fields)?;
            Value::LocalTime(local_time(n)?)
        }
        TIME => {
            arity("Time", &fields, 2)?;
            let [n, off] = ints("Time", &fields)?;
            Value::Time(Time {
                time: local_time(n)?,
                offset: offset(off)?,
            })
        }
        LOCAL_DATE_TIME => {
            arity("LocalDateTime", &fields, 2)?;
            let [s, n] = ints("LocalDateTime", &fields)?;
            Value::LocalDateTime(
                LocalDateTime::from_epoch_nanos(instant(s, n)?).ok_or(OUT_OF_RANGE)?,
            )
        }
        DATE_TIME => {
            arity("DateTime", &fields, 3)?;
            let [s, n, off] = ints("DateTime", &fields)?;
            let tz = TimeZone::Offset(offset(off)?);
            Value::DateTime(DateTime::from_instant(instant(s, n)?, tz).ok_or(OUT_OF_RANGE)?)
        }
        DATE_TIME_ZONE_ID => {
            arity("DateTimeZoneId", &fields, 3)?;
            let [s, n] = ints("DateTimeZoneId", &fields[..2])?;
            let name = fields[2]
                .as_str()
                .ok_or("a DateTimeZoneId structure needs a zone name")?;
            let zone = Zone::by_name(name).ok_or_else(|| format!("unknown time zone {name:?}"))?;
            Value::DateTime(
                DateTime::from_instant(instant(s, n)?, TimeZone::Named(zone))
                    .ok_or(OUT_OF_RANGE)?,
            )
        }
        DURATION => {
            arity("Duration", &fields, 4)?;
            let [m, d, s, n] = ints("Duration", &fields)?;
            Value::Duration(Box::new(
                Duration::new(m, d, s, n).ok_or("the duration is too long")?,
            ))
        }
        POINT_2D | POINT_3D => {
            let (name, n) = if tag == POINT_2D {
                ("Point2D", 3)
            } else {
                ("Point3D", 4)
            };
            arity(name, &fields, n)?;
            let [srid] = ints(name, &fields[..1])?;
            let crs = Crs::from_srid(srid)
                .ok_or_else(|| format!("Unknown coordinate reference system: code={srid}"))?;
            let coords = fields[1..]
                .iter()
                .map(|f| match f {
                    PackValue::Float(x) => Ok(*x),
                    PackValue::Int(i) => Ok(*i as f64),
                    _ => Err(format!("a {name} structure needs float coordinates")),
                })
                .collect::<Result<Vec<f64>, String>>()?;
            Value::Point(Box::new(Point::new(crs, &coords)?))
        }
        NODE | RELATIONSHIP | UNBOUND_RELATIONSHIP | PATH => {
            return Err("nodes, relationships and paths cannot be parameters".into())
        }
        b'F' | b'f' => {
            return Err(
                "the legacy (Bolt 4) date-time structures are not used in Bolt 5; send 'I' or 'i'"
                    .into(),
            )
        }
        other => {
            return Err(format!(
                "unknown structure tag 0x{other:02X} in a parameter"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::{
        parse_datetime, parse_duration, parse_local_datetime, parse_time, SECONDS_PER_DAY,
    };

    fn round(v: Value) -> PackValue {
        let p = to_pack(&v);
        assert_eq!(from_pack(p.clone()), Ok(v.clone()), "round trip of {v:?}");
        p
    }

    fn fields(p: &PackValue) -> (u8, Vec<PackValue>) {
        match p {
            PackValue::Struct { tag, fields } => (*tag, fields.clone()),
            other => panic!("not a structure: {other:?}"),
        }
    }

    #[test]
    fn temporal_values_match_the_bolt_5_structures() {
        let d = Date::new(2026, 6, 30).unwrap();
        assert_eq!(
            fields(&round(Value::Date(d))),
            (DATE, vec![PackValue::Int(20634)])
        );
        let t = LocalTime::new(12, 34, 56, 789).unwrap();
        assert_eq!(
            fields(&round(Value::LocalTime(t))),
            (LOCAL_TIME, vec![PackValue::Int(45_296_000_000_789)])
        );
        let (time, off) = parse_time("12:00+01:00").unwrap();
        assert_eq!(
            fields(&round(Value::Time(Time {
                time,
                offset: off.unwrap()
            }))),
            (
                TIME,
                vec![PackValue::Int(43_200_000_000_000), PackValue::Int(3600)]
            )
        );
        let ldt = parse_local_datetime("1970-01-02T00:00:01.5").unwrap();
        assert_eq!(
            fields(&round(Value::LocalDateTime(ldt))),
            (
                LOCAL_DATE_TIME,
                vec![PackValue::Int(86_401), PackValue::Int(500_000_000)]
            )
        );
        // 1970-01-01T01:00+01:00 is the instant 0.
        let dt =
            parse_datetime("1970-01-01T01:00:00.000000001+01:00", TimeZone::Offset(0)).unwrap();
        assert_eq!(
            fields(&round(Value::DateTime(dt))),
            (
                DATE_TIME,
                vec![PackValue::Int(0), PackValue::Int(1), PackValue::Int(3600)]
            )
        );
        let dz = parse_datetime("2026-07-01T12:00[Europe/Stockholm]", TimeZone::Offset(0)).unwrap();
        let (tag, f) = fields(&round(Value::DateTime(dz)));
        assert_eq!(tag, DATE_TIME_ZONE_ID);
        // 12:00 at +02:00 (summer) is 10:00 UTC.
        assert_eq!(f[0], PackValue::Int(20635 * SECONDS_PER_DAY + 10 * 3600));
        assert_eq!(f[2], PackValue::String("Europe/Stockholm".into()));
        let dur = parse_duration("P1Y2M3DT4H5M6.7S").unwrap();
        assert_eq!(
            fields(&round(Value::Duration(Box::new(dur)))),
            (
                DURATION,
                vec![
                    PackValue::Int(14),
                    PackValue::Int(3),
                    PackValue::Int(14706),
                    PackValue::Int(700_000_000)
                ]
            )
        );
        // Before the epoch: floor seconds, positive nanoseconds.
        let early = parse_local_datetime("1969-12-31T23:59:59.25").unwrap();
        assert_eq!(
            fields(&round(Value::LocalDateTime(early))).1,
            vec![PackValue::Int(-1), PackValue::Int(250_000_000)]
        );
    }

    #[test]
    fn graph_entities_carry_element_ids() {
        let a = Node {
            id: 1,
            labels: vec!["A".into()],
            properties: BTreeMap::from([("x".to_string(), Value::Int(1))]),
        };
        let b = Node {
            id: 2,
            labels: vec![],
            properties: BTreeMap::new(),
        };
        let r = Relationship {
            id: 7,
            rel_type: "T".into(),
            start: 2,
            end: 1,
            properties: BTreeMap::new(),
        };
        let (tag, f) = fields(&to_pack(&Value::Node(Box::new(a.clone()))));
        assert_eq!(tag, NODE);
        assert_eq!(f.len(), 4);
        assert_eq!(f[3], PackValue::String("1".into()));
        let (tag, f) = fields(&to_pack(&Value::Relationship(Box::new(r.clone()))));
        assert_eq!(tag, RELATIONSHIP);
        assert_eq!(f.len(), 8);
        assert_eq!(f[6], PackValue::String("2".into()));
        // a <-[r]- b -[r]-> a: the relationship once, traversed backwards then forwards.
        let p = Path {
            nodes: vec![a.clone(), b.clone(), a.clone()],
            relationships: vec![r.clone(), r.clone()],
        };
        let (tag, f) = fields(&to_pack(&Value::Path(Box::new(p))));
        assert_eq!(tag, PATH);
        assert_eq!(f[0].as_list().unwrap().len(), 2);
        assert_eq!(f[1].as_list().unwrap().len(), 1);
        assert_eq!(
            f[2],
            PackValue::List(vec![
                PackValue::Int(-1),
                PackValue::Int(1),
                PackValue::Int(1),
                PackValue::Int(0)
            ])
        );
    }

    #[test]
    fn bad_parameters_are_errors() {
        let s = |tag, fields| PackValue::Struct { tag, fields };
        assert!(from_pack(s(DATE, vec![])).is_err());
        assert!(from_pack(s(DATE, vec![PackValue::Int(i64::MAX)])).is_err());
        assert!(from_pack(s(LOCAL_TIME, vec![PackValue::Int(-1)])).is_err());
        assert!(from_pack(s(TIME, vec![PackValue::Int(0), PackValue::Int(100_000)])).is_err());
        assert!(from_pack(s(
            DATE_TIME,
            vec![
                PackValue::Int(i64::MAX),
                PackValue::Int(0),
                PackValue::Int(0)
            ]
        ))
        .is_err());
        assert!(from_pack(s(
            DATE_TIME_ZONE_ID,
            vec![
                PackValue::Int(0),
                PackValue::Int(0),
                PackValue::String("Mars/Olympus".into())
            ]
        ))
        .is_err());
        assert!(from_pack(s(
            DURATION,
            vec![
                PackValue::Int(0),
                PackValue::Int(0),
                PackValue::Int(i64::MAX),
                PackValue::Int(2_000_000_000)
            ]
        ))
        .is_err());
        assert!(from_pack(s(b'Z', vec![])).is_err());
        assert!(from_pack(PackValue::Bytes(vec![1])).is_err());
    }
}
