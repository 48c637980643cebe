//! Value formats: slot blocks, node and relationship records, per-node adjacency sections,
//! label bitmaps and property-index buckets.

use crate::error::Result;
use crate::value::Value;

use super::codec::{
    decode_value, decode_value_into, encode_value, get_varint, put_varint, skip_value,
};

// ---- slot blocks ---------------------------------------------------------------------------
// A block holds up to 256 entries: repeated (slot u8, len varint, bytes), ascending by slot.

/// Iterates the (slot, bytes) entries of a block; stops at the first malformed entry.
pub fn block_entries(block: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let slot = *block.get(pos)?;
        let mut p = pos + 1;
        let len = usize::try_from(get_varint(block, &mut p)?).ok()?;
        let bytes = block.get(p..p.checked_add(len)?)?;
        pos = p + len;
        Some((slot, bytes))
    })
}

/// True when every entry of the block parses and slots ascend.
pub fn block_is_well_formed(block: &[u8]) -> bool {
    let mut pos = 0usize;
    let mut last: Option<u8> = None;
    while pos < block.len() {
        let slot = block[pos];
        if last.is_some_and(|l| l >= slot) {
            return false;
        }
        last = Some(slot);
        let mut p = pos + 1;
        let Some(len) = get_varint(block, &mut p).and_then(|l| usize::try_from(l).ok()) else {
            return false;
        };
        match p.checked_add(len) {
            Some(end) if end <= block.len() => pos = end,
            _ => return false,
        }
    }
    true
}

/// Appends an entry to a block being built; slots must be appended in ascending order.
pub fn block_append(block: &mut Vec<u8>, slot: u8, bytes: &[u8]) {
    block.push(slot);
    put_varint(block, bytes.len() as u64);
    block.extend_from_slice(bytes);
}

pub fn block_get(block: &[u8], slot: u8) -> Option<&[u8]> {
    block_entries(block)
        .take_while(|(s, _)| *s <= slot)
        .find(|(s, _)| *s == slot)
        .map(|(_, b)| b)
}

/// The entry for `slot` of a slot block, searched from `*pos` on (slots ascend, so a walk over
/// a block for ascending slots reads each entry once); `*pos` is left at the first entry past
/// the ones skipped. `None` when the block has no such entry; a malformed entry ends the block,
/// as in [`block_entries`].
#[inline]
pub(crate) fn block_entry_from<'b>(block: &'b [u8], pos: &mut usize, slot: u8) -> Option<&'b [u8]> {
    loop {
        let s = *block.get(*pos)?;
        if s > slot {
            return None;
        }
        let mut p = *pos + 1;
        let len = usize::try_from(get_varint(block, &mut p)?).ok()?;
        let bytes = block.get(p..p.checked_add(len)?)?;
        *pos = p + len;
        if s == slot {
            return Some(bytes);
        }
    }
}

/// Where `slot`'s entry starts and ends in `block` (both at the first entry past the slot
/// when it has none), and the block's well-formed length: like [`block_entries`], a
/// malformed entry ends the block.
fn slot_span(block: &[u8], slot: u8) -> (usize, usize, usize) {
    let (mut pos, mut at) = (0usize, None);
    while let Some(&s) = block.get(pos) {
        let mut p = pos + 1;
        let Some(end) = get_varint(block, &mut p)
            .and_then(|len| usize::try_from(len).ok())
            .and_then(|len| p.checked_add(len))
            .filter(|end| *end <= block.len())
        else {
            break;
        };
        if at.is_none() && s >= slot {
            at = Some((pos, if s == slot { end } else { pos }));
        }
        pos = end;
    }
    let (start, end) = at.unwrap_or((pos, pos));
    (start, end, pos)
}

/// A copy of `block` with `slot` set to `value` (or removed when `None`). The entries before
/// and after the slot are copied as they are (a walk finds where the slot goes; nothing is
/// re-encoded), so a write into a block costs a copy of it. A malformed entry and what
/// follows it are dropped (see [`slot_span`]).
pub fn block_put(block: &[u8], slot: u8, value: Option<&[u8]>) -> Vec<u8> {
    let (start, end, len) = slot_span(block, slot);
    let mut out = Vec::with_capacity(len + value.map_or(0, |v| v.len() + 4));
    out.extend_from_slice(&block[..start]);
    if let Some(v) = value {
        out.push(slot);
        put_varint(&mut out, v.len() as u64);
        out.extend_from_slice(v);
    }
    out.extend_from_slice(&block[end..len]);
    out
}

