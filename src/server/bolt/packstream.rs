//! PackStream v1, the binary value format of Bolt: encoding and decoding of [`PackValue`].
//!
//! This module knows nothing about graphs or Cypher; `values.rs` maps our values onto it.
//! The API is shared by the Bolt server and the Bolt client (`kg --connect`):
//! - [`PackValue`]: the eight kinds of PackStream values;
//! - [`encode`] / [`PackValue::encode_into`]: a value to bytes (the smallest marker that fits,
//!   as the spec asks);
//! - [`Decoder`] / [`decode`]: bytes to values, bounded by a nesting depth and by the bytes it
//!   is given; every malformed, truncated or hostile input yields a [`DecodeError`], never a
//!   panic, and no allocation larger than the input's own length is made up front.
//!
//! Markers (all sizes big-endian):
//! `C0` null; `C2`/`C3` false/true; `F0..=FF`, `00..=7F` tiny int (−16..=127); `C8`/`C9`/`CA`/`CB`
//! int 8/16/32/64; `C1` float64; `CC`/`CD`/`CE` bytes with u8/u16/u32 length; `80..=8F` tiny
//! string, `D0`/`D1`/`D2` string; `90..=9F` tiny list, `D4`/`D5`/`D6` list; `A0..=AF` tiny map,
//! `D8`/`D9`/`DA` map; `B0..=BF` structure of 0–15 fields followed by its tag byte.

use std::collections::HashMap;
use std::fmt;

/// One PackStream value.
#[derive(Clone, Debug, PartialEq)]
pub enum PackValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    String(String),
    List(Vec<PackValue>),
    /// Entries in wire order; keys are unique after decoding (a repeated key keeps the last
    /// value, as the spec says).
    Map(Vec<(String, PackValue)>),
    /// A structure: a tag byte and at most 15 fields.
    Struct {
        tag: u8,
        fields: Vec<PackValue>,
    },
}

impl PackValue {
    /// The entry `key` of a map (`None` for other values or a missing key).
    pub fn get(&self, key: &str) -> Option<&PackValue> {
        match self {
            PackValue::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PackValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            PackValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PackValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[PackValue]> {
        match self {
            PackValue::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(String, PackValue)]> {
        match self {
            PackValue::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A map from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, PackValue)>) -> PackValue {
        PackValue::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A short name of the kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            PackValue::Null => "null",
            PackValue::Bool(_) => "boolean",
            PackValue::Int(_) => "integer",
            PackValue::Float(_) => "float",
            PackValue::Bytes(_) => "bytes",
            PackValue::String(_) => "string",
            PackValue::List(_) => "list",
            PackValue::Map(_) => "map",
            PackValue::Struct { .. } => "structure",
        }
    }

    /// Appends this value's encoding to `out`.
    ///
    /// Fails only for what PackStream cannot express: a structure of more than 15 fields, or
    /// a string, byte array, list or map longer than `u32::MAX`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            PackValue::Null => out.push(0xC0),
            PackValue::Bool(false) => out.push(0xC2),
            PackValue::Bool(true) => out.push(0xC3),
            PackValue::Int(i) => encode_int(*i, out),
            PackValue::Float(f) => {
                out.push(0xC1);
                out.extend_from_slice(&f.to_be_bytes());
            }
            PackValue::Bytes(b) => {
                header(out, b.len(), None, [0xCC, 0xCD, 0xCE])?;
                out.extend_from_slice(b);
            }
            PackValue::String(s) => {
                header(out, s.len(), Some(0x80), [0xD0, 0xD1, 0xD2])?;
                out.extend_from_slice(s.as_bytes());
            }
            PackValue::List(items) => {
                header(out, items.len(), Some(0x90), [0xD4, 0xD5, 0xD6])?;
                for v in items {
                    v.encode_into(out)?;
                }
            }
            PackValue::Map(entries) => {
                header(out, entries.len(), Some(0xA0), [0xD8, 0xD9, 0xDA])?;
                for (k, v) in entries {
                    header(out, k.len(), Some(0x80), [0xD0, 0xD1, 0xD2])?;
                    out.extend_from_slice(k.as_bytes());
                    v.encode_into(out)?;
                }
            }
            PackValue::Struct { tag, fields } => {
                if fields.len() > 15 {
                    return Err(EncodeError(format!(
                        "a structure holds at most 15 fields, not {}",
                        fields.len()
                    )));
                }
                out.push(0xB0 | fields.len() as u8);
                out.push(*tag);
                for f in fields {
                    f.encode_into(out)?;
                }
            }
        }
        Ok(())
    }
}

