//! Aggregate functions: count, sum, avg, min, max, collect, stDev, stDevP, percentileCont,
//! percentileDisc, each optionally DISTINCT. Nulls are ignored by every aggregate.

use std::any::Any;

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::hash::FxHashSet;
use crate::temporal::Duration;
use crate::value::{order, GroupKey, Value};

use super::arg_error;

/// One group's running aggregate. `update` gets the evaluated arguments of one row.
pub trait Aggregator: Send + Any {
    fn update(&mut self, args: &[Value]) -> Result<()>;
    fn finish(&mut self) -> Result<Value>;
    /// Folds in `later`, an aggregator of the same function made by [`new_partial_aggregator`]
    /// and fed the rows that follow this one's (a parallel scan's next morsel), so that the
    /// result is what one aggregator fed all the rows in order would give (a float sum up to
    /// rounding). Only the aggregates `new_partial_aggregator` makes can merge.
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        let _ = later;
        Err(not_mergeable())
    }
}

/// Never raised: the parallel path makes its aggregators with `new_partial_aggregator`.
fn not_mergeable() -> crate::error::Error {
    QueryError::new(
        ErrorClass::Unsupported,
        "NotMergeable",
        Phase::Runtime,
        "an aggregate that cannot merge was merged",
    )
    .into()
}

/// `later` as the concrete aggregator `T` (what `merge` folds in is always its own kind).
fn downcast<T: Aggregator>(later: Box<dyn Aggregator>) -> Result<Box<T>> {
    let any: Box<dyn Any> = later;
    any.downcast::<T>().map_err(|_| not_mergeable())
}

/// An aggregator for a morsel of a parallel scan, or `None` when the function's partial
/// results cannot be merged into exactly the serial answer (stDev, percentiles: the statement
/// then runs on one thread). Such an aggregator keeps what merging needs (a DISTINCT's values
/// in first-seen order, a sum's prefix extremes) and defers a sum's overflow check to
/// `finish`, since its running sum is relative to the morsel's start.
pub fn new_partial_aggregator(name: &str, distinct: bool) -> Option<Box<dyn Aggregator>> {
    let canonical = if name == "count(*)" {
        "count(*)"
    } else {
        super::lookup(name).filter(|i| i.aggregate)?.name
    };
    let inner: Box<dyn Aggregator> = match canonical {
        "count(*)" if !distinct => return Some(Box::new(CountStar(0))),
        "count" => Box::new(Count(0)),
        "sum" => Box::new(Sum {
            relative: true,
            ..Sum::default()
        }),
        "avg" => Box::new(Avg::default()),
        "min" | "max" => Box::new(Extreme {
            best: None,
            want_max: canonical == "max",
        }),
        "collect" => Box::new(Collect(Vec::new())),
        _ => return None,
    };
    Some(if distinct {
        Box::new(Distinct {
            seen: FxHashSet::default(),
            firsts: Some(Vec::new()),
            inner,
        })
    } else {
        inner
    })
}

/// A fresh aggregator for the aggregate function `name` (case-insensitive); `count(*)` is
/// asked for as `"count(*)"` (it counts rows, nulls included). With `distinct`, only the first
/// occurrence of each value (by Cypher equivalence) reaches the aggregate.
pub fn new_aggregator(name: &str, distinct: bool) -> Result<Box<dyn Aggregator>> {
    let canonical = if name == "count(*)" {
        "count(*)"
    } else {
        match super::lookup(name) {
            Some(info) if info.aggregate => info.name,
            _ => {
                return Err(QueryError::new(
                    ErrorClass::SyntaxError,
                    "UnknownFunction",
                    Phase::Compile,
                    format!("`{name}` is not an aggregate function"),
                )
                .into())
            }
        }
    };
    let inner: Box<dyn Aggregator> = match canonical {
        "count(*)" => return Ok(Box::new(CountStar(0))),
        "count" => Box::new(Count(0)),
        "sum" => Box::new(Sum::default()),
        "avg" => Box::new(Avg::default()),
        "min" => Box::new(Extreme {
            best: None,
            want_max: false,
        }),
        "max" => Box::new(Extreme {
            best: None,
            want_max: true,
        }),
        "collect" => Box::new(Collect(Vec::new())),
        "stDev" => Box::new(StDev {
            population: false,
            ..StDev::default()
        }),
        "stDevP" => Box::new(StDev {
            population: true,
            ..StDev::default()
        }),
        "percentileCont" => Box::new(Percentile {
            continuous: true,
            ..Percentile::default()
        }),
        _ => Box::new(Percentile {
            continuous: false,
            ..Percentile::default()
        }),
    };
    Ok(if distinct {
        Box::new(Distinct {
            seen: FxHashSet::default(),
            firsts: None,
            inner,
        })
    } else {
        inner
    })
}

