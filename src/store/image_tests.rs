//! The read image written by `image_writer.rs` and read back by `image.rs`: round trips,
//! files it must ignore, a file changed under an open image, the bounded region cache and
//! the read-around hints.

use std::sync::atomic::Ordering;

use super::*;
use crate::store::image_writer::ImageWriter;

fn write(dir: &Path, entries: &[(&[u8], &[u8])], stamp: &[u8; 16]) {
    let mut w = ImageWriter::create(dir).unwrap();
    for (k, v) in entries {
        w.push(k, v).unwrap();
    }
    w.finish(stamp, 5).unwrap();
}

#[test]
fn reads_back_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let entries: Vec<(Vec<u8>, Vec<u8>)> = (0u32..500)
        .map(|i| {
            let mut k = vec![if i % 2 == 0 { b'A' } else { b'N' }];
            k.extend_from_slice(&i.to_be_bytes());
            (k, vec![i as u8; (i % 37) as usize])
        })
        .collect();
    let mut sorted = entries.clone();
    sorted.sort();
    let refs: Vec<(&[u8], &[u8])> = sorted.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).expect("valid image");
    assert_eq!(image.len(), 500);
    for (k, v) in &entries {
        assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
    }
    assert_eq!(image.get(b"A").unwrap(), None);
    assert_eq!(image.get(b"Z").unwrap(), None);
    let a: Vec<_> = image
        .scan_prefix(b"A".to_vec())
        .map(|r| r.unwrap().0.to_vec())
        .collect();
    let expected: Vec<_> = sorted
        .iter()
        .filter(|(k, _)| k[0] == b'A')
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(a, expected);
    assert_eq!(image.scan_prefix(b"B".to_vec()).count(), 0);
    assert_eq!(image.scan_prefix(Vec::new()).count(), 500);
}

#[test]
fn a_wrong_stamp_format_or_damaged_file_is_ignored_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let path = dir.path().join(FILE_NAME);
    write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
    assert!(Image::open(dir.path(), Some(&new_stamp()), 5).is_none());
    assert!(!path.exists(), "a stale image is deleted");

    write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
    assert!(Image::open(dir.path(), Some(&stamp), 6).is_none());
    write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
    assert!(Image::open(dir.path(), None, 5).is_none());

    // Every truncation, and every change of the header or the piece table, is refused at
    // open; a changed value is refused when it is read (its region's CRC), a changed key,
    // table entry, hash slot or region entry when its piece of the index is first read (the
    // piece's CRC); none panics, and nothing is ever read back changed.
    let entries: [(&[u8], &[u8]); 3] = [(b"a", b"1"), (b"b", b"2"), (b"c", b"")];
    write(dir.path(), &entries, &stamp);
    let good = std::fs::read(&path).unwrap();
    for cut in 0..good.len() {
        std::fs::write(&path, &good[..cut]).unwrap();
        assert!(
            Image::open(dir.path(), Some(&stamp), 5).is_none(),
            "cut at {cut}"
        );
    }
    // One piece of index: its CRC is the last four bytes.
    let pieces_at = good.len() - 4;
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0x80;
        std::fs::write(&path, &bad).unwrap();
        let image = Image::open(dir.path(), Some(&stamp), 5);
        if !(HEADER..pieces_at).contains(&at) {
            assert!(image.is_none(), "byte {at} changed");
            continue;
        }
        let image = image.expect("a changed value or index byte is not seen at open");
        for (k, v) in entries {
            match image.get(k) {
                Ok(got) => assert_eq!(got.as_deref(), Some(v), "byte {at} changed"),
                Err(e) => assert!(e.to_string().contains("checksum"), "{e}"),
            }
        }
        let scan: Vec<_> = image.scan_prefix(Vec::new()).collect();
        let last = scan.last().expect("something");
        assert!(last.is_err(), "byte {at} changed, read back");
    }
}

/// A file cut short or rewritten under an open image makes the reads of regions not yet
/// read fail (never crash: nothing is mapped); what was read before stays as it was.
#[test]
fn a_file_changed_under_an_open_image_fails_reads_and_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let big = vec![7u8; REGION_BYTES];
    let entries: [(&[u8], &[u8]); 3] = [(b"a", &big), (b"b", &big), (b"c", b"x")];
    write(dir.path(), &entries, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
    assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&big[..]));
    let path = dir.path().join(FILE_NAME);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(HEADER as u64 + 100)
        .unwrap();
    assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&big[..]));
    let e = image.get(b"b").unwrap_err().to_string();
    assert!(e.contains("cannot be read"), "{e}");
    // A scan gives out what it can, then the error, and says where to go on from.
    let mut scan = image.scan_prefix(Vec::new());
    assert_eq!(&scan.next().unwrap().unwrap().0[..], b"a");
    assert!(scan.next().unwrap().is_err());
    assert_eq!(scan.resume_key().as_deref(), Some(&b"b"[..]));
    assert!(scan.next().is_none());
}

