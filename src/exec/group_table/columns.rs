//! The grouping table's aggregate states, one column per aggregate: inline for the counting
//! and summing aggregates (the same `Sum`, `Avg` and `Extreme` the boxed form runs, held by
//! value), a boxed aggregator per group for the others.

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::exec::lineage::{Facts, LineageUnion};
use crate::functions::{
    lookup, new_aggregator, new_partial_aggregator, Aggregator, Avg, Extreme, Sum,
};
use crate::plan::AggSpec;
use crate::value::Value;

/// Makes a boxed aggregate's state for a new group.
type Maker = Box<dyn Fn() -> Result<Box<dyn Aggregator>> + Send + Sync>;

/// One aggregate's state for every group, in group order.
pub(crate) enum Column {
    /// `count(*)`: rows per group.
    CountStar(Vec<i64>),
    /// `count(x)`: non-null values per group.
    Count(Vec<i64>),
    /// `sum(x)`; a parallel morsel's sums are relative (`Sum::new`).
    Sum(Vec<Sum>, bool),
    Avg(Vec<Avg>),
    /// `max(x)` (true) or `min(x)`.
    Extreme(Vec<Extreme>, bool),
    /// Every other aggregate (DISTINCT, collect, stDev, percentiles, lineage).
    Boxed(Vec<Option<Box<dyn Aggregator>>>, Maker),
    /// Each group's result, once `Groups::finish` has finished an aggregate that may fail.
    Done(Vec<Value>),
}

/// One group's state taken out of a column (a merge moves it into another table's).
pub(crate) enum State {
    Count(i64),
    Sum(Sum),
    Avg(Avg),
    Extreme(Extreme),
    Boxed(Option<Box<dyn Aggregator>>),
    Done(Value),
}

/// The inline column for `name` (a function's canonical name), if it has one.
fn inline(name: &str, relative: bool) -> Option<Column> {
    Some(match name {
        "count" => Column::Count(Vec::new()),
        "sum" => Column::Sum(Vec::new(), relative),
        "avg" => Column::Avg(Vec::new()),
        "min" | "max" => Column::Extreme(Vec::new(), name == "max"),
        _ => return None,
    })
}

/// The canonical name of a non-DISTINCT aggregate function `name`.
fn canonical(spec: &AggSpec) -> Option<&'static str> {
    if spec.distinct {
        return None;
    }
    lookup(&spec.name).filter(|f| f.aggregate).map(|f| f.name)
}

impl Column {
    /// The column for `spec` as the serial aggregation runs it.
    pub fn serial(spec: &AggSpec, why_limit: usize) -> Column {
        if spec.star {
            return Column::CountStar(Vec::new());
        }
        if spec.name == crate::plan::provenance::LINEAGE_AGG {
            return Column::Boxed(
                Vec::new(),
                Box::new(move || Ok(Box::new(LineageUnion(Facts::new(why_limit))))),
            );
        }
        if let Some(c) = canonical(spec).and_then(|n| inline(n, false)) {
            return c;
        }
        let (name, distinct) = (spec.name.clone(), spec.distinct);
        Column::Boxed(
            Vec::new(),
            Box::new(move || new_aggregator(&name, distinct)),
        )
    }

    /// The column for `spec` in a parallel morsel's table, or `None` when it cannot merge.
    pub fn partial(spec: &AggSpec) -> Option<Column> {
        if spec.star {
            new_partial_aggregator("count(*)", false)?;
            return Some(Column::CountStar(Vec::new()));
        }
        let (name, distinct) = (spec.name.clone(), spec.distinct);
        new_partial_aggregator(&name, distinct)?;
        if let Some(c) = canonical(spec).and_then(|n| inline(n, true)) {
            return Some(c);
        }
        let make = move || {
            new_partial_aggregator(&name, distinct).ok_or_else(|| internal("not mergeable"))
        };
        Some(Column::Boxed(Vec::new(), Box::new(make)))
    }

    pub fn len(&self) -> usize {
        match self {
            Column::CountStar(v) | Column::Count(v) => v.len(),
            Column::Sum(v, _) => v.len(),
            Column::Avg(v) => v.len(),
            Column::Extreme(v, _) => v.len(),
            Column::Boxed(v, _) => v.len(),
            Column::Done(v) => v.len(),
        }
    }

    pub fn truncate(&mut self, n: usize) {
        match self {
            Column::CountStar(v) | Column::Count(v) => v.truncate(n),
            Column::Sum(v, _) => v.truncate(n),
            Column::Avg(v) => v.truncate(n),
            Column::Extreme(v, _) => v.truncate(n),
            Column::Boxed(v, _) => v.truncate(n),
            Column::Done(v) => v.truncate(n),
        }
    }

    /// Adds a new group's fresh state.
    pub fn push_fresh(&mut self) -> Result<()> {
        match self {
            Column::CountStar(v) | Column::Count(v) => v.push(0),
            Column::Sum(v, relative) => v.push(Sum::new(*relative)),
            Column::Avg(v) => v.push(Avg::default()),
            Column::Extreme(v, max) => v.push(Extreme::new(*max)),
            Column::Boxed(v, make) => v.push(Some(make()?)),
            Column::Done(v) => v.push(Value::Null),
        }
        Ok(())
    }