fn first(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Null)
}

struct Distinct {
    seen: FxHashSet<GroupKey>,
    /// A partial aggregator's distinct values in the order first seen (what a merge replays
    /// into the earlier aggregator); `None` in a serial one.
    firsts: Option<Vec<Value>>,
    inner: Box<dyn Aggregator>,
}

impl Aggregator for Distinct {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if v.is_null() || !self.seen.insert(GroupKey::new(v)) {
            return Ok(());
        }
        if let Some(f) = &mut self.firsts {
            f.push(v.clone());
        }
        self.inner.update(args)
    }
    fn finish(&mut self) -> Result<Value> {
        self.inner.finish()
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        // The later rows' first occurrences, in order, minus the values seen before: exactly
        // what the serial aggregate would have passed on.
        let later = downcast::<Distinct>(later)?;
        for v in later.firsts.ok_or_else(not_mergeable)? {
            if self.seen.insert(GroupKey::new(&v)) {
                self.inner.update(std::slice::from_ref(&v))?;
                if let Some(f) = &mut self.firsts {
                    f.push(v);
                }
            }
        }
        Ok(())
    }
}

struct CountStar(i64);

impl Aggregator for CountStar {
    fn update(&mut self, _args: &[Value]) -> Result<()> {
        self.0 += 1;
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(Value::Int(self.0))
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.0 += downcast::<CountStar>(later)?.0;
        Ok(())
    }
}

struct Count(i64);

impl Aggregator for Count {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        if !first(args).is_null() {
            self.0 += 1;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(Value::Int(self.0))
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.0 += downcast::<Count>(later)?.0;
        Ok(())
    }
}

fn not_numeric(name: &str, v: &Value) -> crate::error::Error {
    QueryError::type_error(
        "InvalidArgumentType",
        format!("{name}() expects numbers, got {}", v.type_name()),
    )
    .into()
}

/// Sums durations component-wise (`sum()` and `avg()` of durations, as Neo4j); refuses a mix
/// of durations and numbers.
#[derive(Default)]
struct DurationSum {
    total: Option<Duration>,
    numbers: bool,
}

impl DurationSum {
    /// Adds `v` when it is a duration (`Ok(true)`); notes a number (`Ok(false)`).
    fn add(&mut self, name: &str, v: &Value) -> Result<bool> {
        let mixed = || {
            crate::error::Error::from(QueryError::type_error(
                "InvalidArgumentType",
                format!("{name}() cannot mix durations and numbers"),
            ))
        };
        match v {
            Value::Duration(d) => {
                if self.numbers {
                    return Err(mixed());
                }
                let sum = self.total.unwrap_or_default().checked_add(**d);
                self.total = Some(sum.ok_or_else(|| {
                    arg_error(
                        "InvalidArgumentValue",
                        format!("duration overflow in {name}()"),
                    )
                })?);
                Ok(true)
            }
            _ if self.total.is_some() => Err(mixed()),
            _ => {
                self.numbers = true;
                Ok(false)
            }
        }
    }