/// The encoding of `v`.
pub fn encode(v: &PackValue) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    v.encode_into(&mut out)?;
    Ok(out)
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if (-16..=127).contains(&i) {
        out.push(i as i8 as u8);
    } else if let Ok(b) = i8::try_from(i) {
        out.push(0xC8);
        out.push(b as u8);
    } else if let Ok(s) = i16::try_from(i) {
        out.push(0xC9);
        out.extend_from_slice(&s.to_be_bytes());
    } else if let Ok(w) = i32::try_from(i) {
        out.push(0xCA);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(0xCB);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// Writes a size header: a tiny marker (`tiny | len` for len < 16) when the kind has one,
/// else the 8/16/32-bit marker.
fn header(
    out: &mut Vec<u8>,
    len: usize,
    tiny: Option<u8>,
    sized: [u8; 3],
) -> Result<(), EncodeError> {
    match (tiny, len) {
        (Some(t), n) if n < 16 => out.push(t | n as u8),
        (_, n) if n <= 0xFF => {
            out.push(sized[0]);
            out.push(n as u8);
        }
        (_, n) if n <= 0xFFFF => {
            out.push(sized[1]);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        (_, n) => {
            let n = u32::try_from(n)
                .map_err(|_| EncodeError(format!("{n} items do not fit a PackStream size")))?;
            out.push(sized[2]);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    Ok(())
}

/// A value PackStream cannot express.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

/// Why bytes are not a PackStream value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended inside a value.
    Truncated,
    /// A marker byte PackStream v1 does not define (or that Bolt does not use).
    UnknownMarker(u8),
    /// Lists, maps and structures nested deeper than the decoder's limit.
    TooDeep(usize),
    /// A map key that is not a string.
    NonStringKey,
    /// A string that is not UTF-8.
    InvalidUtf8,
    /// Bytes left after the value (with [`decode`]).
    TrailingBytes(usize),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("the message ends inside a value"),
            DecodeError::UnknownMarker(m) => write!(f, "unknown PackStream marker 0x{m:02X}"),
            DecodeError::TooDeep(n) => {
                write!(f, "values nested deeper than {n} levels")
            }
            DecodeError::NonStringKey => f.write_str("a map key that is not a string"),
            DecodeError::InvalidUtf8 => f.write_str("a string that is not valid UTF-8"),
            DecodeError::TrailingBytes(n) => write!(f, "{n} bytes after the value"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Reads values from a byte slice.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder over `bytes` that refuses nesting deeper than `max_depth` (a scalar at the
    /// top is depth 0; each list, map or structure adds one).
    pub fn new(bytes: &'a [u8], max_depth: usize) -> Decoder<'a> {
        Decoder {
            bytes,
            pos: 0,
            max_depth,
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Reads the next value.
    pub fn value(&mut self) -> Result<PackValue, DecodeError> {
        self.value_at(0)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated);
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn size(&mut self, width: u8) -> Result<usize, DecodeError> {
        Ok(match width {
            1 => usize::from(self.byte()?),
            2 => usize::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?) as usize,
        })
    }

    fn string(&mut self, len: usize) -> Result<String, DecodeError> {
        let raw = self.take(len)?;
        std::str::from_utf8(raw)
            .map(str::to_string)
            .map_err(|_| DecodeError::InvalidUtf8)
    }

    /// Capacity to reserve for `n` items: each takes at least one byte, so more than the
    /// remaining bytes is a lie we need not allocate for.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.remaining())
    }

    fn value_at(&mut self, depth: usize) -> Result<PackValue, DecodeError> {
        let marker = self.byte()?;
        let nested = |me: &Self| {
            if depth >= me.max_depth {
                Err(DecodeError::TooDeep(me.max_depth))
            } else {
                Ok(())
            }
        };
        Ok(match marker {
            0x00..=0x7F => PackValue::Int(i64::from(marker)),
            0xF0..=0xFF => PackValue::Int(i64::from(marker as i8)),
            0xC0 => PackValue::Null,
            0xC2 => PackValue::Bool(false),
            0xC3 => PackValue::Bool(true),
            0xC8 => PackValue::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xC9 => PackValue::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xCA => PackValue::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xCB => PackValue::Int(i64::from_be_bytes(self.array()?)),
            0xC1 => PackValue::Float(f64::from_be_bytes(self.array()?)),
            0xCC..=0xCE => {
                let n = self.size(1 << (marker - 0xCC))?;
                PackValue::Bytes(self.take(n)?.to_vec())
            }
            0x80..=0x8F => PackValue::String(self.string(usize::from(marker & 0x0F))?),
            0xD0..=0xD2 => {
                let n = self.size(1 << (marker - 0xD0))?;
                PackValue::String(self.string(n)?)
            }
            0x90..=0x9F | 0xD4..=0xD6 => {
                nested(self)?;
                let n = if marker <= 0x9F {
                    usize::from(marker & 0x0F)
                } else {
                    self.size(1 << (marker - 0xD4))?
                };
                let mut items = Vec::with_capacity(self.capacity(n));
                for _ in 0..n {
                    items.push(self.value_at(depth + 1)?);
                }
                PackValue::List(items)
            }
            0xA0..=0xAF | 0xD8..=0xDA => {
                nested(self)?;
                let n = if marker <= 0xAF {
                    usize::from(marker & 0x0F)
                } else {
                    self.size(1 << (marker - 0xD8))?
                };
                let mut entries: Vec<(String, PackValue)> =
                    Vec::with_capacity(self.capacity(n / 2));
                // Key → position, so that a huge map of distinct keys stays linear.
                let mut seen: HashMap<String, usize> = HashMap::new();
                for _ in 0..n {
                    let key = match self.value_at(depth + 1)? {
                        PackValue::String(k) => k,
                        _ => return Err(DecodeError::NonStringKey),
                    };
                    let v = self.value_at(depth + 1)?;
                    match seen.get(&key) {
                        Some(&i) => entries[i].1 = v,
                        None => {
                            seen.insert(key.clone(), entries.len());
                            entries.push((key, v));
                        }
                    }
                }
                PackValue::Map(entries)
            }
            0xB0..=0xBF => {
                nested(self)?;
                let n = usize::from(marker & 0x0F);
                let tag = self.byte()?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    fields.push(self.value_at(depth + 1)?);
                }
                PackValue::Struct { tag, fields }
            }
            other => return Err(DecodeError::UnknownMarker(other)),
        })
    }
}

/// Decodes exactly one value filling `bytes`.
pub fn decode(bytes: &[u8], max_depth: usize) -> Result<PackValue, DecodeError> {
    let mut d = Decoder::new(bytes, max_depth);
    let v = d.value()?;
    match d.remaining() {
        0 => Ok(v),
        n => Err(DecodeError::TrailingBytes(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::PackValue as P;
    use super::*;

    fn enc(v: &P) -> Vec<u8> {
        encode(v).unwrap()
    }

    fn round(v: P, bytes: &[u8]) {
        assert_eq!(enc(&v), bytes, "encoding {v:?}");
        assert_eq!(decode(bytes, 64).unwrap(), v, "decoding {bytes:02X?}");
    }

    #[test]
    fn scalars_match_the_spec() {
        round(P::Null, &[0xC0]);
        round(P::Bool(true), &[0xC3]);
        round(P::Bool(false), &[0xC2]);
        round(
            P::Float(1.23),
            &[0xC1, 0x3F, 0xF3, 0xAE, 0x14, 0x7A, 0xE1, 0x47, 0xAE],
        );
        round(P::Bytes(vec![1, 2, 3]), &[0xCC, 0x03, 1, 2, 3]);
        round(P::Bytes(vec![]), &[0xCC, 0x00]);
    }

    #[test]
    fn integers_use_the_smallest_marker() {
        round(P::Int(1), &[0x01]);
        round(P::Int(42), &[0x2A]);
        round(P::Int(127), &[0x7F]);
        round(P::Int(-16), &[0xF0]);
        round(P::Int(-1), &[0xFF]);
        round(P::Int(-17), &[0xC8, 0xEF]);
        round(P::Int(-128), &[0xC8, 0x80]);
        round(P::Int(128), &[0xC9, 0x00, 0x80]);
        round(P::Int(1234), &[0xC9, 0x04, 0xD2]);
        round(P::Int(-32768), &[0xC9, 0x80, 0x00]);
        round(P::Int(32768), &[0xCA, 0x00, 0x00, 0x80, 0x00]);
        round(P::Int(-2147483648), &[0xCA, 0x80, 0x00, 0x00, 0x00]);
        round(
            P::Int(2147483648),
            &[0xCB, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00],
        );
        round(
            P::Int(i64::MIN),
            &[0xCB, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        );
        // Wider markers than needed are still read.
        assert_eq!(decode(&[0xC9, 0x00, 0x01], 8).unwrap(), P::Int(1));
        assert_eq!(decode(&[0xC8, 0x7F], 8).unwrap(), P::Int(127));
    }

    #[test]
    fn strings_lists_maps_structures() {
        round(P::String(String::new()), &[0x80]);
        round(P::String("a".into()), &[0x81, 0x61]);
        round(
            P::String("abcdefghijklmnopqrstuvwxyz".into()),
            &[
                0xD0, 0x1A, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C,
                0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A,
            ],
        );
        round(
            P::String("En å flöt över ängen".into()),
            &[
                0xD0, 0x18, 0x45, 0x6E, 0x20, 0xC3, 0xA5, 0x20, 0x66, 0x6C, 0xC3, 0xB6, 0x74, 0x20,
                0xC3, 0xB6, 0x76, 0x65, 0x72, 0x20, 0xC3, 0xA4, 0x6E, 0x67, 0x65, 0x6E,
            ],
        );
        round(P::List(vec![]), &[0x90]);
        round(
            P::List(vec![P::Int(1), P::Int(2), P::Int(3)]),
            &[0x93, 0x01, 0x02, 0x03],
        );
        let forty: Vec<P> = (1..=40).map(P::Int).collect();
        let mut bytes = vec![0xD4, 0x28];
        bytes.extend(1..=40u8);
        round(P::List(forty), &bytes);
        round(P::Map(vec![]), &[0xA0]);
        round(
            P::map([("one", P::String("eins".into()))]),
            &[0xA1, 0x83, 0x6F, 0x6E, 0x65, 0x84, 0x65, 0x69, 0x6E, 0x73],
        );
        round(
            P::Struct {
                tag: 0x4E,
                fields: vec![P::Int(1)],
            },
            &[0xB1, 0x4E, 0x01],
        );
        round(
            P::Struct {
                tag: 0x0F,
                fields: vec![],
            },
            &[0xB0, 0x0F],
        );
    }

    #[test]
    fn long_sizes() {
        let s = "x".repeat(300);
        let mut b = vec![0xD1, 0x01, 0x2C];
        b.extend(s.as_bytes());
        round(P::String(s), &b);
        let s = "y".repeat(70_000);
        let mut b = vec![0xD2, 0x00, 0x01, 0x11, 0x70];
        b.extend(s.as_bytes());
        round(P::String(s), &b);
        let big = vec![7u8; 300];
        let mut b = vec![0xCD, 0x01, 0x2C];
        b.extend(&big);
        round(P::Bytes(big), &b);
    }

    #[test]
    fn a_repeated_map_key_keeps_the_last_value() {
        let bytes = [0xA2, 0x81, 0x61, 0x01, 0x81, 0x61, 0x02];
        assert_eq!(decode(&bytes, 8).unwrap(), P::map([("a", P::Int(2))]));
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert_eq!(decode(&[], 8), Err(DecodeError::Truncated));
        assert_eq!(decode(&[0xC9, 0x01], 8), Err(DecodeError::Truncated));
        assert_eq!(decode(&[0x85, 0x61], 8), Err(DecodeError::Truncated));
        // A list claiming 4 billion items in five bytes.
        assert_eq!(
            decode(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF], 8),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            decode(&[0xDA, 0xFF, 0xFF, 0xFF, 0xFF], 8),
            Err(DecodeError::Truncated)
        );
        assert_eq!(decode(&[0xC4], 8), Err(DecodeError::UnknownMarker(0xC4)));
        assert_eq!(
            decode(&[0xDC, 0x01], 8),
            Err(DecodeError::UnknownMarker(0xDC))
        );
        assert_eq!(
            decode(&[0x82, 0xC3, 0x28], 8),
            Err(DecodeError::InvalidUtf8)
        );
        assert_eq!(
            decode(&[0xA1, 0x01, 0x01], 8),
            Err(DecodeError::NonStringKey)
        );
        assert_eq!(decode(&[0xC0, 0xC0], 8), Err(DecodeError::TrailingBytes(1)));
        assert_eq!(decode(&[0x91, 0x91, 0x90], 2), Err(DecodeError::TooDeep(2)));
        assert!(decode(&[0x91, 0x91, 0x90], 3).is_ok());
        // Deep nesting of a million levels is refused without recursing that far.
        let deep = vec![0x91u8; 1_000_000];
        assert_eq!(decode(&deep, 64), Err(DecodeError::TooDeep(64)));
    }

    #[test]
    fn every_short_input_decodes_or_fails_cleanly() {
        // Each one- and two-byte input, and every prefix of a rich value.
        for a in 0..=255u8 {
            let _ = decode(&[a], 8);
            for b in 0..=255u8 {
                let _ = decode(&[a, b], 8);
            }
        }
        let rich = enc(&P::List(vec![
            P::map([("k", P::Float(2.5)), ("b", P::Bytes(vec![1; 20]))]),
            P::Struct {
                tag: 0x58,
                fields: vec![P::Int(-70000), P::String("é".repeat(20))],
            },
        ]));
        for n in 0..rich.len() {
            assert!(decode(&rich[..n], 8).is_err());
        }
        assert!(decode(&rich, 8).is_ok());
    }

    #[test]
    fn oversized_structures_cannot_be_encoded() {
        let s = P::Struct {
            tag: 1,
            fields: vec![P::Null; 16],
        };
        assert!(encode(&s).is_err());
    }
}
