//! Pictures of the seed graph as a user makes them (`kg export`), checked on the DOT text and
//! on what the real GraphViz `dot` draws (issue 18 items 8 and 9, issue 17's colouring by
//! source): a label's colour is the same in every picture, organisations of different kinds
//! differ, sources are a legend rather than edge text, the whole graph fits a screen.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn kg(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(KG)
        .current_dir(dir)
        .args(["--db", "seed.db"])
        .args(args)
        .env_remove("KG_DB")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kg");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kg {args:?}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    kg(dir.path(), &["seed"]);
    dir
}

/// The DOT attributes of the node whose caption is `name`.
fn node_attrs(dot: &str, name: &str) -> BTreeMap<String, String> {
    let caption = format!("label=\"{name}\"");
    let line = dot
        .lines()
        .find(|l| l.trim_start().starts_with("\"n") && !l.contains("->") && l.contains(&caption))
        .unwrap_or_else(|| panic!("no node {name} in\n{dot}"));
    let attr = regex::Regex::new(r#"(\w+)="((?:[^"\\]|\\.)*)""#).expect("regex");
    attr.captures_iter(line)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

fn fill(dot: &str, name: &str) -> String {
    node_attrs(dot, name)["fillcolor"].clone()
}

/// The same label has the same colour in the whole-graph picture and in query pictures that
/// meet labels in other orders and other company (Person was red in one and blue in another),
/// and organisations of different kinds have different colours (all were alike).
#[test]
fn a_label_keeps_its_colour_in_every_picture() {
    let dir = seeded();
    let whole = kg(dir.path(), &["export", "-f", "dot"]);
    let people = kg(
        dir.path(),
        &["export", "-f", "dot", "-q", "MATCH (p:Person) RETURN p"],
    );
    let mixed = kg(
        dir.path(),
        &[
            "export",
            "-f",
            "dot",
            "-q",
            "MATCH (s:Source), (p:Person), (l:Lab {name: 'DeepSeek'}), (c:ChipMaker {name: 'Nvidia'}) \
             RETURN s, p, l, c",
        ],
    );
    let investors = kg(
        dir.path(),
        &[
            "export",
            "-f",
            "dot",
            "-q",
            "MATCH p = (:Organization {name: 'Tencent'})-[:INVESTED_IN]->(:Lab) RETURN p",
        ],
    );
    for name in ["Ma Si", "Li Chao"] {
        assert_eq!(fill(&whole, name), fill(&people, name), "{name}");
        assert_eq!(fill(&whole, name), fill(&mixed, name), "{name}");
    }
    assert_eq!(fill(&whole, "DeepSeek"), fill(&mixed, "DeepSeek"));
    assert_eq!(fill(&whole, "DeepSeek"), fill(&investors, "DeepSeek"));
    assert_eq!(fill(&whole, "Tencent"), fill(&investors, "Tencent"));
    assert_eq!(fill(&whole, "Nvidia"), fill(&mixed, "Nvidia"));
    // Kinds of organisation are told apart: a lab, a chip maker, an investor, an exchange.
    let orgs = [
        fill(&whole, "DeepSeek"),
        fill(&whole, "Nvidia"),
        fill(&whole, "Tencent"),
        fill(&whole, "Hong Kong Stock Exchange"),
        fill(&whole, "South China Morning Post"),
    ];
    let distinct: std::collections::BTreeSet<&String> = orgs.iter().collect();
    assert_eq!(distinct.len(), orgs.len(), "{orgs:?}");
    // Still drawn as organisations: one shape for the kind.
    assert_eq!(node_attrs(&whole, "DeepSeek")["shape"], "box");
    assert_eq!(node_attrs(&whole, "Nvidia")["shape"], "box");
    assert_eq!(node_attrs(&whole, "Ma Si")["shape"], "ellipse");
    // The legend names the combinations: `:Organization:Lab`.
    assert!(whole.contains(":Organization:Lab (box)"), "{whole}");
}

/// Edge captions no longer repeat `source: …` on every edge; `--color-by source` colours each
/// fact by its document (a fact two documents state gets both) with a legend of documents,
/// and the SVG drawn by the real `dot` shows them; hovering an edge shows its properties.
#[test]
fn facts_are_coloured_by_source_with_a_legend() {
    let dir = seeded();
    let plain = kg(dir.path(), &["export", "-f", "dot"]);
    let edges: Vec<&str> = plain.lines().filter(|l| l.contains("\" -> \"n")).collect();
    assert!(edges.len() > 50, "{plain}");
    for e in &edges {
        let caption = e.split("label=\"").nth(1).unwrap_or_default();
        let caption = caption.split('"').next().unwrap_or_default();
        assert!(!caption.contains("source"), "{e}");
        assert!(e.contains("tooltip=\""), "{e}");
    }

    let query = "MATCH p = (:Lab {name: 'DeepSeek'})-[]-() RETURN p";
    let by_source = kg(
        dir.path(),
        &["export", "-f", "dot", "--color-by", "source", "-q", query],
    );
    assert!(by_source.contains("<b>Colour: source</b>"), "{by_source}");
    let legend = by_source
        .lines()
        .find(|l| l.contains("\"legend\""))
        .expect("legend");
    let swatch = regex::Regex::new(r#"<td bgcolor="(#[0-9a-f]{6})" color="(#[0-9a-f]{6})"[^>]*></td><td align="left">(\d{3}_[0-9a-f]+\.txt)</td>"#)
        .expect("regex");
    let sources: BTreeMap<String, String> = swatch
        .captures_iter(legend)
        .map(|c| (c[3].to_string(), c[2].to_string()))
        .collect();
    assert!(sources.len() >= 2, "{legend}");
    let borders: std::collections::BTreeSet<&String> = sources.values().collect();
    assert_eq!(borders.len(), sources.len(), "one colour per document");
    // Every edge is drawn in the colours of its documents, in the order it lists them.
    let rel_sources = kg(
        dir.path(),
        &[
            "query",
            "--format",
            "csv",
            "MATCH (:Lab {name: 'DeepSeek'})-[r]-() RETURN id(r) AS id, r.source AS s",
        ],
    );
    let mut two_documents = false;
    let document = regex::Regex::new(r"\d{3}_[0-9a-f]+\.txt").expect("regex");
    for line in rel_sources.lines().skip(1) {
        let (id, list) = line.split_once(',').expect("id,source");
        let docs: Vec<&str> = document.find_iter(list).map(|m| m.as_str()).collect();
        two_documents |= docs.len() > 1;
        let want: Vec<&str> = docs.iter().map(|d| sources[*d].as_str()).collect();
        let edge = by_source
            .lines()
            .find(|l| l.contains("\" -> \"n") && l.contains(&format!("#{id}\\n")))
            .unwrap_or_else(|| panic!("edge {id} in\n{by_source}"));
        assert!(
            edge.contains(&format!("color=\"{}\"", want.join(":"))),
            "{edge} should be drawn in {want:?}"
        );
    }
    assert!(
        two_documents,
        "the query meets a fact stated by two documents"
    );

    let svg_path = dir.path().join("ds.svg");
    kg(
        dir.path(),
        &[
            "export",
            "-f",
            "svg",
            "--color-by",
            "source",
            "-q",
            query,
            "-o",
            svg_path.to_str().expect("utf-8 path"),
        ],
    );
    let svg = std::fs::read_to_string(&svg_path).expect("svg written");
    for (doc, border) in &sources {
        assert!(svg.contains(doc.as_str()), "{doc} in the legend");
        assert!(svg.contains(&format!("stroke=\"{border}\"")), "{border}");
    }
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[1..4], b"PNG", "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// The whole seed graph is drawn as a picture a screen can show (it was a 5.4:1 strip); a
/// small query keeps the ranked `dot` layout, and `--layout` chooses the engine.
#[test]
fn the_whole_graph_fits_a_screen() {
    let dir = seeded();
    let png = dir.path().join("seed.png");
    let path = png.to_str().expect("utf-8 path");
    kg(dir.path(), &["export", "-f", "png", "-o", path]);
    let (w, h) = png_size(&std::fs::read(&png).expect("png"));
    let ratio = f64::from(w.max(h)) / f64::from(w.min(h));
    assert!(ratio < 2.0, "{w}x{h} is a strip");

    let dot = kg(dir.path(), &["export", "-f", "dot"]);
    assert!(dot.contains("layout=\"neato\""), "{dot}");
    let small = kg(
        dir.path(),
        &[
            "export",
            "-f",
            "dot",
            "-q",
            "MATCH p = (:Lab)-[:RAISED]->() RETURN p",
        ],
    );
    assert!(small.contains("layout=\"dot\""), "{small}");
    let ranked = kg(dir.path(), &["export", "-f", "dot", "--rankdir", "LR"]);
    assert!(ranked.contains("layout=\"dot\""), "{ranked}");
    let chosen = kg(dir.path(), &["export", "-f", "dot", "--layout", "sfdp"]);
    assert!(chosen.contains("layout=\"sfdp\""), "{chosen}");
}