    /// Folds in the durations and numbers of later rows (`merge`).
    fn merge(&mut self, name: &str, later: DurationSum) -> Result<()> {
        if later.numbers {
            self.add(name, &Value::Int(0))?;
        }
        if let Some(d) = later.total {
            self.add(name, &Value::Duration(Box::new(d)))?;
        }
        Ok(())
    }
}

/// Integers stay integers (with an overflow check) until a float arrives.
///
/// The integer sum fails as soon as a running sum leaves the 64-bit range. A partial sum
/// (`relative`: a parallel morsel's, which starts from an unknown earlier sum) cannot tell,
/// so it records its running sum's lowest and highest values and a merge composes them:
/// `finish` then fails exactly when the serial sum would have failed on some row.
#[derive(Default)]
pub(crate) struct Sum {
    int: i128,
    /// The lowest and highest running integer sums so far (including the empty sum, 0).
    low: i128,
    high: i128,
    relative: bool,
    float: f64,
    any_float: bool,
    durations: DurationSum,
}

fn sum_overflow() -> crate::error::Error {
    arg_error("IntegerOverflow", "integer overflow in sum()")
}

impl Aggregator for Sum {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if !v.is_null() && self.durations.add("sum", v)? {
            return Ok(());
        }
        match v {
            Value::Null => {}
            Value::Int(i) => {
                self.int += i128::from(*i);
                if self.relative {
                    self.low = self.low.min(self.int);
                    self.high = self.high.max(self.int);
                } else if i64::try_from(self.int).is_err() {
                    return Err(sum_overflow());
                }
            }
            Value::Float(f) => {
                self.float += f;
                self.any_float = true;
            }
            other => return Err(not_numeric("sum", other)),
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        if i64::try_from(self.low).is_err() || i64::try_from(self.high).is_err() {
            return Err(sum_overflow());
        }
        if let Some(d) = self.durations.total {
            return Ok(Value::Duration(Box::new(d)));
        }
        Ok(if self.any_float {
            Value::Float(self.float + self.int as f64)
        } else {
            // In range: every running sum was, the last included.
            Value::Int(i64::try_from(self.int).map_err(|_| sum_overflow())?)
        })
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.merge_from(*downcast::<Sum>(later)?)
    }
}

impl Sum {
    /// A fresh sum; `relative` for a parallel morsel's (see the type's docs).
    pub(crate) fn new(relative: bool) -> Sum {
        Sum {
            relative,
            ..Sum::default()
        }
    }

    /// [`Aggregator::merge`] of a sum held by value (a grouping table's column).
    pub(crate) fn merge_from(&mut self, later: Sum) -> Result<()> {
        self.durations.merge("sum", later.durations)?;
        // The later running sums, shifted by this one's total.
        self.low = self.low.min(self.int + later.low);
        self.high = self.high.max(self.int + later.high);
        self.int += later.int;
        self.float += later.float;
        self.any_float |= later.any_float;
        Ok(())
    }
}

#[derive(Default)]
pub(crate) struct Avg {
    int: i128,
    float: f64,
    count: u64,
    durations: DurationSum,
}

impl Aggregator for Avg {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if !v.is_null() && self.durations.add("avg", v)? {
            self.count += 1;
            return Ok(());
        }
        match v {
            Value::Null => return Ok(()),
            Value::Int(i) => self.int += i128::from(*i),
            Value::Float(f) => self.float += f,
            other => return Err(not_numeric("avg", other)),
        }
        self.count += 1;
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        if self.count == 0 {
            return Ok(Value::Null);
        }
        if let Some(d) = self.durations.total {
            return d
                .div_float(self.count as f64)
                .map(|d| Value::Duration(Box::new(d)))
                .ok_or_else(|| arg_error("InvalidArgumentValue", "duration overflow in avg()"));
        }
        Ok(Value::Float(
            (self.int as f64 + self.float) / self.count as f64,
        ))
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.merge_from(*downcast::<Avg>(later)?)
    }
}

