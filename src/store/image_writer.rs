//! Writes the read image (`image.rs` has its layout): entries pushed in key order, values
//! grouped into checksummed regions, then the index (keys, table, hash area, region table),
//! its piece table and the header, synced and renamed into place. Compaction is its one user.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

use super::errors::corrupt;
use super::image::{
    checksum, ENTRY, FILE_NAME, HEADER, LAYOUT, MAGIC, NO_ENTRY, PIECE, REGION, REGION_BYTES,
    TMP_NAME,
};
use super::keys::fnv1a;

/// Writes an image from entries given in ascending key order.
pub(crate) struct ImageWriter {
    dir: PathBuf,
    out: BufWriter<File>,
    values_end: u64,
    keys: Vec<u8>,
    table: Vec<u8>,
    last_key: Option<Vec<u8>>,
    /// The region table so far, and the open region: start and CRC of its bytes.
    regions: Vec<u8>,
    region_start: u64,
    region_crc: crc32fast::Hasher,
}

impl ImageWriter {
    pub fn create(dir: &Path) -> Result<ImageWriter> {
        let tmp = dir.join(TMP_NAME);
        let mut out = File::create(&tmp)
            .map(BufWriter::new)
            .map_err(io_err(&tmp))?;
        out.write_all(&[0; HEADER]).map_err(io_err(&tmp))?;
        Ok(ImageWriter {
            dir: dir.to_path_buf(),
            out,
            values_end: HEADER as u64,
            keys: Vec::new(),
            table: Vec::new(),
            last_key: None,
            regions: Vec::new(),
            region_start: HEADER as u64,
            region_crc: crc32fast::Hasher::new(),
        })
    }

    /// Ends the open region, if it holds anything.
    fn close_region(&mut self) -> Result<()> {
        let len = self.values_end - self.region_start;
        if len == 0 {
            return Ok(());
        }
        let len = u32::try_from(len).map_err(|_| {
            corrupt(
                &self.dir.join(TMP_NAME),
                "a value too large for the read image",
            )
        })?;
        let crc = std::mem::take(&mut self.region_crc).finalize();
        self.regions
            .extend_from_slice(&self.region_start.to_le_bytes());
        self.regions.extend_from_slice(&len.to_le_bytes());
        self.regions.extend_from_slice(&crc.to_le_bytes());
        self.region_start = self.values_end;
        Ok(())
    }

    pub fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        let tmp = self.dir.join(TMP_NAME);
        let too_big = || corrupt(&tmp, "a key or value too large for the read image");
        if self.last_key.as_deref().is_some_and(|last| last >= key) {
            return Err(corrupt(&tmp, "keys given to the read image out of order"));
        }
        if self.values_end - self.region_start + value.len() as u64 > REGION_BYTES as u64 {
            self.close_region()?;
        }
        self.out.write_all(value).map_err(io_err(&tmp))?;
        self.region_crc.update(value);
        let region = self.regions.len() / REGION;
        self.table.extend_from_slice(&self.values_end.to_le_bytes());
        for n in [value.len(), self.keys.len(), key.len(), region] {
            let n = u32::try_from(n).map_err(|_| too_big())?;
            self.table.extend_from_slice(&n.to_le_bytes());
        }
        self.values_end += value.len() as u64;
        self.keys.extend_from_slice(key);
        self.last_key = Some(key.to_vec());
        Ok(())
    }

    /// Completes the file, syncs it and renames it into place as the image named `stamp`.
    /// The caller writes the stamp into sled afterwards, which is what makes the image valid.
    pub fn finish(mut self, stamp: &[u8; 16], format: u32) -> Result<()> {
        self.close_region()?;
        let tmp = self.dir.join(TMP_NAME);
        let e = io_err(&tmp);
        let entries = self.table.len() / ENTRY;
        if entries >= NO_ENTRY as usize {
            return Err(corrupt(&tmp, "too many keys for the read image"));
        }
        let slots = (entries + 1).next_power_of_two() * 2;
        let mut hash = vec![NO_ENTRY; slots];
        for i in 0..entries {
            let at = |f: usize| {
                let b = &self.table[i * ENTRY + f..i * ENTRY + f + 4];
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
            };
            let (key_at, key_len) = (at(12), at(16));
            let mut slot = fnv1a(&self.keys[key_at..key_at + key_len]) as usize & (slots - 1);
            while hash[slot] != NO_ENTRY {
                slot = (slot + 1) & (slots - 1);
            }
            hash[slot] = i as u32;
        }
        let keys_at = self.values_end;
        let table_at = keys_at + self.keys.len() as u64;
        let hash_at = table_at + self.table.len() as u64;
        let regions_at = hash_at + 4 * slots as u64;
        let pieces_at = regions_at + self.regions.len() as u64;
        let hash: Vec<u8> = hash.iter().flat_map(|i| i.to_le_bytes()).collect();
        let mut rest = std::mem::take(&mut self.keys);
        rest.extend_from_slice(&self.table);
        rest.extend_from_slice(&hash);
        rest.extend_from_slice(&self.regions);
        let pieces: Vec<u8> = rest
            .chunks(PIECE)
            .flat_map(|p| crc32fast::hash(p).to_le_bytes())
            .collect();
        let len = pieces_at + pieces.len() as u64;
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&LAYOUT.to_le_bytes());
        header.extend_from_slice(&format.to_le_bytes());
        header.extend_from_slice(stamp);
        for n in [
            entries as u64,
            keys_at,
            table_at,
            len,
            hash_at,
            slots as u64,
            0,
            regions_at,
            pieces_at,
        ] {
            header.extend_from_slice(&n.to_le_bytes());
        }
        debug_assert_eq!(header.len(), HEADER);
        let sum = checksum(&header, &pieces);
        header[80..88].copy_from_slice(&sum.to_le_bytes());
        self.out.write_all(&rest).map_err(&e)?;
        self.out.write_all(&pieces).map_err(&e)?;
        self.out.seek(SeekFrom::Start(0)).map_err(&e)?;
        self.out.write_all(&header).map_err(&e)?;
        let file = self.out.into_inner().map_err(|err| e(err.into_error()))?;
        file.sync_all().map_err(&e)?;
        drop(file);
        let path = self.dir.join(FILE_NAME);
        std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err(&self.dir))
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> crate::error::Error {
    let path = path.to_path_buf();
    move |source| StoreError::io(&path, source).into()
}