/// [`block_put`] in place: `block` becomes exactly what `block_put` returns, but only the
/// entries after the slot move (and nothing when the entry keeps its length, as a SET of a
/// number usually does), so the n-th write into a block the transaction already holds costs a
/// walk, not a copy of the block.
pub fn block_set(block: &mut Vec<u8>, slot: u8, value: Option<&[u8]>) {
    let (start, end, len) = slot_span(block, slot);
    block.truncate(len);
    let mut entry = Vec::with_capacity(value.map_or(0, |v| v.len() + 6));
    if let Some(v) = value {
        entry.push(slot);
        put_varint(&mut entry, v.len() as u64);
        entry.extend_from_slice(v);
    }
    if entry.len() == end - start {
        block[start..end].copy_from_slice(&entry);
    } else {
        block.splice(start..end, entry);
    }
}

/// Applies slot updates (ascending by slot, `None` = remove) to a block in one pass.
pub fn block_merge(block: &[u8], updates: &[(u8, Option<Vec<u8>>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        block.len()
            + updates
                .iter()
                .map(|u| u.1.as_ref().map_or(0, |v| v.len() + 4))
                .sum::<usize>(),
    );
    let push = |out: &mut Vec<u8>, s: u8, v: &[u8]| {
        out.push(s);
        put_varint(out, v.len() as u64);
        out.extend_from_slice(v);
    };
    let mut ups = updates.iter().peekable();
    for (s, bytes) in block_entries(block) {
        while let Some((us, uv)) = ups.next_if(|(us, _)| *us < s) {
            if let Some(v) = uv {
                push(&mut out, *us, v);
            }
        }
        match ups.next_if(|(us, _)| *us == s) {
            Some((_, Some(v))) => push(&mut out, s, v),
            Some((_, None)) => {}
            None => push(&mut out, s, bytes),
        }
    }
    for (us, uv) in ups {
        if let Some(v) = uv {
            push(&mut out, *us, v);
        }
    }
    out
}

// ---- node and relationship records ----------------------------------------------------------

/// A node as stored: catalog ids, properties by key id (ascending).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeRecord {
    pub labels: Vec<u32>,
    pub props: Vec<(u32, Value)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelRecord {
    pub rel_type: u32,
    pub start: u64,
    pub end: u64,
    pub props: Vec<(u32, Value)>,
}

fn encode_props(out: &mut Vec<u8>, props: &[(u32, Value)]) -> Result<()> {
    put_varint(out, props.len() as u64);
    for (k, v) in props {
        put_varint(out, u64::from(*k));
        encode_value(out, v)?;
    }
    Ok(())
}

fn decode_props(buf: &[u8], pos: &mut usize) -> Option<Vec<(u32, Value)>> {
    let n = get_varint(buf, pos)?;
    let mut props = Vec::with_capacity(n.min(256) as usize);
    for _ in 0..n {
        let k = u32::try_from(get_varint(buf, pos)?).ok()?;
        props.push((k, decode_value(buf, pos)?));
    }
    Some(props)
}

/// One property of an encoded property list, decoding only that value.
fn find_prop(buf: &[u8], pos: &mut usize, key: u32) -> Option<Option<Value>> {
    let n = get_varint(buf, pos)?;
    for _ in 0..n {
        let k = u32::try_from(get_varint(buf, pos)?).ok()?;
        if k == key {
            return Some(Some(decode_value(buf, pos)?));
        }
        skip_value(buf, pos)?;
    }
    Some(None)
}

impl NodeRecord {
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(16 + self.props.len() * 12);
        put_varint(&mut out, self.labels.len() as u64);
        for l in &self.labels {
            put_varint(&mut out, u64::from(*l));
        }
        encode_props(&mut out, &self.props)?;
        Ok(out)
    }

    pub fn decode(buf: &[u8]) -> Option<NodeRecord> {
        let mut pos = 0;
        let labels = decode_labels(buf, &mut pos)?;
        let props = decode_props(buf, &mut pos)?;
        (pos == buf.len()).then_some(NodeRecord { labels, props })
    }

    pub fn decode_labels(buf: &[u8]) -> Option<Vec<u32>> {
        decode_labels(buf, &mut 0)
    }

    pub fn decode_property(buf: &[u8], key: u32) -> Option<Option<Value>> {
        let mut pos = 0;
        // Step over the labels without collecting them (a scan reads one key of every node).
        for _ in 0..get_varint(buf, &mut pos)? {
            get_varint(buf, &mut pos)?;
        }
        find_prop(buf, &mut pos, key)
    }

    /// What a scan reading a few keys of many nodes needs, in one pass over the labels and
    /// without collecting them: whether the record has `label` (always true without one) and,
    /// when it has, the value of every `keys[i]` written to `out[i]` (`Value::Null` when
    /// absent; an `out[i]` whose key is `None` is left as it is). Each value is written in
    /// place, so a scan moves no `Option<Option<Value>>` per node (the profile of the degree
    /// scan showed those copies). `None` when the record is malformed; the same checks as
    /// [`NodeRecord::decode_labels`] (with a label) and [`NodeRecord::decode_property`].
    pub fn read_keys(
        buf: &[u8],
        label: Option<u32>,
        keys: &[Option<u32>],
        out: &mut [Value],
    ) -> Option<bool> {
        let mut pos = 0;
        let mut found = label.is_none();
        for _ in 0..get_varint(buf, &mut pos)? {
            let l = get_varint(buf, &mut pos)?;
            if let Some(want) = label {
                found |= u32::try_from(l).ok()? == want;
            }
        }
        if !found {
            return Some(false);
        }
        let props = pos;
        for (key, slot) in keys.iter().zip(out.iter_mut()) {
            let Some(key) = *key else { continue };
            let mut pos = props;
            let n = get_varint(buf, &mut pos)?;
            let mut found = false;
            for _ in 0..n {
                let k = u32::try_from(get_varint(buf, &mut pos)?).ok()?;
                if k == key {
                    decode_value_into(buf, &mut pos, slot)?;
                    found = true;
                    break;
                }
                skip_value(buf, &mut pos)?;
            }
            if !found {
                *slot = Value::Null;
            }
        }
        Some(true)
    }
}

