//! The order-preserving index-key codec: property values as index keys whose byte order is
//! a sensible value order, the equality prefix and numeric tails, and the key ranges the
//! ordered index pages are scanned by.

use crate::value::Value;

// ---- index keys ---------------------------------------------------------------------------
//
// Byte order of the encoding = a sensible value order: booleans < numbers < strings < dates
// < lists < maps; numbers ordered numerically whatever their type. Integers and floats share
// one numeric prefix (the value as an ordered f64) so that a lookup for `1` finds both `1`
// and `1.0` (Cypher equality); a subtype byte after it keeps them distinct. Every encoding is
// self-delimiting, so `prefix(v)` never matches a longer value.

const K_BOOL: u8 = 0x10;
const K_NUM: u8 = 0x20;
const K_NUM_INT: u8 = 0x01;
const K_NUM_FLOAT: u8 = 0x02;
const K_STRING: u8 = 0x30;
const K_DATE: u8 = 0x40;
const K_LOCAL_TIME: u8 = 0x41;
const K_TIME: u8 = 0x42;
const K_LOCAL_DATETIME: u8 = 0x43;
const K_DATETIME: u8 = 0x44;
const K_DURATION: u8 = 0x45;
const K_POINT: u8 = 0x48;
const K_LIST: u8 = 0x50;
const K_MAP: u8 = 0x60;
const K_END: u8 = 0x00;

fn ordered_f64(f: f64) -> [u8; 8] {
    // Normalise -0.0 to 0.0 so they collate (and compare) equal.
    let f = if f == 0.0 { 0.0 } else { f };
    let bits = f.to_bits();
    let bits = if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    };
    bits.to_be_bytes()
}

fn ordered_i64(i: i64) -> [u8; 8] {
    ((i as u64) ^ (1 << 63)).to_be_bytes()
}

fn ordered_i128(i: i128) -> [u8; 16] {
    ((i as u128) ^ (1 << 127)).to_be_bytes()
}

fn put_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// The encoding of `v` up to (not including) the part that distinguishes values that are
/// equal in Cypher (1 and 1.0). `None` for values no index holds (null, NaN, entities).
pub fn index_key_prefix(out: &mut Vec<u8>, v: &Value) -> Option<()> {
    match v {
        Value::Bool(b) => out.extend_from_slice(&[K_BOOL, u8::from(*b)]),
        Value::Int(i) => {
            out.push(K_NUM);
            out.extend_from_slice(&ordered_f64(*i as f64));
        }
        Value::Float(f) => {
            if f.is_nan() {
                return None;
            }
            out.push(K_NUM);
            out.extend_from_slice(&ordered_f64(*f));
        }
        Value::String(s) => {
            out.push(K_STRING);
            put_escaped(out, s.as_bytes());
        }
        Value::Date(d) => {
            out.push(K_DATE);
            out.extend_from_slice(&ordered_i64(d.to_days()));
        }
        // Temporal values: by instant where there is one, then the parts equality also looks
        // at (offset, zone), so equal values share a key and different ones never do.
        Value::LocalTime(t) => {
            out.push(K_LOCAL_TIME);
            out.extend_from_slice(&ordered_i64(t.nanos_of_day()));
        }
        Value::Time(t) => {
            out.push(K_TIME);
            out.extend_from_slice(&ordered_i64(t.utc_nanos()));
            out.extend_from_slice(&ordered_i64(i64::from(t.offset)));
        }
        Value::LocalDateTime(l) => {
            out.push(K_LOCAL_DATETIME);
            out.extend_from_slice(&ordered_i128(l.epoch_nanos()));
        }
        Value::DateTime(dt) => {
            out.push(K_DATETIME);
            out.extend_from_slice(&ordered_i128(dt.epoch_nanos()));
            out.extend_from_slice(&ordered_i64(i64::from(dt.offset)));
            put_escaped(out, dt.zone.map_or("", |z| z.name()).as_bytes());
        }
        Value::Duration(d) => {
            out.push(K_DURATION);
            for part in [d.months, d.days, d.seconds, i64::from(d.nanos)] {
                out.extend_from_slice(&ordered_i64(part));
            }
        }
        // Points: by SRID, then coordinate by coordinate (the ORDER BY order).
        Value::Point(p) => {
            out.push(K_POINT);
            out.extend_from_slice(&ordered_i64(p.crs().srid()));
            for c in p.coords() {
                out.extend_from_slice(&ordered_f64(*c));
            }
        }
        Value::List(items) => {
            out.push(K_LIST);
            for item in items {
                index_key(out, item)?;
            }
            out.push(K_END);
        }
        Value::Map(m) => {
            out.push(K_MAP);
            for (k, item) in m {
                put_escaped(out, k.as_bytes());
                index_key(out, item)?;
            }
            out.push(K_END);
        }
        _ => return None,
    }
    Some(())
}

