//! The compact table against the boxed one it replaced, on random keys and aggregates:
//! rows, their order and errors equal, serial and merged from parts.

use super::*;
use crate::exec::project::row_key;
use crate::functions::{new_aggregator, new_partial_aggregator, Aggregator};
use crate::hash::FxHashMap;
use crate::value::GroupKey;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn spec(name: &str, distinct: bool, star: bool) -> AggSpec {
    AggSpec {
        column: name.to_string(),
        name: name.to_string(),
        distinct,
        args: Vec::new(),
        star,
    }
}

/// A key value: mostly small integers and ids that pack; with `odd` > 0, now and then one
/// that does not (a float equal to an integer, -0.0, NaN, a string).
fn key(r: &mut Rng, odd: u64) -> Value {
    if odd > 0 && r.below(1000) < odd {
        return match r.below(5) {
            0 => Value::Float(1.0),
            1 => Value::Float(-0.0),
            2 => Value::Float(f64::NAN),
            3 => Value::Float(2.5),
            _ => Value::from("k"),
        };
    }
    match r.below(10) {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => Value::NodeRef(r.below(4)),
        3 => Value::RelRef(r.below(4)),
        _ => Value::Int(r.below(6) as i64 - 1),
    }
}

/// An aggregate argument: numbers mostly, with nulls, -0.0, NaN, extremes that overflow an
/// integer sum, and (`odd` per mille) a string, which sum and avg refuse.
fn arg(r: &mut Rng, odd: u64) -> Value {
    if odd > 0 && r.below(1000) < odd {
        return Value::from("s");
    }
    match r.below(12) {
        0 => Value::Null,
        1 => Value::Float(-0.0),
        2 => Value::Float(f64::NAN),
        3 => Value::Float(r.below(100) as f64 / 8.0),
        4 if r.below(40) == 0 => Value::Int(i64::MAX),
        5 if r.below(40) == 0 => Value::Int(i64::MIN),
        _ => Value::Int(r.below(50) as i64 - 10),
    }
}

type Input = Vec<(Vec<Value>, Vec<Value>)>;

fn rows(r: &mut Rng, n: usize, width: usize, aggs: usize, odd: u64) -> Input {
    (0..n)
        .map(|_| {
            let kv = (0..width).map(|_| key(r, odd)).collect();
            let args = (0..aggs).map(|_| arg(r, odd)).collect();
            (kv, args)
        })
        .collect()
}

fn args_of<'a>(a: &AggSpec, v: &'a Value) -> &'a [Value] {
    if a.star {
        &[]
    } else {
        std::slice::from_ref(v)
    }
}

/// The table that was replaced: key values and boxed aggregators per group, found by a
/// `GroupKey`; `partial` for a parallel morsel's.
#[derive(Default)]
struct Boxed {
    index: FxHashMap<GroupKey, usize>,
    groups: Vec<BoxedGroup>,
}

type BoxedGroup = (Vec<Value>, Vec<Box<dyn Aggregator>>);

impl Boxed {
    fn fresh(aggs: &[AggSpec], partial: bool) -> Vec<Box<dyn Aggregator>> {
        aggs.iter()
            .map(|a| {
                let name = if a.star { "count(*)" } else { a.name.as_str() };
                if partial {
                    new_partial_aggregator(name, a.distinct).expect("mergeable")
                } else {
                    new_aggregator(name, a.distinct).expect("aggregate")
                }
            })
            .collect()
    }

    fn feed(
        &mut self,
        input: &[(Vec<Value>, Vec<Value>)],
        aggs: &[AggSpec],
        partial: bool,
    ) -> Result<()> {
        for (kv, args) in input {
            let n = self.groups.len();
            let g = *self.index.entry(row_key(kv)).or_insert(n);
            if g == n {
                self.groups.push((kv.clone(), Boxed::fresh(aggs, partial)));
            }
            for (i, a) in aggs.iter().enumerate() {
                self.groups[g].1[i].update(args_of(a, &args[i]))?;
            }
        }
        Ok(())
    }