fn decode_labels(buf: &[u8], pos: &mut usize) -> Option<Vec<u32>> {
    let n = get_varint(buf, pos)?;
    let mut labels = Vec::with_capacity(n.min(64) as usize);
    for _ in 0..n {
        labels.push(u32::try_from(get_varint(buf, pos)?).ok()?);
    }
    Some(labels)
}

impl RelRecord {
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(12 + self.props.len() * 12);
        put_varint(&mut out, u64::from(self.rel_type));
        put_varint(&mut out, self.start);
        put_varint(&mut out, self.end);
        encode_props(&mut out, &self.props)?;
        Ok(out)
    }

    fn decode_head(buf: &[u8], pos: &mut usize) -> Option<(u32, u64, u64)> {
        let t = u32::try_from(get_varint(buf, pos)?).ok()?;
        Some((t, get_varint(buf, pos)?, get_varint(buf, pos)?))
    }

    pub fn decode(buf: &[u8]) -> Option<RelRecord> {
        let mut pos = 0;
        let (rel_type, start, end) = Self::decode_head(buf, &mut pos)?;
        let props = decode_props(buf, &mut pos)?;
        (pos == buf.len()).then_some(RelRecord {
            rel_type,
            start,
            end,
            props,
        })
    }

    pub fn decode_property(buf: &[u8], key: u32) -> Option<Option<Value>> {
        let mut pos = 0;
        Self::decode_head(buf, &mut pos)?;
        find_prop(buf, &mut pos, key)
    }

    /// The record's type, start and end, and where its property list begins.
    pub fn head(buf: &[u8]) -> Option<(u32, u64, u64, usize)> {
        let mut pos = 0;
        let (t, s, e) = Self::decode_head(buf, &mut pos)?;
        Some((t, s, e, pos))
    }

    /// One property of the record whose property list begins at `pos` (see [`RelRecord::head`]).
    pub fn property_at(buf: &[u8], mut pos: usize, key: u32) -> Option<Option<Value>> {
        find_prop(buf, &mut pos, key)
    }
}