/// The full, type-distinguishing index encoding of `v`.
pub fn index_key(out: &mut Vec<u8>, v: &Value) -> Option<()> {
    index_key_prefix(out, v)?;
    match v {
        Value::Int(i) => {
            out.push(K_NUM_INT);
            out.extend_from_slice(&ordered_i64(*i));
        }
        Value::Float(_) => out.push(K_NUM_FLOAT),
        _ => {}
    }
    Some(())
}

/// For a numeric index entry, the exact value after the shared prefix: used to filter a
/// lookup for an integer beyond f64 precision. `None` = not numeric / not decodable.
pub fn numeric_tail(rest: &[u8]) -> Option<Value> {
    match *rest.first()? {
        K_NUM_INT => {
            let b: [u8; 8] = rest.get(1..9)?.try_into().ok()?;
            Some(Value::Int((u64::from_be_bytes(b) ^ (1 << 63)) as i64))
        }
        K_NUM_FLOAT => Some(Value::Float(f64::NAN)),
        _ => None,
    }
}

/// Whether two numeric index entries that share their f64 prefix hold values equal in
/// Cypher's sense, from the tails after the prefix ([`numeric_tail`]): two integers compare
/// exactly, an integer equals a float only if the float (its prefix) is exactly that integer,
/// two floats with one prefix are equal. `false` when either tail is not numeric.
pub fn numeric_tails_equal(a: &[u8], b: &[u8]) -> bool {
    // An integer is its f64 (the shared prefix) exactly when the round trip keeps it.
    let exact = |i: i64| (i as f64) as i128 == i128::from(i);
    match (numeric_tail(a), numeric_tail(b)) {
        (Some(Value::Int(x)), Some(Value::Int(y))) => x == y,
        (Some(Value::Int(i)), Some(_)) | (Some(_), Some(Value::Int(i))) => exact(i),
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

/// The Cypher-equality prefix of a full index key (what its bucket is hashed from).
pub fn equality_prefix(full: &[u8]) -> &[u8] {
    if full.first() == Some(&K_NUM) && full.len() > 9 {
        &full[..9]
    } else {
        full
    }
}

// ---- ordered index scans ---------------------------------------------------------------------
//
// The ordered pages (`ordered.rs`) keep every entry under its sort key: the value's index key
// then the node id (8 bytes, big-endian). A scan asks for the value keys in `[lo, hi)`. The
// bounds below are inclusive at both ends of the values they name (the caller re-checks the
// predicate, which also settles strict bounds and integers beyond f64 precision): a superset
// of the answer, never less.

/// An entry's sort key in the ordered pages.
pub fn index_sort_key(value_key: &[u8], node: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(value_key.len() + 8);
    k.extend_from_slice(value_key);
    k.extend_from_slice(&node.to_be_bytes());
    k
}

/// The value key of a sort key (all but its last 8 bytes).
pub fn value_key_of_sort_key(sort_key: &[u8]) -> &[u8] {
    &sort_key[..sort_key.len().saturating_sub(8)]
}

/// The smallest byte string above every string that starts with `prefix`; `None` when there
/// is none (all bytes 0xff).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < 0xff {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

/// The value keys `[lo, hi)` to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    pub lo: Vec<u8>,
    pub hi: Vec<u8>,
}

/// The leading bytes of `v`'s index key that decide its order among the values Cypher
/// compares it with, and the tag of that group. `None` for values an order comparison never
/// holds for, or that the index cannot order as Cypher does (null, NaN, durations, lists,
/// maps).
fn order_prefix(v: &Value) -> Option<(u8, Vec<u8>)> {
    let mut key = Vec::new();
    match v {
        Value::Float(f) if f.is_nan() => return None,
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_) => {}
        Value::Date(_) | Value::LocalTime(_) | Value::LocalDateTime(_) => {}
        // By instant: the offset and zone after it only break ties Cypher also breaks later.
        Value::Time(_) | Value::DateTime(_) => {}
        _ => return None,
    }
    index_key_prefix(&mut key, v)?;
    let keep = match v {
        Value::Time(_) => 1 + 8,
        Value::DateTime(_) => 1 + 16,
        _ => key.len(),
    };
    key.truncate(keep);
    Some((key[0], key))
}

/// The value keys that can hold every value `v` with `lower <= v <= upper` in Cypher's
/// order (either bound optional, at least one given). `None` when the index cannot answer
/// (see [`order_prefix`]); an empty range when the bounds are of types that never compare.
pub fn index_range(lower: Option<&Value>, upper: Option<&Value>) -> Option<KeyRange> {
    let lower = lower.map(order_prefix);
    let upper = upper.map(order_prefix);
    let (lower, upper) = match (lower, upper) {
        (Some(None), _) | (_, Some(None)) | (None, None) => return None,
        (l, u) => (l.flatten(), u.flatten()),
    };
    let tag = lower.as_ref().or(upper.as_ref())?.0;
    if upper.as_ref().is_some_and(|u| u.0 != tag) {
        return Some(KeyRange {
            lo: vec![tag],
            hi: vec![tag],
        });
    }
    let lo = lower.map_or_else(|| vec![tag], |l| l.1);
    let hi = match upper {
        Some((_, u)) => prefix_successor(&u)?,
        None => vec![tag + 1],
    };
    Some(KeyRange { lo, hi })
}