/// The region cache stays within its limit and reads right after evictions, across more
/// than one chunk of slots (the clock hand skips chunks never read); an open allocates none.
#[test]
fn the_region_cache_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let values: Vec<(Vec<u8>, Vec<u8>)> = (0u32..4000)
        .map(|i| (i.to_be_bytes().to_vec(), vec![i as u8; 1000]))
        .collect();
    let refs: Vec<(&[u8], &[u8])> = values.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
    assert!(image.cache.len() >= 400, "{} regions", image.cache.len());
    assert_eq!(image.cache.allocated_chunks(), 0);
    image.set_limits(4 * REGION_BYTES, 4 * REGION_BYTES);
    // Reversed, then by a stride that jumps between chunks.
    let stride = (0..values.len()).map(|i| (i * 977) % values.len());
    let order: Vec<usize> = (0..values.len()).rev().chain(stride).collect();
    for round in 0..2 {
        for &i in &order {
            let (k, v) = &values[i];
            assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]), "{round}");
            assert!(image.cached_bytes() <= 5 * REGION_BYTES);
            assert!(image.cache.probation_bytes() <= 4 * REGION_BYTES);
        }
    }
    assert_eq!(image.scan_prefix(Vec::new()).count(), 4000);
}

/// A scan reads each region once: the regions pass through probation, which stays within its
/// limit, and none is kept in the main cache (before probation, all were: fresh memory per
/// region); read again after they left probation, they are kept there. Every value reads
/// right on both passes.
#[test]
fn regions_read_once_stay_in_probation_and_read_again_go_to_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let values: Vec<(Vec<u8>, Vec<u8>)> = (0u32..2000)
        .map(|i| (i.to_be_bytes().to_vec(), vec![i as u8; 1000]))
        .collect();
    let refs: Vec<(&[u8], &[u8])> = values.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
    assert!(image.cache.len() >= 200, "{} regions", image.cache.len());
    image.set_limits(8 * REGION_BYTES, CACHE_BYTES);
    let mut n = 0;
    for (kv, (k, v)) in image.scan_prefix(Vec::new()).zip(&values) {
        let (key, value) = kv.unwrap();
        assert_eq!((&key[..], &value[..]), (&k[..], &v[..]));
        assert!(image.cache.probation_bytes() <= 8 * REGION_BYTES);
        n += 1;
    }
    assert_eq!(n, values.len());
    assert_eq!(image.cached_bytes(), 0);
    assert!(image.cache.probation_bytes() > 0);
    for (k, v) in &values {
        assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
    }
    // All but the regions still in probation were read a second time.
    assert!(image.cached_bytes() >= 1000 * (values.len() - 80));
}

/// A region read again after probation dropped it is read from the file and checked again:
/// changed in the file meanwhile, it is refused; one still held reads as it was read.
#[test]
fn a_region_read_again_after_its_drop_is_checked_again() {
    use std::os::unix::fs::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let (a, b) = (vec![1u8; REGION_BYTES], vec![2u8; REGION_BYTES]);
    let entries: [(&[u8], &[u8]); 3] = [(b"a", &a), (b"b", &b), (b"c", b"x")];
    write(dir.path(), &entries, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
    // Probation holds one region: reading `b` drops `a`.
    image.set_limits(REGION_BYTES, CACHE_BYTES);
    assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&a[..]));
    assert_eq!(image.get(b"b").unwrap().as_deref(), Some(&b[..]));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join(FILE_NAME))
        .unwrap();
    for i in 0..2 {
        let (_, at, len, _) = image.raw_entry(i).unwrap();
        file.write_all_at(&vec![9u8; len], at as u64).unwrap();
    }
    assert_eq!(image.get(b"b").unwrap().as_deref(), Some(&b[..]));
    let e = image.get(b"a").unwrap_err().to_string();
    assert!(e.contains("do not match their checksum"), "{e}");
    let mut scan = image.scan_prefix(Vec::new());
    assert!(scan.next().unwrap().is_err());
    assert_eq!(image.cached_bytes(), 0);
}

