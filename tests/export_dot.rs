//! DOT export rendered by the real GraphViz `dot`: hostile names, clusters, rankdir, style
//! files. Without `dot` these tests fail (CI installs graphviz) unless KG_ALLOW_NO_DOT=1.

use kgstore::export::graphviz::{dot_available, render};
use kgstore::export::{write_source, ExportFormat, ExportOptions, Source};
use kgstore::model::Properties;
use kgstore::store::{GraphWrite, Store};
use kgstore::value::{Date, Value};

/// True when `dot` can run; otherwise panics with how to install it, or (KG_ALLOW_NO_DOT=1)
/// prints a skip message and returns false.
fn need_dot() -> bool {
    if dot_available() {
        return true;
    }
    if std::env::var("KG_ALLOW_NO_DOT").as_deref() == Ok("1") {
        eprintln!("skipped: GraphViz `dot` is not installed (KG_ALLOW_NO_DOT=1)");
        return false;
    }
    panic!("GraphViz `dot` is required for this test: apt-get install graphviz / brew install graphviz (or set KG_ALLOW_NO_DOT=1 to skip locally)");
}

fn props(pairs: Vec<(&str, Value)>) -> Properties {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

const HOSTILE: [&str; 8] = [
    "Quote \" and back\\slash\\",
    "new\nline",
    "<b>html</b> & <i>",
    "{curly} [square] |pipe|",
    "智谱 AI 北京",
    "\\N \\G \\l escapes",
    "trailing backslash \\",
    "'single' `back` \t tab",
];

fn hostile_store() -> Store {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let mut ids = Vec::new();
    for (i, name) in HOSTILE.iter().enumerate() {
        let label = ["Company", "Person", "Odd \"Label\" {x}"][i % 3].to_string();
        let exchange = ["SSE", "HKEX \"main\""][i % 2];
        ids.push(
            t.create_node(
                &[label],
                props(vec![
                    ("name", Value::String(name.to_string())),
                    ("exchange", Value::String(exchange.into())),
                ]),
            )
            .unwrap(),
        );
    }
    let unnamed = t.create_node(&["Fund".into()], Properties::new()).unwrap();
    for w in ids.windows(2) {
        t.create_relationship(
            "OWNS",
            w[0],
            w[1],
            props(vec![
                ("stake", Value::Float(0.35)),
                ("note", Value::String("a\"b".into())),
            ]),
        )
        .unwrap();
    }
    t.create_relationship(
        "INVESTED {IN}",
        unnamed,
        ids[0],
        props(vec![
            ("amount_usd", Value::Float(1.5e9)),
            ("date", Value::Date(Date::new(2025, 1, 2).unwrap())),
        ]),
    )
    .unwrap();
    t.commit().unwrap();
    store
}

fn dot_text(store: &Store, opts: &ExportOptions) -> String {
    let txn = store.begin();
    let mut out = Vec::new();
    let r = write_source(Source::Graph(&txn), ExportFormat::Dot, opts, &mut out).unwrap();
    assert_eq!((r.nodes, r.relationships), (9, 8));
    String::from_utf8(out).unwrap()
}

#[test]
fn hostile_names_render_with_real_dot() {
    let store = hostile_store();
    let dot = dot_text(&store, &ExportOptions::default());
    // Readable by default: names as captions, fallback caption, edge captions, legend.
    assert!(dot.contains("label=\"智谱 AI 北京\""), "{dot}");
    assert!(dot.contains("label=\"Fund #"), "{dot}");
    assert!(dot.contains("label=\"OWNS\\nstake: 0.35\""), "{dot}");
    assert!(
        dot.contains("label=\"INVESTED {IN}\\namount_usd: 1.5B\""),
        "{dot}"
    );
    assert!(dot.contains("cluster_legend"), "{dot}");
    if !need_dot() {
        return;
    }
    let svg = String::from_utf8(render(dot.as_bytes(), "svg").unwrap()).unwrap();
    // Rendered faithfully: each name's text reaches the picture (XML-escaped in SVG).
    for expected in [
        "Quote &quot; and back\\slash\\",
        "&lt;b&gt;html&lt;/b&gt; &amp; &lt;i&gt;",
        "{curly} [square] |pipe|",
        "智谱 AI 北京",
        "\\N \\G \\l escapes",
        "trailing backslash \\",
        ">new<",
        ">line<",
    ] {
        assert!(svg.contains(expected), "SVG lacks {expected:?}:\n{svg}");
    }
}

#[test]
fn clusters_rankdir_and_style_file() {
    let store = hostile_store();
    let dir = tempfile::tempdir().unwrap();
    let style = dir.path().join("style.txt");
    std::fs::write(
        &style,
        "# per-label overrides\n(:Person) shape=box3d fillcolor=\"#ffe0e0\"\n[:OWNS] color=red style=bold\nCompany: shape=record\n",
    )
    .unwrap();
    let opts = ExportOptions {
        rankdir: Some("lr".into()),
        cluster_by: Some("exchange".into()),
        style_file: Some(style),
        ..ExportOptions::default()
    };
    let dot = dot_text(&store, &opts);
    assert!(dot.contains("rankdir=\"LR\""), "{dot}");
    assert!(
        dot.contains("label=\"exchange: HKEX \\\"main\\\"\""),
        "{dot}"
    );
    assert!(dot.contains("shape=\"box3d\""), "{dot}");
    assert!(dot.contains("color=\"red\""), "{dot}");
    // Record shapes treat {}|<> as structure: they are escaped in captions.
    assert!(dot.contains("\\{curly\\} [square] \\|pipe\\|"), "{dot}");
    if need_dot() {
        let svg = String::from_utf8(render(dot.as_bytes(), "svg").unwrap()).unwrap();
        assert!(svg.contains("exchange: SSE"), "{svg}");
    }
    let bad = ExportOptions {
        rankdir: Some("sideways".into()),
        ..ExportOptions::default()
    };
    let txn = store.begin();
    let err = write_source(
        Source::Graph(&txn),
        ExportFormat::Dot,
        &bad,
        &mut Vec::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("expected TB, LR, BT or RL"), "{err}");
}

#[test]
fn svg_and_png_run_dot() {
    if !need_dot() {
        return;
    }
    let store = hostile_store();
    let txn = store.begin();
    let mut svg = Vec::new();
    write_source(
        Source::Graph(&txn),
        ExportFormat::Svg,
        &ExportOptions::default(),
        &mut svg,
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let mut png = Vec::new();
    write_source(
        Source::Graph(&txn),
        ExportFormat::Png,
        &ExportOptions::default(),
        &mut png,
    )
    .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