// ---- adjacency sections ----------------------------------------------------------------------
// A node's section: its degree totals (outgoing count varint, incoming count varint), then
// repeated lists (type*2+dir varint, count varint, byte length varint, payload), ascending by
// (type, dir). Payload: per edge (rel id delta varint, other node varint), rel ids ascending.
// dir 0 = outgoing, 1 = incoming. Since format 5 a section holds the lists of one direction
// (it sits in that direction's block) and the other direction's total is 0. A node without
// relationships in a direction has no section there. Format 1 had no totals
// (`upgrade_section_v1`).

/// One adjacency list of a node: (type id, incoming?) and its edges (rel, other) by rel id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdjList {
    pub rel_type: u32,
    pub incoming: bool,
    pub edges: Vec<(u64, u64)>,
}

/// A list header: where its payload sits, without decoding it.
#[derive(Clone, Copy, Debug)]
pub struct AdjHeader {
    pub rel_type: u32,
    pub incoming: bool,
    pub count: u64,
    pub start: usize,
    pub end: usize,
}

/// The degree totals at the head of a section: (outgoing, incoming, where the lists start).
/// An empty section has none.
pub fn section_totals(section: &[u8]) -> Option<(u64, u64, usize)> {
    if section.is_empty() {
        return Some((0, 0, 0));
    }
    let mut pos = 0usize;
    let out = get_varint(section, &mut pos)?;
    let inc = get_varint(section, &mut pos)?;
    Some((out, inc, pos))
}

/// A node's entry in its degree block: its (outgoing, incoming) totals as varints; `None` when
/// the node has no relationships.
pub fn degree_entry(out: u64, inc: u64) -> Option<Vec<u8>> {
    if out == 0 && inc == 0 {
        return None;
    }
    let mut e = Vec::with_capacity(6);
    put_varint(&mut e, out);
    put_varint(&mut e, inc);
    Some(e)
}

/// The degree block of 64 nodes from their outgoing and incoming adjacency blocks (each
/// section's totals count the lists of its own direction).
pub fn degree_block(outgoing: &[u8], incoming: &[u8]) -> Vec<u8> {
    let total = |section: Option<&[u8]>, incoming: bool| {
        section
            .and_then(section_totals)
            .map_or(0, |(o, i, _)| if incoming { i } else { o })
    };
    let mut out = Vec::new();
    for (slot, o, i) in zip_blocks(outgoing, incoming) {
        if let Some(e) = degree_entry(total(o, false), total(i, true)) {
            block_append(&mut out, slot, &e);
        }
    }
    out
}

/// The entries of two blocks side by side, by ascending slot: (slot, entry of `a`, entry of
/// `b`), at least one of them present.
pub fn zip_blocks<'a>(
    a: &'a [u8],
    b: &'a [u8],
) -> impl Iterator<Item = (u8, Option<&'a [u8]>, Option<&'a [u8]>)> + 'a {
    let (mut xs, mut ys) = (block_entries(a).peekable(), block_entries(b).peekable());
    std::iter::from_fn(move || {
        let slot = match (xs.peek(), ys.peek()) {
            (None, None) => return None,
            (Some((s, _)), None) | (None, Some((s, _))) => *s,
            (Some((x, _)), Some((y, _))) => (*x).min(*y),
        };
        let x = xs.next_if(|e| e.0 == slot).map(|e| e.1);
        let y = ys.next_if(|e| e.0 == slot).map(|e| e.1);
        Some((slot, x, y))
    })
}

/// (outgoing, incoming) of a degree-block entry.
pub fn degree_totals(entry: &[u8]) -> Option<(u64, u64)> {
    section_totals(entry).map(|(out, inc, _)| (out, inc))
}

/// The list headers of a section (after its totals).
pub fn adj_headers(section: &[u8]) -> impl Iterator<Item = AdjHeader> + '_ {
    let pos = section_totals(section).map_or(section.len(), |(_, _, p)| p);
    list_headers(section, pos)
}

fn list_headers(section: &[u8], mut pos: usize) -> impl Iterator<Item = AdjHeader> + '_ {
    std::iter::from_fn(move || {
        if pos >= section.len() {
            return None;
        }
        let td = get_varint(section, &mut pos)?;
        let count = get_varint(section, &mut pos)?;
        let len = usize::try_from(get_varint(section, &mut pos)?).ok()?;
        let start = pos;
        let end = start.checked_add(len).filter(|e| *e <= section.len())?;
        pos = end;
        Some(AdjHeader {
            rel_type: u32::try_from(td >> 1).ok()?,
            incoming: td & 1 == 1,
            count,
            start,
            end,
        })
    })
}

