//! A small reader for the Gherkin subset the openCypher TCK uses: Feature, Scenario,
//! Scenario Outline with Examples (placeholders substituted everywhere), tags, `#` comments,
//! `"""` doc strings and `|` tables with `\|` escapes.

#[derive(Clone, Debug)]
pub struct Step {
    /// The step text after its keyword, e.g. `executing query:`.
    pub text: String,
    pub doc: Option<String>,
    pub table: Option<Vec<Vec<String>>>,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    /// `path:[n] name`, with ` #k` appended for the k-th Examples row of an outline.
    pub id: String,
    pub steps: Vec<Step>,
}

struct Pending {
    name: String,
    outline: bool,
    steps: Vec<Step>,
    /// Header of the Examples table being read (rows follow it).
    header: Option<Vec<String>>,
    rows: Vec<Vec<(String, String)>>,
    in_examples: bool,
}

/// Splits a table line into cells, unescaping `\|`, `\\` and `\n` as the TCK README says.
pub fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('|') => {
                    cur.push('|');
                    chars.next();
                }
                Some('\\') => {
                    cur.push('\\');
                    chars.next();
                }
                Some('n') => {
                    cur.push('\n');
                    chars.next();
                }
                _ => cur.push('\\'),
            },
            '|' => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn substitute(s: &str, row: &[(String, String)]) -> String {
    let mut out = s.to_string();
    for (k, v) in row {
        out = out.replace(&format!("<{k}>"), v);
    }
    out
}

fn finish(p: Pending, path: &str, out: &mut Vec<Scenario>) {
    let base = format!("{path}:{}", p.name);
    if !p.outline {
        out.push(Scenario {
            id: base,
            steps: p.steps,
        });
        return;
    }
    for (i, row) in p.rows.iter().enumerate() {
        let steps = p
            .steps
            .iter()
            .map(|s| Step {
                text: substitute(&s.text, row),
                doc: s.doc.as_ref().map(|d| substitute(d, row)),
                table: s.table.as_ref().map(|t| {
                    t.iter()
                        .map(|r| r.iter().map(|c| substitute(c, row)).collect())
                        .collect()
                }),
            })
            .collect();
        out.push(Scenario {
            id: format!("{base} #{}", i + 1),
            steps,
        });
    }
}

/// All scenarios of one feature file (`path` is its id prefix, relative to the features dir).
pub fn parse(path: &str, src: &str) -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut cur: Option<Pending> = None;
    let mut background: Vec<Step> = Vec::new();
    let mut in_background = false;
    let lines: Vec<&str> = src.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        if line.starts_with("Background:") {
            in_background = true;
            cur = Some(Pending {
                name: String::new(),
                outline: false,
                steps: Vec::new(),
                header: None,
                rows: Vec::new(),
                in_examples: false,
            });
            continue;
        }
        if let Some(name) = line
            .strip_prefix("Scenario Outline:")
            .map(|n| (n, true))
            .or_else(|| line.strip_prefix("Scenario:").map(|n| (n, false)))
        {
            if let Some(p) = cur.take() {
                if std::mem::take(&mut in_background) {
                    // Background steps run before every scenario of the feature.
                    background = p.steps;
                } else {
                    finish(p, path, &mut out);
                }
            }
            cur = Some(Pending {
                name: name.0.trim().to_string(),
                outline: name.1,
                steps: background.clone(),
                header: None,
                rows: Vec::new(),
                in_examples: false,
            });
            continue;
        }
        let Some(p) = cur.as_mut() else {
            continue; // Feature line and its description
        };
        if line.starts_with("Examples:") {
            p.in_examples = true;
            p.header = None;
            continue;
        }
        if line.starts_with("\"\"\"") {
            let indent = raw.len() - raw.trim_start().len();
            let mut doc = Vec::new();
            while i < lines.len() && !lines[i].trim().starts_with("\"\"\"") {
                let l = lines[i];
                let strip = l.len() - l.trim_start().len();
                doc.push(&l[strip.min(indent)..]);
                i += 1;
            }
            i += 1;
            if let Some(s) = p.steps.last_mut() {
                s.doc = Some(doc.join("\n"));
            }
            continue;
        }
        if line.starts_with('|') {
            let row = cells(line);
            if p.in_examples {
                match &p.header {
                    None => p.header = Some(row),
                    Some(h) => p.rows.push(h.iter().cloned().zip(row).collect()),
                }
            } else if let Some(s) = p.steps.last_mut() {
                s.table.get_or_insert_with(Vec::new).push(row);
            }
            continue;
        }
        for kw in ["Given ", "When ", "Then ", "And ", "But "] {
            if let Some(rest) = line.strip_prefix(kw) {
                p.in_examples = false;
                p.steps.push(Step {
                    text: rest.trim().to_string(),
                    doc: None,
                    table: None,
                });
                break;
            }
        }
    }
    if let Some(p) = cur.take() {
        finish(p, path, &mut out);
    }
    out
}