    fn merge(&mut self, later: Boxed) -> Result<()> {
        let mut keys: Vec<Option<GroupKey>> = (0..later.groups.len()).map(|_| None).collect();
        for (k, i) in later.index {
            keys[i] = Some(k);
        }
        for ((kv, aggs), k) in later.groups.into_iter().zip(keys) {
            let n = self.groups.len();
            let g = *self.index.entry(k.expect("keyed")).or_insert(n);
            if g == n {
                self.groups.push((kv, aggs));
            } else {
                for (a, l) in self.groups[g].1.iter_mut().zip(aggs) {
                    a.merge(l)?;
                }
            }
        }
        Ok(())
    }

    fn finish(mut self, global: bool, aggs: &[AggSpec], partial: bool) -> Result<Vec<Row>> {
        if global && self.groups.is_empty() {
            self.groups.push((Vec::new(), Boxed::fresh(aggs, partial)));
        }
        let mut out = Vec::new();
        for (mut kv, mut a) in self.groups {
            for x in a.iter_mut() {
                kv.push(x.finish()?);
            }
            out.push(kv);
        }
        Ok(out)
    }
}

fn compact_serial(input: &Input, width: usize, aggs: &[AggSpec]) -> Result<Vec<Row>> {
    let mut t = Groups::serial(width, aggs, 0);
    for (kv, args) in input {
        let g = t.group(kv)?;
        for (i, a) in aggs.iter().enumerate() {
            t.update(g, i, args_of(a, &args[i]))?;
        }
    }
    Ok(t.finish(width == 0)?.collect())
}

fn boxed_serial(input: &Input, width: usize, aggs: &[AggSpec]) -> Result<Vec<Row>> {
    let mut t = Boxed::default();
    t.feed(input, aggs, false)?;
    t.finish(width == 0, aggs, false)
}

/// `input` cut into parts at `cuts`, a partial table per part (stopped at its first error),
/// merged in order up to the first part that failed, as `parallel.rs` does.
fn compact_parts(
    input: &Input,
    cuts: &[usize],
    width: usize,
    aggs: &[AggSpec],
) -> Result<Vec<Row>> {
    let mut all = Groups::partial(width, aggs).expect("mergeable");
    for part in split(input, cuts) {
        let mut t = Groups::partial(width, aggs).expect("mergeable");
        let error = (|| -> Result<()> {
            for (kv, args) in part {
                let g = t.group(kv)?;
                for (i, a) in aggs.iter().enumerate() {
                    t.update(g, i, args_of(a, &args[i]))?;
                }
            }
            Ok(())
        })()
        .err();
        all.merge(t, &mut || Ok(()))?;
        if let Some(e) = error {
            return Err(e);
        }
    }
    Ok(all.finish(width == 0)?.collect())
}

fn boxed_parts(input: &Input, cuts: &[usize], width: usize, aggs: &[AggSpec]) -> Result<Vec<Row>> {
    let mut all = Boxed::default();
    for part in split(input, cuts) {
        let mut t = Boxed::default();
        let error = t.feed(part, aggs, true).err();
        all.merge(t)?;
        if let Some(e) = error {
            return Err(e);
        }
    }
    all.finish(width == 0, aggs, true)
}

fn split<'a>(input: &'a Input, cuts: &[usize]) -> Vec<&'a [(Vec<Value>, Vec<Value>)]> {
    let mut parts = Vec::new();
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        let c = c.clamp(from, input.len());
        parts.push(&input[from..c]);
        from = c;
    }
    parts
}

/// Rows or error as text: `Debug` tells -0.0 from 0.0 and shows NaN, which `==` cannot.
fn shown(r: Result<Vec<Row>>) -> String {
    match r {
        Ok(rows) => format!("{rows:?}"),
        Err(e) => format!("error: {e}"),
    }
}