impl Avg {
    /// [`Aggregator::merge`] of an average held by value (a grouping table's column).
    pub(crate) fn merge_from(&mut self, later: Avg) -> Result<()> {
        self.durations.merge("avg", later.durations)?;
        self.int += later.int;
        self.float += later.float;
        self.count += later.count;
        Ok(())
    }
}

/// min/max by the ORDER BY order, so mixed types have a defined answer.
pub(crate) struct Extreme {
    best: Option<Value>,
    want_max: bool,
}

impl Aggregator for Extreme {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if v.is_null() {
            return Ok(());
        }
        let better = match &self.best {
            None => true,
            Some(b) => {
                let o = order(v, b);
                if self.want_max {
                    o.is_gt()
                } else {
                    o.is_lt()
                }
            }
        };
        if better {
            self.best = Some(v.clone());
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(self.best.take().unwrap_or(Value::Null))
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.merge_from(*downcast::<Extreme>(later)?)
    }
}

impl Extreme {
    /// A fresh `max` (`want_max`) or `min`.
    pub(crate) fn new(want_max: bool) -> Extreme {
        Extreme {
            best: None,
            want_max,
        }
    }

    /// [`Aggregator::merge`] of an extreme held by value (a grouping table's column).
    pub(crate) fn merge_from(&mut self, later: Extreme) -> Result<()> {
        // The later best replaces this one only when strictly better, as a row would.
        match later.best {
            Some(v) => self.update(std::slice::from_ref(&v)),
            None => Ok(()),
        }
    }
}

struct Collect(Vec<Value>);

impl Aggregator for Collect {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if !v.is_null() {
            self.0.push(v.clone());
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(Value::List(std::mem::take(&mut self.0)))
    }
    fn merge(&mut self, later: Box<dyn Aggregator>) -> Result<()> {
        self.0.extend(downcast::<Collect>(later)?.0);
        Ok(())
    }
}

/// Welford's running mean and variance.
#[derive(Default)]
struct StDev {
    population: bool,
    count: u64,
    mean: f64,
    m2: f64,
}

impl Aggregator for StDev {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let x = match first(args) {
            Value::Null => return Ok(()),
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            other => return Err(not_numeric("stDev", other)),
        };
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        let n = self.count as f64;
        let var = if self.population {
            if self.count == 0 {
                0.0
            } else {
                self.m2 / n
            }
        } else if self.count < 2 {
            0.0
        } else {
            self.m2 / (n - 1.0)
        };
        Ok(Value::Float(var.sqrt()))
    }
}

#[derive(Default)]
struct Percentile {
    continuous: bool,
    values: Vec<Value>,
    percentile: f64,
}

