use kgstore::import::*;
#[test]
fn stage_m() {
    let dir = std::env::var("KG_SCRATCH").unwrap();
    let opts = ImportOptions {
        id_type: IdType::Integer,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let (s, r) = stage(ImportFormat::Csv, &[dir.into()], &opts).unwrap();
    eprintln!(
        "{} nodes {} rels {:?} {:?} {}",
        s.nodes.len(),
        s.rels.len(),
        t.elapsed(),
        r.warnings,
        r
    );
}