/// A dropped region's buffer is read into again (a spare), and one a reader still holds is
/// not written over: the reader keeps what it read.
#[test]
fn a_spare_buffer_a_reader_holds_is_not_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let big: Vec<Vec<u8>> = (1..=4u8).map(|i| vec![i; REGION_BYTES]).collect();
    let entries: Vec<(&[u8], &[u8])> = [&b"a"[..], b"b", b"c", b"d"]
        .into_iter()
        .zip(big.iter().map(|v| &v[..]))
        .collect();
    write(dir.path(), &entries, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
    image.set_limits(REGION_BYTES, CACHE_BYTES);
    let a = image.get(b"a").unwrap().unwrap();
    let b = image.get(b"b").unwrap().unwrap();
    // `a` left probation: its buffer is the spare `c` is read into, while `a` is held.
    assert_eq!(image.cache.spares(), 1);
    let c = image.get(b"c").unwrap().unwrap();
    assert_eq!(image.cache.spares(), 1);
    drop(b);
    let d = image.get(b"d").unwrap().unwrap();
    // Read again, `a` goes to the main cache, read into `c`'s buffer (held: copied first).
    assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&big[0][..]));
    assert_eq!(image.cached_bytes(), REGION_BYTES);
    for (held, want) in [a, c, d].iter().zip([&big[0], &big[2], &big[3]]) {
        assert_eq!(&held[..], &want[..]);
    }
}

#[test]
fn each_group_of_values_is_hinted_once_and_reads_stay_right() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    // 300 KiB of values: three groups of READ_AROUND bytes, 40-odd regions.
    let values: Vec<(Vec<u8>, Vec<u8>)> = (0u32..300)
        .map(|i| (i.to_be_bytes().to_vec(), vec![i as u8; 1 << 10]))
        .collect();
    let refs: Vec<(&[u8], &[u8])> = values.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).expect("valid image");
    assert_eq!(image.hinted.len(), image.values_end.div_ceil(READ_AROUND));
    assert!(image.hinted.len() >= 3);
    let hinted = |image: &Image| {
        image
            .hinted
            .iter()
            .filter(|h| h.load(Ordering::Relaxed))
            .count()
    };
    assert_eq!(hinted(&image), 0, "nothing is hinted before a read");
    assert_eq!(
        image.get(&0u32.to_be_bytes()).unwrap().as_deref(),
        Some(&values[0].1[..])
    );
    assert_eq!(hinted(&image), 1, "a read hints its own group only");
    for (k, v) in values.iter().rev() {
        assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
    }
    assert_eq!(
        hinted(&image),
        image.hinted.len(),
        "every group with values was hinted"
    );
}

/// An open reads no piece of the index; a point read reads only the pieces it needs (its hash
/// slot, table entry and key, each in one piece or straddling two); keys and table entries that straddle two pieces read right; a
/// damaged piece fails the reads that need it and no others.
#[test]
fn the_index_is_read_by_piece_when_needed() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    // Keys of 1 to 300 bytes (so some straddle a piece boundary), small values.
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = (0u32..20_000)
        .map(|i| {
            let mut k = i.to_be_bytes().to_vec();
            k.resize(1 + (i as usize * 7919) % 300, b'k');
            (k, i.to_le_bytes().to_vec())
        })
        .collect();
    entries.sort();
    entries.dedup_by(|a, b| a.0 == b.0);
    let refs: Vec<(&[u8], &[u8])> = entries.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    let image = Image::open(dir.path(), Some(&stamp), 5).expect("valid image");
    assert!(image.pieces.len() > 100, "{} pieces", image.pieces.len());
    assert_eq!(
        image.pieces_read(),
        0,
        "an open reads no piece of the index"
    );
    let (k, v) = &entries[entries.len() / 2];
    assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
    assert!(image.pieces_read() <= 6, "{} pieces", image.pieces_read());
    for (k, v) in &entries {
        assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
    }
    let scanned: Vec<Vec<u8>> = image
        .scan_prefix(Vec::new())
        .map(|r| r.unwrap().0.into_owned())
        .collect();
    let keys: Vec<Vec<u8>> = entries.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(scanned, keys);

    // Damage one byte in the middle of the index: the reads that need that piece fail with
    // a checksum error, the others answer right.
    let path = dir.path().join(FILE_NAME);
    let mut bad = std::fs::read(&path).unwrap();
    let at = image.values_end + image.index_len / 2;
    bad[at] ^= 0x01;
    std::fs::write(&path, &bad).unwrap();
    let image = Image::open(dir.path(), Some(&stamp), 5).expect("opens: the piece is not read");
    let (mut right, mut failed) = (0, 0);
    for (k, v) in &entries {
        match image.get(k) {
            Ok(got) => {
                assert_eq!(got.as_deref(), Some(&v[..]));
                right += 1;
            }
            Err(e) => {
                assert!(e.to_string().contains("checksum"), "{e}");
                failed += 1;
            }
        }
    }
    assert!(right > 0 && failed > 0, "{right} right, {failed} failed");
}