/// A format-1 section (lists only) in format 2 (totals first); `None` when it does not parse.
pub fn upgrade_section_v1(old: &[u8]) -> Option<Vec<u8>> {
    if old.is_empty() {
        return Some(Vec::new());
    }
    let (mut out, mut inc, mut consumed) = (0u64, 0u64, 0usize);
    for h in list_headers(old, 0) {
        if h.incoming {
            inc += h.count;
        } else {
            out += h.count;
        }
        consumed = h.end;
    }
    if consumed != old.len() {
        return None;
    }
    let mut v = Vec::with_capacity(old.len() + 6);
    put_varint(&mut v, out);
    put_varint(&mut v, inc);
    v.extend_from_slice(old);
    Some(v)
}

/// Decodes a list payload into (rel, other) pairs, appending to `out`.
pub fn adj_payload(payload: &[u8], count: u64, out: &mut Vec<(u64, u64)>) -> Option<()> {
    let mut pos = 0;
    let mut rel = 0u64;
    for _ in 0..count {
        rel = rel.checked_add(get_varint(payload, &mut pos)?)?;
        out.push((rel, get_varint(payload, &mut pos)?));
    }
    (pos == payload.len()).then_some(())
}

/// Calls `f` with the other node of every entry of a list payload (rel ids skipped).
#[inline]
pub fn adj_others(payload: &[u8], count: u64, mut f: impl FnMut(u64)) -> Option<()> {
    let mut pos = 0;
    for _ in 0..count {
        get_varint(payload, &mut pos)?;
        f(get_varint(payload, &mut pos)?);
    }
    (pos == payload.len()).then_some(())
}

/// Every list of a section (totals not checked here: `check` compares them).
pub fn decode_section(section: &[u8]) -> Option<Vec<AdjList>> {
    let (_, _, mut consumed) = section_totals(section)?;
    let mut lists = Vec::new();
    for h in adj_headers(section) {
        let mut edges = Vec::with_capacity(h.count.min(1 << 20) as usize);
        adj_payload(&section[h.start..h.end], h.count, &mut edges)?;
        lists.push(AdjList {
            rel_type: h.rel_type,
            incoming: h.incoming,
            edges,
        });
        consumed = h.end;
    }
    (consumed == section.len()).then_some(lists)
}

pub fn encode_list(out: &mut Vec<u8>, rel_type: u32, incoming: bool, edges: &[(u64, u64)]) {
    let mut payload = Vec::with_capacity(edges.len() * 6);
    let mut last = 0u64;
    for &(rel, other) in edges {
        put_varint(&mut payload, rel - last);
        put_varint(&mut payload, other);
        last = rel;
    }
    put_varint(out, u64::from(rel_type) * 2 + u64::from(incoming));
    put_varint(out, edges.len() as u64);
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(&payload);
}

/// `section` (possibly empty) with (rel, other) appended to its list of (`rel_type`,
/// `incoming`), created in its place when absent: one copy of the section, with only that
/// list's payload walked (for its last rel id). `None` when `rel` is not above every rel id of
/// the list (the caller decodes and re-encodes) or the section is malformed.
pub fn section_push(
    section: &[u8],
    rel_type: u32,
    incoming: bool,
    rel: u64,
    other: u64,
) -> Option<Vec<u8>> {
    let (out_total, in_total, lists_start) = section_totals(section)?;
    let td = u64::from(rel_type) * 2 + u64::from(incoming);
    let mut pos = lists_start;
    // (header start, count, payload) of the list, or where a new one goes.
    let mut found = None;
    let mut insert_at = section.len();
    while pos < section.len() {
        let header = pos;
        let t = get_varint(section, &mut pos)?;
        let count = get_varint(section, &mut pos)?;
        let len = usize::try_from(get_varint(section, &mut pos)?).ok()?;
        let end = pos.checked_add(len).filter(|e| *e <= section.len())?;
        if t == td {
            found = Some((header, count, pos, end));
            break;
        }
        if t > td {
            insert_at = header;
            break;
        }
        pos = end;
    }
    let mut out = Vec::with_capacity(section.len() + 24);
    if incoming {
        put_varint(&mut out, out_total);
        put_varint(&mut out, in_total + 1);
    } else {
        put_varint(&mut out, out_total + 1);
        put_varint(&mut out, in_total);
    }
    match found {
        None => {
            out.extend_from_slice(&section[lists_start..insert_at]);
            encode_list(&mut out, rel_type, incoming, &[(rel, other)]);
            out.extend_from_slice(&section[insert_at..]);
        }
        Some((header, count, start, end)) => {
            let payload = &section[start..end];
            let (mut p, mut last) = (0usize, 0u64);
            for _ in 0..count {
                last = last.checked_add(get_varint(payload, &mut p)?)?;
                get_varint(payload, &mut p)?;
            }
            if p != payload.len() || (count > 0 && rel <= last) {
                return None;
            }
            let mut tail = Vec::with_capacity(12);
            put_varint(&mut tail, rel - last);
            put_varint(&mut tail, other);
            out.extend_from_slice(&section[lists_start..header]);
            put_varint(&mut out, td);
            put_varint(&mut out, count + 1);
            put_varint(&mut out, (payload.len() + tail.len()) as u64);
            out.extend_from_slice(payload);
            out.extend_from_slice(&tail);
            out.extend_from_slice(&section[end..]);
        }
    }
    Some(out)
}