impl Aggregator for Percentile {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let p = match args.get(1).unwrap_or(&Value::Null) {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                return Err(arg_error(
                    "InvalidArgumentType",
                    format!("the percentile must be a number, got {}", other.type_name()),
                ))
            }
        };
        if !(0.0..=1.0).contains(&p) {
            return Err(arg_error(
                "NumberOutOfRange",
                format!("the percentile must be between 0.0 and 1.0, got {p}"),
            ));
        }
        self.percentile = p;
        match first(args) {
            Value::Null => {}
            v @ (Value::Int(_) | Value::Float(_)) => self.values.push(v.clone()),
            other => return Err(not_numeric("percentile", other)),
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Value> {
        let mut values = std::mem::take(&mut self.values);
        if values.is_empty() {
            return Ok(Value::Null);
        }
        values.sort_by(order);
        let n = values.len();
        let p = self.percentile;
        let as_f64 = |v: &Value| match v {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            _ => f64::NAN,
        };
        if self.continuous {
            if p >= 1.0 || n == 1 {
                return Ok(Value::Float(as_f64(&values[n - 1])));
            }
            let pos = p * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            if lo == hi || lo >= n - 1 {
                return Ok(Value::Float(as_f64(&values[lo.min(n - 1)])));
            }
            let (a, b) = (as_f64(&values[lo]), as_f64(&values[hi]));
            Ok(Value::Float(a * (hi as f64 - pos) + b * (pos - lo as f64)))
        } else {
            if p >= 1.0 || n == 1 {
                return Ok(values.swap_remove(n - 1));
            }
            let pos = p * n as f64;
            let mut idx = pos as usize;
            if pos == idx as f64 && idx > 0 {
                idx -= 1;
            }
            Ok(values.swap_remove(idx.min(n - 1)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, distinct: bool, rows: &[Vec<Value>]) -> Value {
        let mut agg = new_aggregator(name, distinct).expect("aggregate exists");
        for row in rows {
            agg.update(row).expect("update");
        }
        agg.finish().expect("finish")
    }

    fn col(values: &[Value]) -> Vec<Vec<Value>> {
        values.iter().map(|v| vec![v.clone()]).collect()
    }

    #[test]
    fn count_sum_avg() {
        let rows = col(&[Value::Int(1), Value::Null, Value::Int(2), Value::Float(1.0)]);
        assert_eq!(run("count", false, &rows), Value::Int(3));
        assert_eq!(run("COUNT", true, &rows), Value::Int(2));
        assert_eq!(run("count(*)", false, &rows), Value::Int(4));
        assert_eq!(
            run("sum", false, &col(&[Value::Int(1), Value::Int(2)])),
            Value::Int(3)
        );
        assert_eq!(run("sum", false, &rows), Value::Float(4.0));
        assert_eq!(run("sum", false, &[]), Value::Int(0));
        assert_eq!(run("avg", false, &rows), Value::Float(4.0 / 3.0));
        assert_eq!(run("avg", false, &[]), Value::Null);
        let mut s = new_aggregator("sum", false).expect("sum");
        s.update(&[Value::Int(i64::MAX)]).expect("first");
        assert!(s.update(&[Value::Int(1)]).is_err());
    }

    /// Feeds `rows` to one serial aggregator, and to partial ones split at `cut` and merged.
    fn serial_and_merged(
        name: &str,
        distinct: bool,
        rows: &[Value],
        cut: usize,
    ) -> (Result<Value>, Result<Value>) {
        let serial = (|| {
            let mut a = new_aggregator(name, distinct)?;
            for v in rows {
                a.update(std::slice::from_ref(v))?;
            }
            a.finish()
        })();
        let merged = (|| {
            let mut parts = Vec::new();
            for chunk in [&rows[..cut], &rows[cut..]] {
                let mut a = new_partial_aggregator(name, distinct).expect("mergeable");
                for v in chunk {
                    a.update(std::slice::from_ref(v))?;
                }
                parts.push(a);
            }
            let later = parts.pop().expect("two parts");
            let mut first = parts.pop().expect("two parts");
            first.merge(later)?;
            first.finish()
        })();
        (serial, merged)
    }

    #[test]
    fn merged_partials_give_the_serial_answer() {
        let ints = |xs: &[i64]| xs.iter().map(|&i| Value::Int(i)).collect::<Vec<_>>();
        // The running sum leaves the range in the second part only relative to the first.
        let (s, m) = serial_and_merged("sum", false, &ints(&[i64::MAX, 1, -1]), 1);
        assert!(s.is_err() && m.is_err(), "{s:?} {m:?}");
        let (s, m) = serial_and_merged("sum", false, &ints(&[i64::MAX, -1, 1]), 1);
        assert_eq!(
            (s.expect("serial"), m.expect("merged")),
            (Value::Int(i64::MAX), Value::Int(i64::MAX))
        );
        let (s, m) = serial_and_merged("sum", false, &ints(&[i64::MIN, -5, 5]), 1);
        assert!(s.is_err() && m.is_err(), "{s:?} {m:?}");
        let mixed = vec![
            Value::Int(3),
            Value::Null,
            Value::Float(1.5),
            Value::Int(3),
            Value::from("a"),
            Value::Int(1),
            Value::Float(1.0),
        ];
        let numbers: Vec<Value> = mixed
            .iter()
            .filter(|v| !matches!(v, Value::String(_)))
            .cloned()
            .collect();
        for cut in 0..=numbers.len() {
            for (name, distinct) in [
                ("count", false),
                ("count", true),
                ("count(*)", false),
                ("sum", true),
                ("avg", false),
                ("min", false),
                ("max", true),
                ("collect", false),
                ("collect", true),
            ] {
                let (s, m) = serial_and_merged(name, distinct, &numbers, cut);
                assert_eq!(
                    s.expect("serial"),
                    m.expect("merged"),
                    "{name} {distinct} cut {cut}"
                );
            }
        }
        for cut in 0..=mixed.len() {
            let (s, m) = serial_and_merged("max", false, &mixed, cut);
            assert_eq!(s.expect("serial"), m.expect("merged"), "max cut {cut}");
            let (s, m) = serial_and_merged("collect", true, &mixed, cut);
            assert_eq!(s.expect("serial"), m.expect("merged"), "collect cut {cut}");
        }
        // 1 and 1.0 are one value to DISTINCT: the first seen is kept, across the cut too.
        let (s, m) = serial_and_merged("collect", true, &[Value::Int(1), Value::Float(1.0)], 1);
        assert_eq!(s.expect("serial"), m.expect("merged"));
        assert!(new_partial_aggregator("stDev", false).is_none());
        assert!(new_partial_aggregator("percentileCont", false).is_none());
    }

    #[test]
    fn min_max_collect() {
        let rows = col(&[
            Value::Int(1),
            Value::Float(2.0),
            Value::Int(5),
            Value::Null,
            Value::Float(0.1),
        ]);
        assert_eq!(run("max", false, &rows), Value::Int(5));
        assert_eq!(run("min", false, &rows), Value::Float(0.1));
        let strings = col(&[Value::from("a"), Value::from("b"), Value::from("B")]);
        assert_eq!(run("max", false, &strings), Value::from("b"));
        assert_eq!(run("min", false, &strings), Value::from("B"));
        assert_eq!(run("max", false, &[]), Value::Null);
        assert_eq!(
            run(
                "collect",
                true,
                &col(&[Value::Null, Value::Int(1), Value::Null, Value::Int(1)])
            ),
            Value::List(vec![Value::Int(1)])
        );
    }

    #[test]
    fn deviation_and_percentiles() {
        let rows = col(&[
            Value::Int(2),
            Value::Int(4),
            Value::Int(4),
            Value::Int(4),
            Value::Int(5),
            Value::Int(5),
            Value::Int(7),
            Value::Int(9),
        ]);
        assert_eq!(run("stDevP", false, &rows), Value::Float(2.0));
        let Value::Float(s) = run("stDev", false, &rows) else {
            panic!("stDev is a float")
        };
        assert!((s - 2.138_089_935).abs() < 1e-6);
        let prices = |p: f64| -> Vec<Vec<Value>> {
            [10.0, 20.0, 30.0]
                .iter()
                .map(|x| vec![Value::Float(*x), Value::Float(p)])
                .collect()
        };
        for (p, want) in [(0.0, 10.0), (0.5, 20.0), (1.0, 30.0)] {
            assert_eq!(run("percentileDisc", false, &prices(p)), Value::Float(want));
            assert_eq!(run("percentileCont", false, &prices(p)), Value::Float(want));
        }
        assert_eq!(
            run("percentileCont", false, &prices(0.25)),
            Value::Float(15.0)
        );
        let mut bad = new_aggregator("percentileCont", false).expect("exists");
        let err = bad
            .update(&[Value::Float(1.0), Value::Float(1.5)])
            .unwrap_err();
        assert_eq!(
            err.as_query().map(|q| q.detail.as_str()),
            Some("NumberOutOfRange")
        );
    }
}