fn agg_sets() -> Vec<Vec<AggSpec>> {
    vec![
        vec![spec("count", false, true)],
        vec![spec("sum", false, false), spec("count", false, false)],
        vec![
            spec("avg", false, false),
            spec("min", false, false),
            spec("max", false, false),
        ],
        vec![
            spec("count", false, true),
            spec("sum", false, false),
            spec("collect", false, false),
            spec("count", true, false),
        ],
        vec![
            spec("max", false, false),
            spec("sum", true, false),
            spec("avg", false, false),
        ],
    ]
}

#[test]
fn serial_tables_agree_on_random_input() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut errors, mut fell_back) = (0, 0);
    for round in 0..400 {
        for aggs in agg_sets() {
            let width = round % 4;
            let odd = [0, 0, 3, 30][round % 4];
            let n = 1 + r.below(300) as usize;
            let input = rows(&mut r, n, width, aggs.len(), odd);
            let (c, b) = (
                compact_serial(&input, width, &aggs),
                boxed_serial(&input, width, &aggs),
            );
            errors += usize::from(b.is_err());
            fell_back += usize::from(input.iter().any(|(kv, _)| {
                kv.iter()
                    .any(|v| matches!(v, Value::Float(_) | Value::String(_)))
            }));
            assert_eq!(
                shown(c),
                shown(b),
                "round {round}, aggregates {:?}",
                aggs.iter().map(|a| &a.name).collect::<Vec<_>>()
            );
        }
    }
    // The input reaches both the errors and the general keys.
    assert!(
        errors > 50 && fell_back > 50,
        "{errors} errors, {fell_back} fallbacks"
    );
}

#[test]
fn merged_tables_agree_on_random_input() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..300 {
        for aggs in agg_sets() {
            let width = 1 + round % 3;
            let odd = [0, 3, 30][round % 3];
            let n = 1 + r.below(200) as usize;
            let input = rows(&mut r, n, width, aggs.len(), odd);
            let mut cuts: Vec<usize> = (0..r.below(5))
                .map(|_| r.below(input.len() as u64 + 1) as usize)
                .collect();
            cuts.sort_unstable();
            assert_eq!(
                shown(compact_parts(&input, &cuts, width, &aggs)),
                shown(boxed_parts(&input, &cuts, width, &aggs)),
                "round {round}, cuts {cuts:?}"
            );
        }
    }
}

#[test]
fn equivalent_keys_group_together_and_keep_the_first_value() {
    let aggs = [spec("count", false, true)];
    let input: Input = [
        Value::Int(1),
        Value::Int(0),
        Value::NodeRef(1),
        Value::Float(1.0),
        Value::Float(-0.0),
        Value::Float(f64::NAN),
        Value::Float(f64::NAN),
        Value::Null,
        Value::Null,
    ]
    .into_iter()
    .map(|v| (vec![v], vec![Value::Null]))
    .collect();
    let rows = compact_serial(&input, 1, &aggs).expect("no error");
    assert_eq!(
        format!("{rows:?}"),
        format!(
            "{:?}",
            vec![
                vec![Value::Int(1), Value::Int(2)],
                vec![Value::Int(0), Value::Int(2)],
                vec![Value::NodeRef(1), Value::Int(1)],
                vec![Value::Float(f64::NAN), Value::Int(2)],
                vec![Value::Null, Value::Int(2)],
            ]
        )
    );
}

#[test]
fn an_integer_sum_out_of_range_fails_as_before() {
    let aggs = [spec("sum", false, false)];
    let input: Input = [i64::MAX, 1, -5]
        .into_iter()
        .map(|i| (vec![Value::Int(7)], vec![Value::Int(i)]))
        .collect();
    let c = compact_serial(&input, 1, &aggs);
    assert!(c.is_err());
    assert_eq!(shown(c), shown(boxed_serial(&input, 1, &aggs)));
    // Split after the first row, the second morsel's sum is relative: the merge finds it.
    let p = compact_parts(&input, &[1], 1, &aggs);
    assert!(p.is_err());
    assert_eq!(shown(p), shown(boxed_parts(&input, &[1], 1, &aggs)));
}