/// `section` without relationship `rel` in its list of (`rel_type`, `incoming`): `Some(None)`
/// when the list does not hold it, else the new section (empty when it was the last entry),
/// byte for byte what decoding, removing and [`encode_section`] give for a well-formed
/// section, but with one copy and only that list's payload walked: the entries around the
/// removed one stay as they are, except the next one, whose id delta absorbs the removed
/// one's. `None` when the section is malformed where it is walked (the caller decodes).
pub fn section_remove(
    section: &[u8],
    rel_type: u32,
    incoming: bool,
    rel: u64,
) -> Option<Option<Vec<u8>>> {
    let (out_total, in_total, lists_start) = section_totals(section)?;
    let td = u64::from(rel_type) * 2 + u64::from(incoming);
    // (header start, count, payload start, payload end) of the list.
    let mut pos = lists_start;
    let (header, count, start, end) = loop {
        if pos >= section.len() {
            return Some(None);
        }
        let header = pos;
        let t = get_varint(section, &mut pos)?;
        let count = get_varint(section, &mut pos)?;
        let len = usize::try_from(get_varint(section, &mut pos)?).ok()?;
        let end = pos.checked_add(len).filter(|e| *e <= section.len())?;
        match t.cmp(&td) {
            std::cmp::Ordering::Equal => break (header, count, pos, end),
            std::cmp::Ordering::Greater => return Some(None),
            std::cmp::Ordering::Less => pos = end,
        }
    };
    let payload = &section[start..end];
    // Walk to the entry: its start, its delta, its end.
    let (mut p, mut last) = (0usize, 0u64);
    let mut found = None;
    for _ in 0..count {
        let at = p;
        let delta = get_varint(payload, &mut p)?;
        last = last.checked_add(delta)?;
        get_varint(payload, &mut p)?;
        if last == rel {
            found = Some((at, delta, p));
            break;
        }
        if last > rel {
            break;
        }
    }
    let Some((at, delta, after)) = found else {
        return Some(None);
    };
    let mut new_payload = Vec::with_capacity(payload.len());
    new_payload.extend_from_slice(&payload[..at]);
    if after < payload.len() {
        let mut q = after;
        let next = get_varint(payload, &mut q)?;
        put_varint(&mut new_payload, delta.checked_add(next)?);
        new_payload.extend_from_slice(&payload[q..]);
    }
    let (out_total, in_total) = match incoming {
        true => (out_total, in_total.checked_sub(1)?),
        false => (out_total.checked_sub(1)?, in_total),
    };
    if out_total + in_total == 0 {
        return Some(Some(Vec::new()));
    }
    let mut out = Vec::with_capacity(section.len());
    put_varint(&mut out, out_total);
    put_varint(&mut out, in_total);
    out.extend_from_slice(&section[lists_start..header]);
    if count > 1 {
        put_varint(&mut out, td);
        put_varint(&mut out, count - 1);
        put_varint(&mut out, new_payload.len() as u64);
        out.extend_from_slice(&new_payload);
    }
    out.extend_from_slice(&section[end..]);
    Some(Some(out))
}

