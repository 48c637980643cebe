//! Aggregate functions: count, sum, avg, min, max, collect, stDev, stDevP, percentileCont,
//! percentileDisc, each optionally DISTINCT. Nulls are ignored by every aggregate.

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::expr::{order, GroupKey};
use crate::hash::FxHashSet;
use crate::temporal::Duration;
use crate::value::Value;

use super::arg_error;

/// One group's running aggregate. `update` gets the evaluated arguments of one row.
pub trait Aggregator: Send {
    fn update(&mut self, args: &[Value]) -> Result<()>;
    fn finish(&mut self) -> Result<Value>;
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
    inner: Box<dyn Aggregator>,
}

impl Aggregator for Distinct {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        let v = first(args);
        if v.is_null() || !self.seen.insert(GroupKey::new(v)) {
            return Ok(());
        }
        self.inner.update(args)
    }
    fn finish(&mut self) -> Result<Value> {
        self.inner.finish()
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
}

/// Integers stay integers (with an overflow check) until a float arrives.
#[derive(Default)]
struct Sum {
    int: i64,
    float: f64,
    any_float: bool,
    durations: DurationSum,
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
                self.int = self
                    .int
                    .checked_add(*i)
                    .ok_or_else(|| arg_error("IntegerOverflow", "integer overflow in sum()"))?;
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
        if let Some(d) = self.durations.total {
            return Ok(Value::Duration(Box::new(d)));
        }
        Ok(if self.any_float {
            Value::Float(self.float + self.int as f64)
        } else {
            Value::Int(self.int)
        })
    }
}

#[derive(Default)]
struct Avg {
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
}

/// min/max by the ORDER BY order, so mixed types have a defined answer.
struct Extreme {
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
