//! Binary encodings of property values: a compact record codec and an order-preserving
//! index-key codec, plus the varint helpers every on-disk structure uses.

use std::collections::BTreeMap;

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::temporal::{
    DateTime, Duration, LocalDateTime, LocalTime, Time, Zone, MAX_EPOCH_DAY, MIN_EPOCH_DAY,
    NANOS_PER_DAY, NANOS_PER_SECOND,
};
use crate::value::{Crs, Date, Point, Value};

// ---- varints -------------------------------------------------------------------------------

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a LEB128 varint at `*pos`, advancing it; `None` on truncated or overlong input.
///
/// The one-byte case (slots, lengths, small counts and ids) is small enough to inline at
/// every call site; longer varints take the loop in [`get_varint_long`]. Profiles of the
/// scans showed the call to a whole `get_varint` for every one-byte varint as one of their
/// top costs.
#[inline(always)]
pub fn get_varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let first = *buf.get(*pos)?;
    if first < 0x80 {
        *pos += 1;
        return Some(u64::from(first));
    }
    get_varint_long(buf, pos)
}

/// [`get_varint`] past its first byte's check (which is repeated here: the loop starts at
/// `*pos`).
#[inline(never)]
fn get_varint_long(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    let mut shift = 0u32;
    loop {
        let b = *buf.get(*pos)?;
        *pos += 1;
        if shift >= 64 {
            return None;
        }
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
    }
}

pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn get_bytes<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let len = usize::try_from(get_varint(buf, pos)?).ok()?;
    let end = pos.checked_add(len)?;
    let s = buf.get(*pos..end)?;
    *pos = end;
    Some(s)
}

// ---- record codec --------------------------------------------------------------------------

const T_NULL: u8 = 0;
const T_FALSE: u8 = 1;
const T_TRUE: u8 = 2;
const T_INT: u8 = 3;
const T_FLOAT: u8 = 4;
const T_STRING: u8 = 5;
const T_LIST: u8 = 6;
const T_MAP: u8 = 7;
const T_DATE: u8 = 8;
// Temporal types added later; the tags above never change, so older records stay readable
// (a kgstore build from before them reports a record holding one as undecodable).
const T_LOCAL_TIME: u8 = 9;
const T_TIME: u8 = 10;
const T_LOCAL_DATETIME: u8 = 11;
const T_DATETIME: u8 = 12;
const T_DURATION: u8 = 13;
// Spatial points (format 9): the SRID as a varint, then 2 or 3 little-endian f64 coordinates
// (as many as the SRID's system has). A build from before format 9 refuses the database.
const T_POINT: u8 = 14;

/// The error for a value that cannot be stored as a property (a node, relationship, path).
pub fn not_storable(v: &Value) -> QueryError {
    QueryError::new(
        ErrorClass::TypeError,
        "InvalidPropertyType",
        Phase::Runtime,
        format!("a {} cannot be stored as a property value", v.type_name()),
    )
}