/// Encodes lists (skipping empty ones) in (type, dir) order after the degree totals; no
/// bytes at all when every list is empty.
pub fn encode_section(lists: &mut [AdjList]) -> Vec<u8> {
    lists.sort_by_key(|l| (l.rel_type, l.incoming));
    let total = |incoming: bool| {
        lists
            .iter()
            .filter(|l| l.incoming == incoming)
            .map(|l| l.edges.len() as u64)
            .sum::<u64>()
    };
    let (out_total, in_total) = (total(false), total(true));
    let mut out = Vec::new();
    if out_total + in_total == 0 {
        return out;
    }
    put_varint(&mut out, out_total);
    put_varint(&mut out, in_total);
    for l in lists.iter().filter(|l| !l.edges.is_empty()) {
        encode_list(&mut out, l.rel_type, l.incoming, &l.edges);
    }
    out
}

// ---- label bitmaps ---------------------------------------------------------------------------

pub const BITMAP_BYTES: usize = 1 << (super::keys::LABEL_SHIFT - 3);

pub fn bitmap_ids(base: u64, bitmap: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bitmap.iter().enumerate().flat_map(move |(i, &byte)| {
        (0..8u64)
            .filter(move |b| byte & (1 << b) != 0)
            .map(move |b| base + (i as u64) * 8 + b)
    })
}