#[test]
fn the_writer_refuses_keys_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ImageWriter::create(dir.path()).unwrap();
    w.push(b"b", b"").unwrap();
    assert!(w.push(b"a", b"").is_err());
    assert!(w.push(b"b", b"").is_err());
}

/// An image with a delta over it (`delta.rs`) reads as the image's entries with the delta's
/// applied: changed values, new keys, deleted keys (also a deleted key the image never had),
/// in `get`, `has_kind` and prefix and range scans, checked against a map of the same.
#[test]
fn a_delta_reads_over_the_image_like_a_merged_map() {
    use crate::store::delta::{self, Delta};
    use std::collections::BTreeMap;
    let dir = tempfile::tempdir().unwrap();
    let stamp = new_stamp();
    let key = |kind: u8, i: u32| {
        let mut k = vec![kind];
        k.extend_from_slice(&i.to_be_bytes());
        k
    };
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = (0u32..300)
        .map(|i| {
            (
                key(b"AN"[(i % 2) as usize], i),
                vec![i as u8; (i % 19) as usize],
            )
        })
        .collect();
    let refs: Vec<(&[u8], &[u8])> = model.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    write(dir.path(), &refs, &stamp);
    // Changes: every 7th value, deletes of every 11th key, new keys between and after the
    // image's (kinds A, N and a kind the image has none of), a delete of an absent key.
    let mut changes: BTreeMap<Vec<u8>, Option<IVec>> = BTreeMap::new();
    for i in (0u32..300).step_by(7) {
        let k = key(b"AN"[(i % 2) as usize], i);
        changes.insert(k, Some(IVec::from(vec![0xee; 3])));
    }
    for i in (0u32..300).step_by(11) {
        changes.insert(key(b"AN"[(i % 2) as usize], i), None);
    }
    for i in [1u32, 150, 1000] {
        changes.insert(key(b'A', i), Some(IVec::from(&b"new"[..])));
    }
    changes.insert(key(b'Q', 5), Some(IVec::from(&b"q"[..])));
    changes.insert(key(b'N', 7777), None);
    for (k, v) in &changes {
        match v {
            Some(v) => model.insert(k.clone(), v.to_vec()),
            None => model.remove(k),
        };
    }
    let entries: Vec<_> = changes.into_iter().collect();
    let names = delta::write(dir.path(), &stamp, 5, &entries).unwrap();
    let image = Image::open(dir.path(), Some(&stamp), 5)
        .unwrap()
        .with_delta(Delta::load(dir.path(), &names, 5).unwrap())
        .expect("the delta is over this image");
    assert_eq!(image.names(), Some(&names));
    for i in 0u32..1100 {
        for kind in [b'A', b'N', b'Q'] {
            let k = key(kind, i);
            assert_eq!(
                image.get(&k).unwrap().map(|v| v.to_vec()),
                model.get(&k).cloned(),
                "{k:?}"
            );
        }
    }
    assert!(image.has_kind(b'Q') && image.has_kind(b'A') && !image.has_kind(b'Z'));
    let scan =
        |prefix: &[u8], from: Option<&[u8]>, to: Option<Vec<u8>>| -> Vec<(Vec<u8>, Vec<u8>)> {
            image
                .scan_range(prefix.to_vec(), from, to)
                .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
                .collect()
        };
    let expect = |prefix: &[u8], from: &[u8], to: Option<&[u8]>| -> Vec<(Vec<u8>, Vec<u8>)> {
        model
            .range(from.to_vec()..)
            .filter(|(k, _)| k.starts_with(prefix) && to.is_none_or(|t| &k[..] < t))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    for prefix in [&b""[..], b"A", b"N", b"Q", b"Z"] {
        assert_eq!(
            scan(prefix, None, None),
            expect(prefix, prefix, None),
            "{prefix:?}"
        );
    }
    let (from, to) = (key(b'A', 140), key(b'A', 160));
    assert_eq!(
        scan(b"A", Some(&from), Some(to.clone())),
        expect(b"A", &from, Some(&to))
    );
    let from = key(b'N', 299);
    assert_eq!(scan(b"", Some(&from), None), expect(b"", &from, None));
    // A delta written over another image is not read over this one.
    let other = delta::write(dir.path(), &new_stamp(), 5, &entries).unwrap();
    assert!(Image::open(dir.path(), Some(&stamp), 5)
        .unwrap()
        .with_delta(Delta::load(dir.path(), &other, 5).unwrap())
        .is_none());
}
