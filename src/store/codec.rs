//! Binary encodings of property values in records (compact, tagged), plus the varint
//! helpers every on-disk structure uses. The order-preserving index keys are `index_codec.rs`.

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
/// reading it back stalled on every node in profiles of the degree scan. A string replaces a
/// string's text in its buffer.
#[inline]
pub fn decode_value_into(buf: &[u8], pos: &mut usize, out: &mut Value) -> Option<()> {
    match *buf.get(*pos)? {
        T_INT => {
            let mut p = *pos + 1;
            let i = unzigzag(get_varint(buf, &mut p)?);
            *pos = p;
            match out {
                Value::Int(x) => *x = i,
                _ => *out = Value::Int(i),
            }
            return Some(());
        }
        // A string into a string: its buffer is reused (a scan reading one key of every
        // node otherwise allocates and frees a string per node).
        T_STRING if matches!(out, Value::String(_)) => {
            let mut p = *pos + 1;
            let text = std::str::from_utf8(get_bytes(buf, &mut p)?).ok()?;
            *pos = p;
            if let Value::String(s) = out {
                s.clear();
                s.push_str(text);
            }
            return Some(());
        }
        _ => {}
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
        // Decoding in place gives the same value whatever the slot held before (a string's
        // buffer is reused for a string).
        for before in [
            Value::Null,
            Value::Int(7),
            Value::String("a longer old text".into()),
        ] {
            let (mut slot, mut pos) = (before, 0);
            decode_value_into(&out, &mut pos, &mut slot).unwrap();
            assert_eq!(slot, v);
            assert_eq!(pos, out.len());
        }
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
}
