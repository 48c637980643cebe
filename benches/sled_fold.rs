//! What sled 0.34 writes for the parts of an index-delta fold (issue 20, docs/performance.md
//! "What a fold writes"): 2,048 buckets rewritten and 65,536 small delta keys deleted, on a
//! store shaped like bench scale M's keyspace. Bytes are the process's `write_bytes`.
//!
//! `cargo bench --bench sled_fold -- DIR [DELTA_PREFIX [BUCKET_BYTES [ORDER]]]` (cargo's own
//! `--bench` argument is ignored):
//! DELTA_PREFIX 74 ('J', as kgstore) or 1 (after the small meta keys instead of the buckets);
//! ORDER `asc` (one batch, as kgstore), `chunks` (batches of 4,096, flushed) or `desc` (one
//! removal at a time from the end).

const DELTAS: u32 = 65_536;

fn write_bytes() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn delta_key(prefix: u8, i: u32) -> Vec<u8> {
    let mut k = vec![prefix, 0, 0, 0, 1];
    k.extend_from_slice(format!("x{i:08}").as_bytes());
    k.extend_from_slice(&(u64::from(i) + 200_000).to_be_bytes());
    k
}

fn bucket_key(i: u32) -> Vec<u8> {
    [&b"I\0\0\0\x01"[..], &i.to_be_bytes()].concat()
}

fn mb(from: u64, to: u64) -> f64 {
    to.saturating_sub(from) as f64 / 1e6
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let dir = args
        .get(1)
        .ok_or("usage: sled_fold DIR [PREFIX [BUCKET_BYTES [ORDER]]]")?;
    let prefix: u8 = args.get(2).map_or(Ok(b'J'), |s| s.parse())?;
    let bucket_bytes: usize = args.get(3).map_or(Ok(2400), |s| s.parse())?;
    let order = args.get(4).map_or("asc", String::as_str);
    let _ = std::fs::remove_dir_all(dir);
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(1 << 30)
        .flush_every_ms(Some(500))
        .open()?;
    // Meta counters, the buckets of one index, label bitmaps and node blocks.
    let mut b = sled::Batch::default();
    for i in 0u32..300 {
        b.insert([&[0u8][..], &i.to_be_bytes()].concat(), vec![1u8; 8]);
    }
    for i in 0u32..2048 {
        b.insert(bucket_key(i), vec![7u8; bucket_bytes]);
    }
    for i in 0u32..50 {
        b.insert([&b"L"[..], &i.to_be_bytes()].concat(), vec![3u8; 512]);
    }
    for i in 0u32..20_000 {
        b.insert([&b"N"[..], &i.to_be_bytes()].concat(), vec![3u8; 900]);
    }
    db.apply_batch(b)?;
    db.flush()?;
    // The deltas arrive in commits of 1,000.
    let w0 = write_bytes();
    for c in 0..DELTAS.div_ceil(1000) {
        let mut b = sled::Batch::default();
        for i in c * 1000..((c + 1) * 1000).min(DELTAS) {
            b.insert(delta_key(prefix, i), vec![1u8]);
        }
        db.apply_batch(b)?;
        db.flush()?;
    }
    let w1 = write_bytes();
    let mut b = sled::Batch::default();
    for i in 0u32..2048 {
        b.insert(bucket_key(i), vec![8u8; bucket_bytes]);
    }
    db.apply_batch(b)?;
    db.flush()?;
    let w2 = write_bytes();
    match order {
        "chunks" => {
            for c in 0..DELTAS.div_ceil(4096) {
                let mut b = sled::Batch::default();
                for i in c * 4096..((c + 1) * 4096).min(DELTAS) {
                    b.remove(delta_key(prefix, i));
                }
                db.apply_batch(b)?;
                db.flush()?;
            }
        }
        "desc" => {
            for i in (0..DELTAS).rev() {
                db.remove(delta_key(prefix, i))?;
            }
            db.flush()?;
        }
        _ => {
            let mut b = sled::Batch::default();
            for i in 0..DELTAS {
                b.remove(delta_key(prefix, i));
            }
            db.apply_batch(b)?;
            db.flush()?;
        }
    }
    let w3 = write_bytes();
    drop(db);
    println!(
        "prefix {prefix}, buckets of {bucket_bytes} B, deletes {order}: {DELTAS} delta keys \
         written {:.1} MB, 2048 buckets rewritten {:.1} MB, delta keys deleted {:.1} MB",
        mb(w0, w1),
        mb(w1, w2),
        mb(w2, w3)
    );
    Ok(())
}
