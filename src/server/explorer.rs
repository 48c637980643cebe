//! The explorer: the graph browser that `kg serve`'s HTTP listener serves at `/`.
//!
//! Its files live under `web/` (our JavaScript and CSS in `web/app/`, Cytoscape.js and
//! CodeMirror 5 vendored from npm in `web/vendor/`, see `web/vendor/README.md`) and are
//! embedded here at compile time: no CDN, no network, no separate install. The page talks
//! only to the HTTP Query API. Two documents are made here rather than kept as files:
//! `/app/favourites.json` (the seed graph's example questions, `seed/queries/*.cypher`) and
//! `/app/language.json` (the keywords and functions the editor completes, from the same
//! tables as the shell's completion, so neither can fall behind the engine).

use std::sync::OnceLock;

use serde_json::json;

macro_rules! web {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../web/", $path)) as &'static [u8])),*]
    };
}

/// Every embedded file by its path under `web/`.
const FILES: &[(&str, &[u8])] = web![
    "app/index.html",
    "app/explorer.css",
    "app/icon.svg",
    "app/main.js",
    "app/api.js",
    "app/editor.js",
    "app/exporter.js",
    "app/frame.js",
    "app/graph.js",
    "app/style.js",
    "app/table.js",
    "app/values.js",
    "vendor/cytoscape/cytoscape.min.js",
    "vendor/cytoscape/LICENSE",
    "vendor/cytoscape/VERSION",
    "vendor/codemirror/codemirror.js",
    "vendor/codemirror/codemirror.css",
    "vendor/codemirror/cypher.js",
    "vendor/codemirror/matchbrackets.js",
    "vendor/codemirror/closebrackets.js",
    "vendor/codemirror/show-hint.js",
    "vendor/codemirror/show-hint.css",
    "vendor/codemirror/placeholder.js",
    "vendor/codemirror/comment.js",
    "vendor/codemirror/LICENSE",
    "vendor/codemirror/VERSION",
];

macro_rules! seed_queries {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../seed/queries/", $file)))),*]
    };
}

/// The seed graph's example questions, shipped as the explorer's favourites (a test checks
/// that this list matches `seed/queries/`).
pub const SEED_QUERIES: &[(&str, &str)] = seed_queries![
    "01_who_controls_deepseek.cypher",
    "02_parent_chains.cypher",
    "03_dual_listings.cypher",
    "04_gpu_makers_on_star.cypher",
    "05_listing_pipeline.cypher",
    "06_spin_offs.cypher",
    "07_nvidia_dependents.cypher",
    "08_export_controls.cypher",
    "09_bytedance_shift.cypher",
    "10_sse_floor.cypher",
    "11_largest_rounds.cypher",
    "12_zhipu_use_of_proceeds.cypher",
    "13_zhipu_financials.cypher",
    "14_six_tigers.cypher",
    "15_model_ranking.cypher",
    "16_deepseek_investors.cypher",
    "17_hong_kong_listings.cypher",
    "18_policies.cypher",
    "19_sources.cypher",
    "20_speculation.cypher",
    "21_provenance.cypher",
    "22_discrepancies.cypher",
    "23_timeline.cypher",
];

fn favourites() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        let list: Vec<_> = SEED_QUERIES
            .iter()
            .map(|(name, text)| json!({ "name": name, "text": text.trim_end() }))
            .collect();
        serde_json::to_vec(&list).expect("JSON of strings")
    })
}

fn language() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut functions: Vec<&str> = crate::functions::all().iter().map(|f| f.name).collect();
        functions.extend(["reduce", "all", "any", "none", "single"]);
        functions.sort_unstable();
        functions.dedup();
        let doc = json!({ "keywords": crate::parser::keywords::KEYWORDS, "functions": functions });
        serde_json::to_vec(&doc).expect("JSON of strings")
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

/// The explorer's file at a request path (`/`, `/app/main.js`, `/vendor/…`; a query string
/// is ignored): its content type and bytes, or None.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rel = match path {
        "/" | "/index.html" | "/browser" | "/browser/" | "/explorer" | "/explorer/" => {
            "app/index.html"
        }
        p => p.strip_prefix('/')?,
    };
    match rel {
        "app/favourites.json" => Some(("application/json", favourites())),
        "app/language.json" => Some(("application/json", language())),
        _ => FILES
            .iter()
            .find(|(p, _)| *p == rel)
            .map(|(p, bytes)| (content_type(p), *bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_assets_are_served() {
        let (ty, page) = asset("/").unwrap();
        assert_eq!(ty, "text/html; charset=utf-8");
        let page = std::str::from_utf8(page).unwrap();
        assert_eq!(asset("/index.html").unwrap().1, page.as_bytes());
        assert_eq!(asset("/?x=1").unwrap().1, page.as_bytes());
        // Every local file the page names is embedded.
        let re = regex::Regex::new(r#"(?:src|href)="(/[^"]+)""#).unwrap();
        for cap in re.captures_iter(page) {
            assert!(asset(&cap[1]).is_some(), "{} is not embedded", &cap[1]);
        }
        assert_eq!(
            asset("/app/main.js").unwrap().0,
            "text/javascript; charset=utf-8"
        );
        assert!(asset("/app/nothing.js").is_none());
        assert!(asset("/../Cargo.toml").is_none());
        assert!(asset("/db/neo4j/query/v2").is_none());
    }

    #[test]
    fn every_module_import_is_embedded() {
        let re = regex::Regex::new(r#"from '\./([a-z]+\.js)'"#).unwrap();
        for (path, bytes) in FILES.iter().filter(|(p, _)| p.starts_with("app/")) {
            let text = std::str::from_utf8(bytes).unwrap();
            for cap in re.captures_iter(text) {
                let target = format!("/app/{}", &cap[1]);
                assert!(
                    asset(&target).is_some(),
                    "{path} imports {target}, not embedded"
                );
            }
        }
    }

    #[test]
    fn favourites_are_the_seed_queries() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/queries");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".cypher"))
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = SEED_QUERIES.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            listed, on_disk,
            "SEED_QUERIES must list seed/queries/*.cypher"
        );
        let (ty, doc) = asset("/app/favourites.json").unwrap();
        assert_eq!(ty, "application/json");
        let v: serde_json::Value = serde_json::from_slice(doc).unwrap();
        assert_eq!(v.as_array().unwrap().len(), on_disk.len());
        assert!(v[0]["text"].as_str().unwrap().contains("DeepSeek"));
    }

    #[test]
    fn language_lists_keywords_and_functions() {
        let v: serde_json::Value =
            serde_json::from_slice(asset("/app/language.json").unwrap().1).unwrap();
        let has = |k: &str, x: &str| v[k].as_array().unwrap().iter().any(|s| s == x);
        assert!(has("keywords", "MATCH"));
        assert!(has("functions", "toInteger"));
    }

    #[test]
    fn vendored_files_carry_licences_and_versions() {
        for lib in ["cytoscape", "codemirror"] {
            let licence = asset(&format!("/vendor/{lib}/LICENSE")).unwrap().1;
            assert!(std::str::from_utf8(licence).unwrap().contains("MIT"));
            assert!(asset(&format!("/vendor/{lib}/VERSION")).is_some());
        }
    }
}