/// A key value that starts narrow and alike (small non-negative integers: `u32` words, one
/// tag list for all groups) and, from row `turn` on, now and then one that widens the words
/// or writes the tags out: an integer past `u32` equal to a small one in its low 32 bits, a
/// negative one, `u32::MAX` itself (still narrow), a node or relationship id or boolean with
/// a small integer's word, null.
fn late_key(r: &mut Rng, at: usize, turn: usize) -> Value {
    let k = r.below(6);
    if at < turn || r.below(3) > 0 {
        return Value::Int(k as i64);
    }
    match r.below(8) {
        0 => Value::Int((1 << 32) + k as i64),
        1 => Value::Int(-(k as i64) - 1),
        2 => Value::Int(i64::from(u32::MAX)),
        3 => Value::NodeRef(k),
        4 => Value::RelRef(k),
        5 => Value::Bool(k == 1),
        6 => Value::Null,
        _ => Value::Int(k as i64),
    }
}

#[test]
fn narrow_alike_keys_widen_and_write_out_tags_mid_stream_as_the_boxed_table_groups() {
    let mut r = Rng(0x5851_f42d_4c95_7f2d);
    let (mut widened, mut retagged) = (0, 0);
    for round in 0..300 {
        for aggs in agg_sets() {
            let width = 1 + round % 3;
            let n = 1 + r.below(300) as usize;
            let turn = r.below(n as u64 + 20) as usize;
            let input: Input = (0..n)
                .map(|at| {
                    let kv = (0..width).map(|_| late_key(&mut r, at, turn)).collect();
                    let args = (0..aggs.len()).map(|_| arg(&mut r, 0)).collect();
                    (kv, args)
                })
                .collect();
            let keys = || input.iter().flat_map(|(kv, _)| kv);
            widened += usize::from(
                keys().any(|v| matches!(v, Value::Int(i) if *i < 0 || *i > i64::from(u32::MAX))),
            );
            retagged += usize::from(keys().any(|v| !matches!(v, Value::Int(_))));
            assert_eq!(
                shown(compact_serial(&input, width, &aggs)),
                shown(boxed_serial(&input, width, &aggs)),
                "round {round}, turn {turn}"
            );
            let cuts = [r.below(n as u64 + 1) as usize];
            assert_eq!(
                shown(compact_parts(&input, &cuts, width, &aggs)),
                shown(boxed_parts(&input, &cuts, width, &aggs)),
                "round {round}, turn {turn}, cut {cuts:?}"
            );
        }
    }
    assert!(
        widened > 200 && retagged > 200,
        "{widened} widened, {retagged} retagged"
    );
}

#[test]
fn a_word_past_u32_or_another_kind_is_another_group() {
    let aggs = [spec("count", false, true)];
    let input: Input = [
        Value::Int(1),
        Value::Int(i64::from(u32::MAX)),
        Value::Int((1 << 32) + 1),
        Value::NodeRef(1),
        Value::Int(1),
        Value::Int((1 << 32) + 1),
        Value::Int(-1),
        Value::Int(i64::from(u32::MAX)),
    ]
    .into_iter()
    .map(|v| (vec![v], vec![Value::Null]))
    .collect();
    let rows = compact_serial(&input, 1, &aggs).expect("no error");
    let int = |k: i64, n: i64| vec![Value::Int(k), Value::Int(n)];
    let want = vec![
        int(1, 2),
        int(u32::MAX.into(), 2),
        int((1 << 32) + 1, 2),
        vec![Value::NodeRef(1), Value::Int(1)],
        int(-1, 1),
    ];
    assert_eq!(format!("{rows:?}"), format!("{want:?}"));
}