    /// Feeds one row's arguments to group `g`.
    #[inline]
    pub fn update(&mut self, g: usize, args: &[Value]) -> Result<()> {
        match self {
            Column::CountStar(v) => {
                if let Some(n) = v.get_mut(g) {
                    *n += 1;
                }
            }
            Column::Count(v) => {
                if let Some(n) = v.get_mut(g) {
                    if !args.first().unwrap_or(&Value::Null).is_null() {
                        *n += 1;
                    }
                }
            }
            Column::Sum(v, _) => return update(v.get_mut(g), args),
            Column::Avg(v) => return update(v.get_mut(g), args),
            Column::Extreme(v, _) => return update(v.get_mut(g), args),
            Column::Boxed(v, _) => {
                if let Some(Some(a)) = v.get_mut(g) {
                    return a.update(args);
                }
            }
            Column::Done(_) => {}
        }
        Ok(())
    }

    /// Takes group `g`'s state out (a fresh one stays behind).
    pub fn take(&mut self, g: usize) -> State {
        match self {
            Column::CountStar(v) | Column::Count(v) => State::Count(v.get(g).copied().unwrap_or(0)),
            Column::Sum(v, relative) => State::Sum(
                v.get_mut(g)
                    .map_or_else(Sum::default, |s| std::mem::replace(s, Sum::new(*relative))),
            ),
            Column::Avg(v) => State::Avg(v.get_mut(g).map(std::mem::take).unwrap_or_default()),
            Column::Extreme(v, max) => State::Extreme(v.get_mut(g).map_or_else(
                || Extreme::new(*max),
                |e| std::mem::replace(e, Extreme::new(*max)),
            )),
            Column::Boxed(v, _) => State::Boxed(v.get_mut(g).and_then(Option::take)),
            Column::Done(v) => State::Done(v.get_mut(g).map_or(Value::Null, take_value)),
        }
    }

    /// Adds a new group whose state is `s` (taken from a column of the same aggregate).
    pub fn push(&mut self, s: State) -> Result<()> {
        match (self, s) {
            (Column::CountStar(v) | Column::Count(v), State::Count(n)) => v.push(n),
            (Column::Sum(v, _), State::Sum(s)) => v.push(s),
            (Column::Avg(v), State::Avg(s)) => v.push(s),
            (Column::Extreme(v, _), State::Extreme(s)) => v.push(s),
            (Column::Boxed(v, _), State::Boxed(s)) => v.push(s),
            (Column::Done(v), State::Done(s)) => v.push(s),
            _ => return Err(internal("a grouping state of another aggregate")),
        }
        Ok(())
    }

    /// Folds `later` (the state of the rows after group `g`'s so far) into group `g`.
    pub fn merge(&mut self, g: usize, later: State) -> Result<()> {
        match (self, later) {
            (Column::CountStar(v) | Column::Count(v), State::Count(n)) => {
                if let Some(m) = v.get_mut(g) {
                    *m += n;
                }
            }
            (Column::Sum(v, _), State::Sum(s)) => {
                if let Some(m) = v.get_mut(g) {
                    m.merge_from(s)?;
                }
            }
            (Column::Avg(v), State::Avg(s)) => {
                if let Some(m) = v.get_mut(g) {
                    m.merge_from(s)?;
                }
            }
            (Column::Extreme(v, _), State::Extreme(s)) => {
                if let Some(m) = v.get_mut(g) {
                    m.merge_from(s)?;
                }
            }
            (Column::Boxed(v, _), State::Boxed(Some(s))) => {
                if let Some(Some(m)) = v.get_mut(g) {
                    m.merge(s)?;
                }
            }
            (Column::Boxed(..), State::Boxed(None)) => {}
            _ => return Err(internal("a grouping state of another aggregate")),
        }
        Ok(())
    }

    /// True when finishing may fail (an integer sum out of range, a duration average) or
    /// consumes the state (`collect`'s list): `Groups::finish` finishes those first.
    pub fn may_fail(&self) -> bool {
        matches!(self, Column::Sum(..) | Column::Avg(_) | Column::Boxed(..))
    }

    /// Group `g`'s result.
    pub fn finish(&mut self, g: usize) -> Result<Value> {
        match self {
            Column::Sum(v, _) => v.get_mut(g).map_or(Ok(Value::Null), |s| s.finish()),
            Column::Avg(v) => v.get_mut(g).map_or(Ok(Value::Null), |s| s.finish()),
            Column::Extreme(v, _) => v.get_mut(g).map_or(Ok(Value::Null), |s| s.finish()),
            Column::Boxed(v, _) => match v.get_mut(g) {
                Some(Some(a)) => a.finish(),
                _ => Ok(Value::Null),
            },
            _ => Ok(self.value(g)),
        }
    }

    /// Group `g`'s result, for a column that cannot fail (after `Groups::finish`).
    pub fn value(&mut self, g: usize) -> Value {
        match self {
            Column::CountStar(v) | Column::Count(v) => Value::Int(v.get(g).copied().unwrap_or(0)),
            Column::Done(v) => v.get_mut(g).map_or(Value::Null, take_value),
            Column::Extreme(v, _) => v
                .get_mut(g)
                .and_then(|e| e.finish().ok())
                .unwrap_or(Value::Null),
            // Finished by `Groups::finish` (`may_fail`).
            Column::Sum(..) | Column::Avg(_) | Column::Boxed(..) => Value::Null,
        }
    }
}

fn take_value(v: &mut Value) -> Value {
    std::mem::replace(v, Value::Null)
}

fn update<A: Aggregator>(a: Option<&mut A>, args: &[Value]) -> Result<()> {
    match a {
        Some(a) => a.update(args),
        None => Ok(()),
    }
}

/// An inconsistency between two tables of one aggregation: never raised.
fn internal(what: &str) -> crate::error::Error {
    QueryError::new(
        ErrorClass::Unsupported,
        "NotMergeable",
        Phase::Runtime,
        format!("{what} was merged"),
    )
    .into()
}
