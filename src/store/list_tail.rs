//! Appending a relationship to the end of an adjacency chunk in place: where the list being
//! appended to ends and its last relationship id, kept between appends so that an append to a
//! hub neither walks the chunk's ids (they are delta-encoded, so the last id is a sum over the
//! whole list) nor copies the chunk.
//!
//! A chunk is a section (`records.rs`): the out and in totals, then lists of
//! (type-direction, count, payload length, payload), the payload pairs of (id delta, other
//! end). [`push`] changes the totals and the list's header where they keep their encoded
//! length and appends the new pair at the chunk's end, which is byte for byte what
//! [`super::records::section_push`] gives; anything else (the list not last, a header growing
//! a byte, an id not above the last) is left to that path.

use super::codec::{get_varint, put_varint};
use super::records::section_totals;

/// The list of a chunk that appends go to: its type-direction, how many entries it holds and
/// its highest relationship id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ListTail {
    td: u64,
    count: u64,
    last: u64,
}

fn type_direction(rel_type: u32, incoming: bool) -> u64 {
    u64::from(rel_type) * 2 + u64::from(incoming)
}

/// Where the list of `td` starts (its header), where its payload starts, its count, and its
/// end, when it is the chunk's last list; `None` otherwise or when malformed.
fn last_list(chunk: &[u8], td: u64) -> Option<(usize, usize, u64, usize)> {
    let (_, _, mut pos) = section_totals(chunk)?;
    while pos < chunk.len() {
        let header = pos;
        let t = get_varint(chunk, &mut pos)?;
        let count = get_varint(chunk, &mut pos)?;
        let len = usize::try_from(get_varint(chunk, &mut pos)?).ok()?;
        let end = pos.checked_add(len).filter(|e| *e <= chunk.len())?;
        if t == td {
            return (end == chunk.len()).then_some((header, pos, count, end));
        }
        pos = end;
    }
    None
}

/// The tail of `chunk`'s list of (`rel_type`, `incoming`) when it is the chunk's last list
/// (walks that list's payload once).
pub(crate) fn tail_of(chunk: &[u8], rel_type: u32, incoming: bool) -> Option<ListTail> {
    let td = type_direction(rel_type, incoming);
    let (_, start, count, end) = last_list(chunk, td)?;
    let payload = &chunk[start..end];
    let (mut p, mut last) = (0usize, 0u64);
    for _ in 0..count {
        last = last.checked_add(get_varint(payload, &mut p)?)?;
        get_varint(payload, &mut p)?;
    }
    (p == payload.len()).then_some(ListTail { td, count, last })
}

/// Appends (rel, other) to `chunk`'s list described by `tail` in place and advances `tail`;
/// false, with `chunk` unchanged, when this cannot be done in place (the caller re-encodes).
pub(crate) fn push(
    chunk: &mut Vec<u8>,
    tail: &mut ListTail,
    rel_type: u32,
    incoming: bool,
    rel: u64,
    other: u64,
) -> bool {
    let td = type_direction(rel_type, incoming);
    if td != tail.td || rel <= tail.last {
        return false;
    }
    let Some((out_total, in_total, lists_start)) = section_totals(chunk) else {
        return false;
    };
    let Some((header, start, count, end)) = last_list(chunk, td) else {
        return false;
    };
    if count != tail.count {
        return false;
    }
    let mut entry = Vec::with_capacity(20);
    put_varint(&mut entry, rel - tail.last);
    put_varint(&mut entry, other);
    let mut totals = Vec::with_capacity(20);
    let (o, i) = match incoming {
        true => (out_total, in_total + 1),
        false => (out_total + 1, in_total),
    };
    put_varint(&mut totals, o);
    put_varint(&mut totals, i);
    let mut list_head = Vec::with_capacity(30);
    put_varint(&mut list_head, td);
    put_varint(&mut list_head, count + 1);
    put_varint(&mut list_head, (end - start + entry.len()) as u64);
    if totals.len() != lists_start || list_head.len() != start - header {
        return false;
    }
    chunk[..lists_start].copy_from_slice(&totals);
    chunk[header..start].copy_from_slice(&list_head);
    chunk.extend_from_slice(&entry);
    tail.count += 1;
    tail.last = rel;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::section_push;

    /// Appends in place give the bytes `section_push` gives, for lists first or last, both
    /// directions, and through the varint boundaries where the header grows (those refuse).
    #[test]
    fn pushes_in_place_match_section_push() {
        for (types, incoming) in [(&[4u32][..], false), (&[1, 4], true), (&[4, 9], false)] {
            let mut chunk = Vec::new();
            let mut rel = 10u64;
            // Other lists first, then the one appended to.
            for (n, &t) in types.iter().enumerate() {
                rel += 1;
                chunk = section_push(&chunk, t, incoming, rel, n as u64).unwrap();
            }
            let t = types[types.len() - 1];
            let mut tail = tail_of(&chunk, t, incoming);
            let (mut in_place, mut refused) = (0, 0);
            for k in 0..5_000u64 {
                rel += 1 + k % 300;
                let other = k * 7919 % 100_000;
                let want = section_push(&chunk, t, incoming, rel, other).unwrap();
                let pushed = match tail.as_mut() {
                    Some(tl) => push(&mut chunk, tl, t, incoming, rel, other),
                    None => false,
                };
                if pushed {
                    in_place += 1;
                } else {
                    refused += 1;
                    chunk = want.clone();
                    tail = tail_of(&chunk, t, incoming);
                }
                assert_eq!(chunk, want, "after {k} appends");
                assert_eq!(tail, tail_of(&chunk, t, incoming));
            }
            assert!(
                in_place > 4_900 && refused > 0,
                "{in_place} in place, {refused} refused"
            );
        }
    }

    /// A list that is not the chunk's last, an id not above the last, a tail of another
    /// type or count: refused, nothing changed.
    #[test]
    fn refusals_change_nothing() {
        let mut chunk = section_push(&[], 4, false, 5, 1).unwrap();
        chunk = section_push(&chunk, 9, false, 6, 2).unwrap();
        assert!(tail_of(&chunk, 4, false).is_none(), "not the last list");
        let mut tail = tail_of(&chunk, 9, false).unwrap();
        let before = chunk.clone();
        assert!(
            !push(&mut chunk, &mut tail, 9, false, 6, 3),
            "id not above the last"
        );
        assert!(
            !push(&mut chunk, &mut tail, 9, true, 7, 3),
            "other direction"
        );
        assert!(!push(&mut chunk, &mut tail, 4, false, 7, 3), "other type");
        let mut stale = ListTail { count: 5, ..tail };
        assert!(!push(&mut chunk, &mut stale, 9, false, 7, 3), "stale count");
        assert_eq!(chunk, before);
        assert!(push(&mut chunk, &mut tail, 9, false, 7, 3));
        assert_eq!(chunk, section_push(&before, 9, false, 7, 3).unwrap());
    }
}
