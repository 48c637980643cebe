//! One property of an encoded node record read and replaced without decoding the others: what
//! a SET of one property needs (the labels for the indexes, the old value, the new bytes).
//!
//! A bulk SET (issue 20's A6) decoded each node's whole record, changed one value and encoded
//! every value again. The bytes [`with_property`] gives are those [`NodeRecord::encode`] gives
//! for the decoded record with the property changed, the other entries copied as they are.

use std::ops::Range;

use crate::error::Result;
use crate::value::Value;

use super::codec::{decode_value, encode_value, get_varint, put_varint, skip_value};
#[cfg(test)]
use super::records::NodeRecord;

/// Where a record's property `key` is, and what it needs to be rewritten.
pub(crate) struct PropAt {
    pub labels: Vec<u32>,
    /// The property's value, `None` when the record has none.
    pub old: Option<Value>,
    /// The property count's varint.
    count: Range<usize>,
    count_value: u64,
    /// The key's entry (key varint and value), or where it would go (empty).
    entry: Range<usize>,
}

/// `None` when the record is malformed, has anything after its properties, or its keys do not
/// ascend (the decoding path then decides, and reports a malformed record as before).
pub(crate) fn property_at(buf: &[u8], key: u32) -> Option<PropAt> {
    let mut pos = 0;
    let n = get_varint(buf, &mut pos)?;
    let mut labels = Vec::with_capacity(n.min(16) as usize);
    for _ in 0..n {
        labels.push(u32::try_from(get_varint(buf, &mut pos)?).ok()?);
    }
    let count_start = pos;
    let count_value = get_varint(buf, &mut pos)?;
    let count = count_start..pos;
    let (mut old, mut entry, mut last) = (None, None, None);
    for _ in 0..count_value {
        let at = pos;
        let k = u32::try_from(get_varint(buf, &mut pos)?).ok()?;
        if last.is_some_and(|l| l >= k) {
            return None;
        }
        last = Some(k);
        if k == key {
            old = Some(decode_value(buf, &mut pos)?);
            entry = Some(at..pos);
        } else {
            if k > key && entry.is_none() {
                entry = Some(at..at);
            }
            skip_value(buf, &mut pos)?;
        }
    }
    if pos != buf.len() {
        return None;
    }
    Some(PropAt {
        labels,
        old,
        count,
        count_value,
        entry: entry.unwrap_or(pos..pos),
    })
}

/// The record `buf` (as [`property_at`] read it into `at`) with `key` set to `value`, or
/// removed when `value` is null.
pub(crate) fn with_property(buf: &[u8], at: &PropAt, key: u32, value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(buf.len() + 16);
    out.extend_from_slice(&buf[..at.count.start]);
    let count = match (at.old.is_some(), value.is_null()) {
        (true, true) => at.count_value - 1,
        (false, false) => at.count_value + 1,
        _ => at.count_value,
    };
    put_varint(&mut out, count);
    out.extend_from_slice(&buf[at.count.end..at.entry.start]);
    if !value.is_null() {
        put_varint(&mut out, u64::from(key));
        encode_value(&mut out, value)?;
    }
    out.extend_from_slice(&buf[at.entry.end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of a few records (absent ones before, between and after the present ones)
    /// set to values of other lengths and removed: the bytes are the decode-change-encode
    /// ones, and the labels and old value are the decoded record's.
    #[test]
    fn a_patched_record_is_the_re_encoded_one() {
        let records = [
            NodeRecord::default(),
            NodeRecord {
                labels: vec![3, 300],
                props: vec![
                    (2, Value::Int(7)),
                    (5, Value::String("abc".into())),
                    (200, Value::Float(1.5)),
                ],
            },
            NodeRecord {
                labels: vec![],
                props: (0..130)
                    .map(|k| (k * 2 + 1, Value::Int(i64::from(k))))
                    .collect(),
            },
        ];
        let values = [
            Value::Null,
            Value::Int(-1),
            Value::Int(1 << 40),
            Value::String("a much longer string than before".into()),
            Value::Bool(true),
        ];
        for rec in &records {
            let buf = rec.encode().unwrap();
            for key in 0..270u32 {
                let at = property_at(&buf, key).unwrap();
                assert_eq!(at.labels, rec.labels);
                let old = rec
                    .props
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|p| p.1.clone());
                assert_eq!(at.old, old);
                for v in &values {
                    let mut want = rec.clone();
                    let pos = want.props.iter().position(|(k, _)| *k == key);
                    match (pos, v.is_null()) {
                        (Some(p), true) => {
                            want.props.remove(p);
                        }
                        (Some(p), false) => want.props[p].1 = v.clone(),
                        (None, true) => {}
                        (None, false) => {
                            want.props.push((key, v.clone()));
                            want.props.sort_by_key(|(k, _)| *k);
                        }
                    }
                    let got = with_property(&buf, &at, key, v).unwrap();
                    assert_eq!(got, want.encode().unwrap(), "key {key} value {v:?}");
                }
            }
        }
    }

    /// Keys out of order, a cut record and bytes after the properties are left to the
    /// decoding path.
    #[test]
    fn records_the_decoder_would_not_take_are_not_patched() {
        let rec = NodeRecord {
            labels: vec![1],
            props: vec![(4, Value::Int(1)), (2, Value::Int(2))],
        };
        let buf = rec.encode().unwrap();
        assert!(property_at(&buf, 3).is_none());
        let ok = NodeRecord {
            labels: vec![1],
            props: vec![(2, Value::Int(1)), (4, Value::Int(2))],
        }
        .encode()
        .unwrap();
        assert!(property_at(&ok, 3).is_some());
        assert!(property_at(&ok[..ok.len() - 1], 3).is_none());
        let mut longer = ok.clone();
        longer.push(0);
        assert!(property_at(&longer, 3).is_none());
    }
}