/// A random section's lists, for the tests here and in `rel_delete.rs`: 1 to `types` types,
/// each direction left out one time in `skip`, 1 to `edges` ascending ids per list (close
/// together in even rounds, far apart in odd ones), other ends below `others`.
#[cfg(test)]
pub(crate) fn random_lists(
    next: &mut impl FnMut() -> u64,
    round: usize,
    types: u64,
    skip: u64,
    edges: u64,
    others: u64,
) -> Vec<AdjList> {
    let mut lists: Vec<AdjList> = Vec::new();
    for t in 0..(1 + next() % types) as u32 {
        for incoming in [false, true] {
            if next().is_multiple_of(skip) {
                continue;
            }
            let mut rel = next() % 5;
            let edges = (0..1 + next() % edges)
                .map(|_| {
                    rel += 1 + next() % (if round.is_multiple_of(2) { 3 } else { 300_000 });
                    (rel, next() % others)
                })
                .collect();
            lists.push(AdjList {
                rel_type: t,
                incoming,
                edges,
            });
        }
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_put_get_remove() {
        let mut b = Vec::new();
        for s in [5u8, 1, 200, 3] {
            b = block_put(&b, s, Some(&[s, s]));
        }
        assert!(block_is_well_formed(&b));
        let slots: Vec<u8> = block_entries(&b).map(|(s, _)| s).collect();
        assert_eq!(slots, vec![1, 3, 5, 200]);
        assert_eq!(block_get(&b, 5), Some(&[5u8, 5][..]));
        b = block_put(&b, 3, None);
        assert_eq!(block_get(&b, 3), None);
        assert_eq!(block_get(&b, 200), Some(&[200u8, 200][..]));
        // Replacing keeps the others byte for byte; a malformed tail is dropped.
        let replaced = block_put(&b, 5, Some(&[9, 9, 9]));
        assert_eq!(block_merge(&b, &[(5, Some(vec![9, 9, 9]))]), replaced);
        let mut torn = replaced.clone();
        torn.extend_from_slice(&[201, 50, 1]);
        assert_eq!(block_put(&torn, 1, Some(&[1, 1])), replaced);
    }

    /// Writing a slot in place leaves exactly the bytes `block_put` returns: growing,
    /// shrinking, same-length, new and removed entries, and a malformed tail.
    #[test]
    fn block_set_matches_block_put() {
        let mut reference: Vec<u8> = Vec::new();
        let mut in_place: Vec<u8> = Vec::new();
        // (slot, value length; 0 removes): a deterministic mix over a few slots.
        let mut x = 7u32;
        for step in 0..2000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let slot = (x >> 8) as u8 % 40;
            let len = (x >> 20) as usize % 300;
            let value: Vec<u8> = (0..len).map(|i| (i as u32 ^ step) as u8).collect();
            let v = (len > 0).then_some(&value[..]);
            reference = block_put(&reference, slot, v);
            block_set(&mut in_place, slot, v);
            assert_eq!(in_place, reference, "step {step}");
            assert!(block_is_well_formed(&in_place));
        }
        let mut torn = reference.clone();
        torn.extend_from_slice(&[201, 50, 1]);
        block_set(&mut torn, 3, Some(&[1, 2]));
        assert_eq!(torn, block_put(&reference, 3, Some(&[1, 2])));
    }

    #[test]
    fn sections_round_trip() {
        let mut lists = vec![
            AdjList {
                rel_type: 2,
                incoming: true,
                edges: vec![(3, 9), (70, 1)],
            },
            AdjList {
                rel_type: 0,
                incoming: false,
                edges: vec![(1, 4)],
            },
        ];
        let enc = encode_section(&mut lists);
        assert_eq!(section_totals(&enc).map(|(o, i, _)| (o, i)), Some((1, 2)));
        assert_eq!(decode_section(&enc), Some(lists.clone()));
        // Format 1 had the same lists without the totals.
        let (_, _, start) = section_totals(&enc).unwrap_or_default();
        assert_eq!(upgrade_section_v1(&enc[start..]), Some(enc.clone()));
        assert_eq!(upgrade_section_v1(&enc[start..enc.len() - 1]), None);
        assert!(encode_section(&mut []).is_empty());
    }

    /// Removing one relationship from the encoded section gives the bytes a decode, remove
    /// and re-encode give, for every entry of a section of several lists in both directions.
    #[test]
    fn section_remove_matches_a_re_encode() {
        let mut x = 11u64;
        let mut next = move || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            x >> 33
        };
        for round in 0..200 {
            let mut lists = random_lists(&mut next, round, 4, 3, 6, 1000);
            let section = encode_section(&mut lists);
            let all: Vec<(u32, bool, u64)> = lists
                .iter()
                .flat_map(|l| l.edges.iter().map(|e| (l.rel_type, l.incoming, e.0)))
                .collect();
            for &(t, incoming, rel) in &all {
                let mut want = lists.clone();
                for l in want
                    .iter_mut()
                    .filter(|l| l.rel_type == t && l.incoming == incoming)
                {
                    l.edges.retain(|e| e.0 != rel);
                }
                let want = encode_section(&mut want);
                assert_eq!(
                    section_remove(&section, t, incoming, rel),
                    Some(Some(want)),
                    "round {round}, removing {rel} of ({t}, {incoming})"
                );
            }
            // Absent: another direction, another type, an id between two entries.
            if let Some(&(t, incoming, rel)) = all.first() {
                assert_eq!(section_remove(&section, t + 9, incoming, rel), Some(None));
                assert_eq!(
                    section_remove(&section, t, incoming, rel + 1_000_000),
                    Some(None)
                );
            }
        }
        assert_eq!(section_remove(&[], 1, true, 5), Some(None));
        // Cut short inside the list that is walked.
        let mut lists = vec![AdjList {
            rel_type: 1,
            incoming: false,
            edges: vec![(3, 4), (9, 2)],
        }];
        let section = encode_section(&mut lists);
        assert_eq!(
            section_remove(&section[..section.len() - 1], 1, false, 9),
            None
        );
    }

    /// Appending in place gives the bytes a full re-encode gives, list by list.
    #[test]
    fn section_push_matches_a_re_encode() {
        let mut lists: Vec<AdjList> = Vec::new();
        let mut section = Vec::new();
        let steps = [
            (3u32, 5u64, 9u64),
            (1, 6, 2),
            (3, 7, 300),
            (2, 900, 1),
            (1, 70_000, 4),
        ];
        for (t, rel, other) in steps {
            section = section_push(&section, t, true, rel, other).unwrap();
            match lists.iter_mut().find(|l| l.rel_type == t) {
                Some(l) => l.edges.push((rel, other)),
                None => lists.push(AdjList {
                    rel_type: t,
                    incoming: true,
                    edges: vec![(rel, other)],
                }),
            }
            assert_eq!(section, encode_section(&mut lists));
        }
        // Not above the list's last id: the caller re-encodes.
        assert_eq!(section_push(&section, 3, true, 6, 1), None);
        // A malformed list it has to walk.
        assert_eq!(
            section_push(&section[..section.len() - 1], 3, true, 901, 1),
            None
        );
    }
}