/// Appends the record encoding of a storable value.
pub fn encode_value(out: &mut Vec<u8>, v: &Value) -> Result<()> {
    match v {
        Value::Null => out.push(T_NULL),
        Value::Bool(false) => out.push(T_FALSE),
        Value::Bool(true) => out.push(T_TRUE),
        Value::Int(i) => {
            out.push(T_INT);
            put_varint(out, zigzag(*i));
        }
        Value::Float(f) => {
            out.push(T_FLOAT);
            out.extend_from_slice(&f.to_le_bytes());
        }
        Value::String(s) => {
            out.push(T_STRING);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::List(items) => {
            out.push(T_LIST);
            put_varint(out, items.len() as u64);
            for item in items {
                encode_value(out, item)?;
            }
        }
        Value::Map(m) => {
            out.push(T_MAP);
            put_varint(out, m.len() as u64);
            for (k, item) in m {
                put_varint(out, k.len() as u64);
                out.extend_from_slice(k.as_bytes());
                encode_value(out, item)?;
            }
        }
        Value::Date(d) => {
            out.push(T_DATE);
            put_varint(out, zigzag(d.to_days()));
        }
        Value::LocalTime(t) => {
            out.push(T_LOCAL_TIME);
            put_varint(out, t.nanos_of_day() as u64);
        }
        Value::Time(t) => {
            out.push(T_TIME);
            put_varint(out, t.time.nanos_of_day() as u64);
            put_varint(out, zigzag(i64::from(t.offset)));
        }
        Value::LocalDateTime(l) => {
            out.push(T_LOCAL_DATETIME);
            put_local_datetime(out, l);
        }
        Value::DateTime(dt) => {
            out.push(T_DATETIME);
            put_local_datetime(out, &dt.local);
            put_varint(out, zigzag(i64::from(dt.offset)));
            let zone = dt.zone.map_or("", |z| z.name());
            put_varint(out, zone.len() as u64);
            out.extend_from_slice(zone.as_bytes());
        }
        Value::Duration(d) => {
            out.push(T_DURATION);
            put_varint(out, zigzag(d.months));
            put_varint(out, zigzag(d.days));
            put_varint(out, zigzag(d.seconds));
            put_varint(out, d.nanos as u64);
        }
        Value::Point(p) => {
            out.push(T_POINT);
            put_varint(out, p.crs().srid() as u64);
            for c in p.coords() {
                out.extend_from_slice(&c.to_le_bytes());
            }
        }
        other => return Err(not_storable(other).into()),
    }
    Ok(())
}

fn put_local_datetime(out: &mut Vec<u8>, l: &LocalDateTime) {
    put_varint(out, zigzag(l.date.to_days()));
    put_varint(out, l.time.nanos_of_day() as u64);
}

fn get_local_time(buf: &[u8], pos: &mut usize) -> Option<LocalTime> {
    let nanos = get_varint(buf, pos)?;
    (nanos < NANOS_PER_DAY as u64).then(|| LocalTime::from_nanos_wrapping(i128::from(nanos)))
}

fn get_local_datetime(buf: &[u8], pos: &mut usize) -> Option<LocalDateTime> {
    let days = unzigzag(get_varint(buf, pos)?);
    if !(MIN_EPOCH_DAY..=MAX_EPOCH_DAY).contains(&days) {
        return None;
    }
    Some(LocalDateTime::new(
        Date::from_days(days),
        get_local_time(buf, pos)?,
    ))
}

fn get_offset(buf: &[u8], pos: &mut usize) -> Option<i32> {
    i32::try_from(unzigzag(get_varint(buf, pos)?)).ok()
}

fn decode_temporal(tag: u8, buf: &[u8], pos: &mut usize) -> Option<Value> {
    Some(match tag {
        T_LOCAL_TIME => Value::LocalTime(get_local_time(buf, pos)?),
        T_TIME => Value::Time(Time {
            time: get_local_time(buf, pos)?,
            offset: get_offset(buf, pos)?,
        }),
        T_LOCAL_DATETIME => Value::LocalDateTime(get_local_datetime(buf, pos)?),
        T_DATETIME => {
            let local = get_local_datetime(buf, pos)?;
            let offset = get_offset(buf, pos)?;
            let name = std::str::from_utf8(get_bytes(buf, pos)?).ok()?;
            let zone = if name.is_empty() {
                None
            } else {
                Some(Zone::by_name(name)?)
            };
            Value::DateTime(DateTime {
                local,
                offset,
                zone,
            })
        }
        T_DURATION => {
            let months = unzigzag(get_varint(buf, pos)?);
            let days = unzigzag(get_varint(buf, pos)?);
            let seconds = unzigzag(get_varint(buf, pos)?);
            let nanos = get_varint(buf, pos)?;
            if nanos >= NANOS_PER_SECOND as u64 {
                return None;
            }
            Value::Duration(Box::new(Duration {
                months,
                days,
                seconds,
                nanos: nanos as i32,
            }))
        }
        T_POINT => {
            let crs = Crs::from_srid(i64::try_from(get_varint(buf, pos)?).ok()?)?;
            let mut coords = [0.0; 3];
            for c in coords.iter_mut().take(crs.dimensions()) {
                let b: [u8; 8] = buf.get(*pos..*pos + 8)?.try_into().ok()?;
                *pos += 8;
                *c = f64::from_le_bytes(b);
            }
            Value::Point(Box::new(Point::new(crs, &coords[..crs.dimensions()]).ok()?))
        }
        _ => return None,
    })
}

/// Decodes one value at `*pos`; `None` when the bytes are not a valid encoding.
pub fn decode_value(buf: &[u8], pos: &mut usize) -> Option<Value> {
    let tag = *buf.get(*pos)?;
    *pos += 1;
    Some(match tag {
        T_NULL => Value::Null,
        T_FALSE => Value::Bool(false),
        T_TRUE => Value::Bool(true),
        T_INT => Value::Int(unzigzag(get_varint(buf, pos)?)),
        T_FLOAT => {
            let b: [u8; 8] = buf.get(*pos..*pos + 8)?.try_into().ok()?;
            *pos += 8;
            Value::Float(f64::from_le_bytes(b))
        }
        T_STRING => Value::String(std::str::from_utf8(get_bytes(buf, pos)?).ok()?.to_string()),
        T_LIST => {
            let n = get_varint(buf, pos)?;
            let mut items = Vec::with_capacity(n.min(1024) as usize);
            for _ in 0..n {
                items.push(decode_value(buf, pos)?);
            }
            Value::List(items)
        }
        T_MAP => {
            let n = get_varint(buf, pos)?;
            let mut m = BTreeMap::new();
            for _ in 0..n {
                let k = std::str::from_utf8(get_bytes(buf, pos)?).ok()?.to_string();
                m.insert(k, decode_value(buf, pos)?);
            }
            Value::Map(m)
        }
        T_DATE => Value::Date(Date::from_days(unzigzag(get_varint(buf, pos)?))),
        other => decode_temporal(other, buf, pos)?,
    })
}

/// [`decode_value`] into `out`, overwriting it. An integer (the usual key of a scan) is
/// written in place: returning a `Value` from a call copies it through memory piecewise, and
/// reading it back stalled on every node in profiles of the degree scan.
#[inline]
pub fn decode_value_into(buf: &[u8], pos: &mut usize, out: &mut Value) -> Option<()> {
    if *buf.get(*pos)? == T_INT {
        let mut p = *pos + 1;
        let i = unzigzag(get_varint(buf, &mut p)?);
        *pos = p;
        match out {
            Value::Int(x) => *x = i,
            _ => *out = Value::Int(i),
        }
        return Some(());
    }
    *out = decode_value(buf, pos)?;
    Some(())
}

/// Skips one encoded value without allocating.
pub fn skip_value(buf: &[u8], pos: &mut usize) -> Option<()> {
    let tag = *buf.get(*pos)?;
    *pos += 1;
    match tag {
        T_NULL | T_FALSE | T_TRUE => {}
        T_INT | T_DATE => {
            get_varint(buf, pos)?;
        }
        T_FLOAT => {
            buf.get(*pos..*pos + 8)?;
            *pos += 8;
        }
        T_STRING => {
            get_bytes(buf, pos)?;
        }
        T_LIST => {
            for _ in 0..get_varint(buf, pos)? {
                skip_value(buf, pos)?;
            }
        }
        T_LOCAL_TIME..=T_POINT => {
            // Rare in hot paths: decoding validates and advances just the same.
            *pos -= 1;
            decode_value(buf, pos)?;
        }
        T_MAP => {
            for _ in 0..get_varint(buf, pos)? {
                get_bytes(buf, pos)?;
                skip_value(buf, pos)?;
            }
        }
        _ => return None,
    }
    Some(())
}

// ---- index-key codec -----------------------------------------------------------------------
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

    fn round_trip(v: Value) {
        let mut out = Vec::new();
        encode_value(&mut out, &v).unwrap();
        let mut pos = 0;
        assert_eq!(decode_value(&out, &mut pos), Some(v.clone()));
        assert_eq!(pos, out.len());
        let mut pos = 0;
        skip_value(&out, &mut pos).unwrap();
        assert_eq!(pos, out.len());
    }

    #[test]
    fn values_round_trip() {
        round_trip(Value::Null);
        round_trip(Value::Bool(true));
        round_trip(Value::Int(i64::MIN));
        round_trip(Value::Int(-1));
        round_trip(Value::Float(1.5));
        round_trip(Value::String("héllo".into()));
        round_trip(Value::List(vec![Value::Int(1), Value::String("a".into())]));
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), Value::Date(Date::new(2026, 1, 2).unwrap()));
        round_trip(Value::Map(m));
        for text in [
            ("localtime", "12:31:14.645876123"),
            ("time", "12:31:14.645876123-02:05:07"),
            ("localdatetime", "-999999999-01-01T00:00"),
            (
                "datetime",
                "1984-10-11T12:31:14.645876123+01:00[Europe/Stockholm]",
            ),
            ("datetime", "1984-10-11T12:31+01:00"),
            ("duration", "P-12Y-4M-28DT-24M-0.000000001S"),
        ] {
            round_trip(crate::value::parse_tagged(text.0, text.1).expect("valid"));
        }
        let point = |crs, coords: &[f64]| Value::Point(Box::new(Point::new(crs, coords).unwrap()));
        round_trip(point(Crs::Cartesian, &[1.5, -2.0]));
        round_trip(point(Crs::Wgs84_3d, &[12.5, 55.6, 100.0]));
        round_trip(Value::List(vec![
            point(Crs::Wgs84, &[1.0, 2.0]),
            point(Crs::Wgs84, &[3.0, 4.0]),
        ]));
        // A 2D SRID with a missing coordinate, an unknown SRID, a latitude out of range.
        assert_eq!(
            decode_value(&[T_POINT, 0x83, 0x38, 0, 0, 0, 0, 0, 0, 0, 0], &mut 0),
            None
        );
        assert_eq!(decode_value(&[T_POINT, 1], &mut 0), None);
        let mut bad = vec![T_POINT];
        put_varint(&mut bad, 4326);
        bad.extend_from_slice(&0.0f64.to_le_bytes());
        bad.extend_from_slice(&91.0f64.to_le_bytes());
        assert_eq!(decode_value(&bad, &mut 0), None);
        // A zone name the tz database does not know is not a valid record.
        assert_eq!(
            decode_value(&[T_DATETIME, 0, 0, 0, 3, b'X', b'/', b'Y'], &mut 0),
            None
        );
        assert!(encode_value(&mut Vec::new(), &Value::NodeRef(1)).is_err());
        assert_eq!(decode_value(&[T_STRING, 5, b'a'], &mut 0), None);
    }

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