/// The value keys of the strings that start with `prefix`.
pub fn index_prefix_range(prefix: &str) -> KeyRange {
    let mut lo = vec![K_STRING];
    let bytes = prefix.as_bytes();
    for &b in bytes {
        lo.push(b);
        if b == 0 {
            lo.push(0xff);
        }
    }
    // Escaped bytes end before any 0xff run of their own, so the successor always exists.
    let hi = prefix_successor(&lo).unwrap_or_else(|| vec![K_STRING + 1]);
    KeyRange { lo, hi }
}

/// The value keys of every string.
pub fn index_string_range() -> KeyRange {
    KeyRange {
        lo: vec![K_STRING],
        hi: vec![K_STRING + 1],
    }
}

/// The string an index value key holds; `None` for other values.
pub fn index_key_string(value_key: &[u8]) -> Option<String> {
    let rest = value_key.strip_prefix(&[K_STRING])?;
    let mut out = Vec::with_capacity(rest.len());
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            (0, Some(0)) => return String::from_utf8(out).ok(),
            (0, Some(0xff)) => {
                out.push(0);
                i += 2;
            }
            (0, _) => return None,
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Crs, Date, Point};

    fn key(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        index_key(&mut out, v).unwrap();
        out
    }

    #[test]
    fn index_keys_order_and_distinguish() {
        let ordered = [
            Value::Bool(false),
            Value::Bool(true),
            Value::Float(f64::NEG_INFINITY),
            Value::Int(-5),
            Value::Float(-0.5),
            Value::Int(0),
            Value::Int(1),
            Value::Float(1.0),
            Value::Float(1.5),
            Value::Int(i64::MAX),
            Value::String("".into()),
            Value::String("1".into()),
            Value::String("a".into()),
            Value::String("a\0".into()),
            Value::String("ab".into()),
            Value::Date(Date::new(1999, 1, 1).unwrap()),
            Value::Date(Date::new(2026, 1, 1).unwrap()),
        ];
        for w in ordered.windows(2) {
            assert!(key(&w[0]) < key(&w[1]), "{:?} < {:?}", w[0], w[1]);
        }
        let point = |crs, coords: &[f64]| Value::Point(Box::new(Point::new(crs, coords).unwrap()));
        let points = [
            point(Crs::Wgs84, &[-1.0, 5.0]),
            point(Crs::Wgs84, &[1.0, -5.0]),
            point(Crs::Wgs84_3d, &[0.0, 0.0, 0.0]),
            point(Crs::Cartesian, &[-1.5, 0.0]),
            point(Crs::Cartesian3d, &[0.0, 0.0, -1.0]),
        ];
        for w in points.windows(2) {
            assert!(key(&w[0]) < key(&w[1]), "{:?} < {:?}", w[0], w[1]);
        }
        // Temporal keys: by instant within a type, and exact (the same instant at another
        // offset is another value, as for `=`).
        let t = |f: &str, x: &str| crate::value::parse_tagged(f, x).expect("valid");
        let temporal = [
            t("localtime", "00:00"),
            t("localtime", "23:59:59.999999999"),
            t("time", "12:00+05:00"),
            t("time", "12:00Z"),
            t("localdatetime", "-999999999-01-01"),
            t("localdatetime", "2024-01-01T00:00"),
            t("datetime", "2024-01-01T00:00+01:00"),
            t("datetime", "2024-01-01T00:00Z"),
            t("duration", "P-1M"),
            t("duration", "PT0S"),
            t("duration", "P1D"),
        ];
        for w in temporal.windows(2) {
            assert!(key(&w[0]) < key(&w[1]), "{:?} < {:?}", w[0], w[1]);
        }
        assert_ne!(
            key(&t("datetime", "2024-01-01T01:00+01:00")),
            key(&t("datetime", "2024-01-01T00:00Z"))
        );
        assert_eq!(
            key(&t("datetime", "2024-07-01T12:00[Europe/Stockholm]")),
            key(&t("datetime", "2024-07-01T12:00+02:00[Europe/Stockholm]"))
        );
        let mut p = Vec::new();
        index_key_prefix(&mut p, &Value::Int(1)).unwrap();
        assert!(key(&Value::Float(1.0)).starts_with(&p));
        let mut p = Vec::new();
        index_key_prefix(&mut p, &Value::String("a".into())).unwrap();
        assert!(!key(&Value::String("ab".into())).starts_with(&p));
    }
}
